//! Regression and overfitting: polynomial fits of degrees 1, 3 and 12 to 15
//! noisy samples of sin(pi x), by full-batch gradient descent (with
//! momentum) on the mean squared error, then the degree-12 fit tamed by the
//! L2 penalty lambda/2 ||W||^2.
//!
//! ```text
//! cargo run --release --example overfitting -- --out out/overfitting
//! ```

use clap::{Parser, ValueEnum};
use sinapse::prelude::*;
use sinapse_examples::overfitting::{
    poly_features, record_epochs, sample, write_plots, FitRow, Method, OverfitConfig, OverfitError, OverfitReport,
};
use sinapse_examples::{cli, flags};
use sinapse_examples::{out, outln};
use std::path::PathBuf;
use std::time::Instant;

/// A fitted polynomial: `y_hat = b + phi(x) . w`, the course's linear unit
/// on the features `phi(x) = (x, x^2, ..., x^d)`.
struct Poly {
    model: Linear<f64>,
}

impl Poly {
    fn predict(&self, features: &Tensor<f64>) -> Tensor<f64> {
        no_grad(|| self.model.forward(&Var::constant(features.clone())).value().clone())
    }

    fn mse(&self, features: &Tensor<f64>, y: &Tensor<f64>) -> f64 {
        self.predict(features).sub(y).square().mean_all()
    }

    fn weight_norm_sq(&self) -> f64 {
        self.model.weight().value().square().sum_all()
    }
}

/// Features and targets of one split, as tensors.
struct Split {
    features: Tensor<f64>,
    targets: Tensor<f64>,
}

impl Split {
    fn new(x: &[f64], y: &[f64], degree: usize) -> Self {
        let targets = Tensor::from_vec(y.to_vec(), &[y.len(), 1]).expect("one target per point");
        Split { features: poly_features(x, degree), targets }
    }
}

/// Fits degree `d` with L2 strength `lambda` by full-batch descent on
/// `mse + lambda/2 ||W||^2`; with `history`, records train/valid MSE.
fn fit(
    cfg: &OverfitConfig,
    train: &Split,
    valid: &Split,
    lambda: f64,
    mut history: Option<&mut Vec<(usize, f64, f64)>>,
) -> Result<Poly, OverfitError> {
    let degree = train.features.shape()[1];
    // Zero start: the fit is deterministic, and with L2 the bias (never
    // penalized) is the only parameter free to move without cost.
    let model = Linear::builder(degree, 1).init(Init::Zeros).build(&mut seeded_rng(0));
    let mut poly = Poly { model };
    // The course's L2 on the weights: a parameter group of the layer's
    // weights (not its bias) with lambda.
    let decay = if lambda > 0.0 { WeightDecay::L2(lambda) } else { WeightDecay::None };
    let weights = ParamGroup::new(poly.model.weight_names()).weight_decay(decay);
    let mut opt: Box<dyn Optimizer<f64>> = match cfg.method {
        Method::Gd { momentum } if momentum > 0.0 => {
            Box::new(Sgd::new(cfg.lr).momentum(Momentum::Classic(momentum)).group(weights))
        }
        Method::Gd { .. } => Box::new(Sgd::new(cfg.lr).group(weights)),
        Method::Adam => Box::new(Adam::new(cfg.lr).group(weights)),
    };
    let marks = record_epochs(cfg.epochs);
    let mut next = 0;
    let x = Var::constant(train.features.clone());
    for epoch in 1..=cfg.epochs {
        let loss = mse(&poly.model.forward(&x), &train.targets, Reduction::Mean);
        let value = loss.item();
        if !value.is_finite() {
            return Err(OverfitError::Diverged { degree, lambda, step: epoch, value, lr: cfg.lr });
        }
        let grads = loss.backward();
        opt.step(&mut poly.model, &grads);
        if let Some(h) = history.as_deref_mut() {
            if marks.get(next) == Some(&epoch) {
                h.push((epoch, poly.mse(&train.features, &train.targets), poly.mse(&valid.features, &valid.targets)));
                next += 1;
            }
        }
    }
    Ok(poly)
}

/// Every fit of `config`: each degree without penalty, then the largest
/// degree with each lambda; returns the measurements.
///
/// # Errors
/// [`OverfitError::Config`] for a setting out of range,
/// [`OverfitError::Diverged`] when a fit blows up.
pub fn run(config: &OverfitConfig) -> Result<OverfitReport, OverfitError> {
    config.check()?;
    let (xt, yt) = sample(config.n_train, config.noise, config.seed);
    // Another stream of the same distribution: a different seed.
    let (xv, yv) = sample(config.n_valid, config.noise, config.seed.wrapping_add(1_000_003));
    let grid: Vec<f64> = (0..=300).map(|i| -1.0 + 2.0 * i as f64 / 300.0).collect();
    let high = config.high_degree();
    let mut jobs: Vec<(usize, f64)> = config.degrees.iter().map(|&d| (d, 0.0)).collect();
    jobs.extend(config.lambdas.iter().filter(|&&l| l > 0.0).map(|&l| (high, l)));
    let mut rows = Vec::new();
    let mut curves = Vec::new();
    let mut history = Vec::new();
    for (degree, lambda) in jobs {
        let (train, valid) = (Split::new(&xt, &yt, degree), Split::new(&xv, &yv, degree));
        let record = degree == high && lambda == 0.0 && history.is_empty();
        let poly = fit(config, &train, &valid, lambda, record.then_some(&mut history))?;
        let row = FitRow {
            degree,
            lambda,
            train_mse: poly.mse(&train.features, &train.targets),
            valid_mse: poly.mse(&valid.features, &valid.targets),
            weight_norm_sq: poly.weight_norm_sq(),
        };
        // The last step's update may overflow after a finite loss.
        if let Some(value) = [row.train_mse, row.valid_mse].into_iter().find(|v| !v.is_finite()) {
            return Err(OverfitError::Diverged { degree, lambda, step: config.epochs, value, lr: config.lr });
        }
        rows.push(row);
        let yg = poly.predict(&poly_features(&grid, degree)).to_vec();
        curves.push(grid.iter().copied().zip(yg).collect());
    }
    Ok(OverfitReport {
        config: config.clone(),
        train: xt.into_iter().zip(yt).collect(),
        valid: xv.into_iter().zip(yv).collect(),
        rows,
        curves,
        history,
    })
}

