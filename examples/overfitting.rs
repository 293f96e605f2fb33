//! Regression and overfitting: polynomial fits of degrees 1, 3 and 12 to 15
//! noisy samples of sin(pi x), by full-batch gradient descent (with
//! momentum) on the mean squared error, then the degree-12 fit tamed by the
//! L2 penalty lambda/2 ||W||^2.
//!
//! ```text
//! cargo run --release --example overfitting -- --out out/overfitting
//! ```

use clap::{Parser, ValueEnum};
use sinapse_examples::overfitting::{run, write_plots, Method, OverfitConfig};
use sinapse_examples::{cli, flags};
use sinapse_examples::{out, outln};
use std::path::PathBuf;
use std::time::Instant;

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