#[derive(Clone, Copy, ValueEnum)]
enum MethodArg {
    /// Plain full-batch gradient descent (slow on high degrees).
    Gd,
    /// Full-batch Adam.
    Adam,
}

#[derive(Parser)]
#[command(about = "Underfitting, overfitting and L2 regularization on a polynomial regression")]
struct Args {
    /// Training points.
    #[arg(long, default_value_t = 15, value_parser = flags::count)]
    train: usize,
    /// Validation points.
    #[arg(long, default_value_t = 200, value_parser = flags::count)]
    valid: usize,
    /// Standard deviation of the noise on sin(pi x).
    #[arg(long, default_value_t = 0.2, value_parser = flags::non_negative)]
    noise: f64,
    /// Seed of the data.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Polynomial degrees, comma-separated; the largest is also regularized.
    #[arg(long, value_delimiter = ',', default_value = "1,3,12")]
    degrees: Vec<usize>,
    /// L2 strengths tried on the largest degree, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1e-4,1e-3,1e-2,1e-1", value_parser = flags::non_negative)]
    lambdas: Vec<f64>,
    /// Full-batch steps per fit.
    #[arg(long, default_value_t = 30_000, value_parser = flags::count)]
    epochs: usize,
    /// Learning rate.
    #[arg(long, default_value_t = 0.3, value_parser = flags::learning_rate)]
    lr: f64,
    /// Momentum of gradient descent (0: plain; ignored by Adam).
    #[arg(long, default_value_t = 0.9, value_parser = flags::momentum)]
    momentum: f64,
    /// Optimizer.
    #[arg(long, value_enum, default_value = "gd")]
    method: MethodArg,
    /// Folder for the plots.
    #[arg(long, default_value = "out/overfitting")]
    out: PathBuf,
}

fn main() {
    cli::run(|| run_example(Args::parse()))
}

fn run_example(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    cli::create_out_dir(&args.out)?;
    let config = OverfitConfig {
        n_train: args.train,
        n_valid: args.valid,
        noise: args.noise,
        seed: args.seed,
        degrees: args.degrees,
        lambdas: args.lambdas,
        epochs: args.epochs,
        lr: args.lr,
        method: match args.method {
            MethodArg::Gd => Method::Gd { momentum: args.momentum },
            MethodArg::Adam => Method::Adam,
        },
    };
    let start = Instant::now();
    let report = run(&config)?;
    outln!(
        "y = sin(pi x) + N(0, {}^2); {} training and {} validation points; {} full-batch steps of {}, lr {}\n",
        config.noise,
        config.n_train,
        config.n_valid,
        config.epochs,
        config.method,
        config.lr
    )?;
    out!("{}", report.table())?;
    outln!("(even the true function has a validation MSE of about noise^2 = {:.4})", config.noise * config.noise)?;
    let high = config.high_degree();
    if let Some(best) = report.best_lambda() {
        outln!("\nbest lambda for degree {high} on the validation set: {}", best.lambda)?;
    }
    let moderate = config.degrees.iter().copied().filter(|&d| d < high).max();
    if let (Some(h), Some(m)) = (report.unregularized(high), moderate.and_then(|d| report.unregularized(d))) {
        let overfits = h.train_mse < m.train_mse && h.valid_mse > m.valid_mse;
        outln!(
            "degree {high} vs degree {}: train MSE {:.4} vs {:.4}, validation MSE {:.4} vs {:.4} -> {}",
            m.degree,
            h.train_mse,
            m.train_mse,
            h.valid_mse,
            m.valid_mse,
            if overfits { "overfitting" } else { "no overfitting with these settings" }
        )?;
    }
    if let (Some((epoch, best)), Some(last)) = (report.best_epoch(), report.history.last()) {
        outln!(
            "degree {high} without L2: validation MSE lowest ({best:.4}) at epoch {epoch}, {:.4} at the end \
             (epoch {}) while the training MSE kept falling to {:.4}",
            last.2,
            last.0,
            last.1
        )?;
    }
    let files = write_plots(&report, &args.out)?;
    outln!("\n{} plots written to {} in {:.1}s", files.len(), args.out.display(), start.elapsed().as_secs_f64())?;
    Ok(())
}
