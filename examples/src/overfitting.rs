//! Regression and overfitting: polynomials of several degrees fitted by
//! gradient descent to a small noisy sample of `y = sin(pi x)`, with and
//! without the course's L2 penalty `lambda/2 ||W||^2`.
//!
//! A class label is one of a few categories (cross-entropy loss); a
//! regression target is a real number, and the loss is the mean squared
//! error `L = (1/n) sum_i (y_hat_i - y_i)^2`. The model is the course's
//! linear unit on polynomial features,
//! `y_hat = b + w_1 x + w_2 x^2 + ... + w_d x^d`, i.e. a `Linear` layer
//! `d -> 1` on the feature vector `(x, x^2, ..., x^d)`.
//!
//! The fits themselves are in `examples/overfitting.rs`; this module holds
//! the settings, the data, the report's table and [`write_plots`].

use crate::flags;
use crate::plots::{line_chart, scatter_and_curves, PlotError, Series};
use sinapse_tensor::{seeded_rng, Tensor};
use std::f64::consts::PI;
use std::path::{Path, PathBuf};

/// What can be wrong with an [`OverfitConfig`] (they come from the command
/// line), or with drawing the results.
#[derive(Debug, thiserror::Error)]
pub enum OverfitError {
    /// A setting out of its range; the message names the flag.
    #[error("invalid setting: {0}")]
    Config(String),
    /// A plot could not be written.
    #[error(transparent)]
    Plot(#[from] PlotError),
    /// A fit's loss stopped being a finite number: no table or conclusion
    /// drawn from it would mean anything.
    #[error(
        "the fit of degree {degree} (lambda {lambda}) diverged at step {step}: its training MSE became {value} \
         with learning rate {lr}; lower --lr"
    )]
    Diverged {
        /// The polynomial's degree.
        degree: usize,
        /// Its L2 strength.
        lambda: f64,
        /// The full-batch step at which the loss was not finite (from 1).
        step: usize,
        /// The loss.
        value: f64,
        /// The learning rate.
        lr: f64,
    },
}

/// How the weights are fitted (both full batch: every step sees all the
/// training points).
///
/// The powers `x, x^2, ..., x^12` are strongly correlated on `[-1, 1]`, so
/// the loss surface is a long narrow valley: plain gradient descent fits the
/// low-order shape in a few hundred steps but needs about 10^5 steps for the
/// high-order terms that chase the noise. Momentum (the default, 0.9) gets
/// there in 3 * 10^4.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Method {
    /// Gradient descent `W <- W - lr (dL/dW + lambda W)` ([`Sgd`](sinapse_optim::Sgd) on the
    /// full batch), with heavy-ball momentum `mu` when `mu > 0`
    /// (`v <- mu v + g`, `W <- W - lr v`).
    Gd {
        /// Momentum `mu` in `[0, 1)`; 0 is plain gradient descent.
        momentum: f64,
    },
    /// [`Adam`](sinapse_optim::Adam) with the same L2 term added to the gradient. It fits the
    /// high-degree terms in fewer steps than plain gradient descent, but
    /// its validation curve oscillates more.
    Adam,
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Method::Gd { momentum } if *momentum > 0.0 => write!(f, "gradient descent with momentum {momentum}"),
            Method::Gd { .. } => write!(f, "plain gradient descent"),
            Method::Adam => write!(f, "Adam"),
        }
    }
}

/// Settings of the experiment.
#[derive(Clone, Debug)]
pub struct OverfitConfig {
    /// Training points (the smaller, the easier it is to overfit).
    pub n_train: usize,
    /// Validation points, drawn from the same distribution.
    pub n_valid: usize,
    /// Standard deviation of the Gaussian noise added to `sin(pi x)`.
    pub noise: f64,
    /// Seed of the data and of nothing else (weights start at zero).
    pub seed: u64,
    /// Polynomial degrees fitted without regularization; the largest one
    /// is also fitted with each of `lambdas`.
    pub degrees: Vec<usize>,
    /// L2 strengths tried on the largest degree, each for `mse + lambda/2 ||W||^2`.
    /// `mse` is twice the course's `(1/n) sum 1/2 (y_hat - y)^2` (one output),
    /// so the same fit under the course's loss has half the lambda: `1e-3` is `5e-4` there.
    pub lambdas: Vec<f64>,
    /// Full-batch steps per fit.
    pub epochs: usize,
    /// Learning rate.
    pub lr: f64,
    /// Optimizer.
    pub method: Method,
}

impl Default for OverfitConfig {
    fn default() -> Self {
        OverfitConfig {
            n_train: 15,
            n_valid: 200,
            noise: 0.2,
            seed: 7,
            degrees: vec![1, 3, 12],
            lambdas: vec![1e-4, 1e-3, 1e-2, 1e-1],
            epochs: 30_000,
            lr: 0.3,
            method: Method::Gd { momentum: 0.9 },
        }
    }
}

impl OverfitConfig {
    /// Checks the settings (they come from the command line).
    ///
    /// # Errors
    /// [`OverfitError::Config`] naming the flag out of range.
    pub fn check(&self) -> Result<(), OverfitError> {
        let bad = |m: String| Err(OverfitError::Config(m));
        if self.n_train < 2 || self.n_valid < 1 {
            return bad(format!(
                "--train must be at least 2 and --valid at least 1 (got {} and {})",
                self.n_train, self.n_valid
            ));
        }
        if self.degrees.is_empty() || self.degrees.iter().any(|&d| d == 0 || d > 30) {
            return bad(format!("--degrees must list degrees between 1 and 30, got {:?}", self.degrees));
        }
        let momentum = match self.method {
            Method::Gd { momentum } => flags::check_momentum(momentum),
            Method::Adam => Ok(()),
        };
        let checks = self.lambdas.iter().map(|&l| ("--lambdas", flags::check_non_negative(l))).chain([
            ("--noise", flags::check_non_negative(self.noise)),
            ("--momentum", momentum),
            ("--lr", flags::check_learning_rate(self.lr)),
            ("--epochs", flags::check_count(self.epochs)),
        ]);
        for (flag, check) in checks {
            check.map_err(|problem| OverfitError::Config(format!("{flag} {problem}")))?;
        }
        Ok(())
    }

    /// The largest degree, the one that overfits.
    pub fn high_degree(&self) -> usize {
        self.degrees.iter().copied().max().unwrap_or(1)
    }
}

/// The function the data come from, `f(x) = sin(pi x)`.
pub fn truth(x: f64) -> f64 {
    (PI * x).sin()
}

/// A data set of `n` points: `x` uniform in `[-1, 1]`,
/// `y = sin(pi x) + noise * N(0, 1)`, from `seed`. Returns `(x, y)`.
pub fn sample(n: usize, noise: f64, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = seeded_rng(seed);
    let x = Tensor::<f64>::rand_uniform(&[n], -1.0, 1.0, &mut rng).to_vec();
    let eps = Tensor::<f64>::rand_normal(&[n], 0.0, 1.0, &mut rng).to_vec();
    let y = x.iter().zip(&eps).map(|(&x, &e)| truth(x) + noise * e).collect();
    (x, y)
}

/// Polynomial features `phi(x) = (x, x^2, ..., x^d)`, one row per point:
/// `[n, d]`.
///
/// `x` should lie in `[-1, 1]`: there every power stays in `[-1, 1]`, so all
/// features have a comparable scale. On raw inputs such as `x = 10`,
/// `x^12 = 10^12` would dwarf `x` and no single learning rate would suit
/// both weights. (Rescale first: `x' = 2 (x - lo) / (hi - lo) - 1`.)
pub fn poly_features(x: &[f64], degree: usize) -> Tensor<f64> {
    Tensor::from_fn(&[x.len(), degree], |i| x[i[0]].powi(i[1] as i32 + 1))
}

/// One line of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct FitRow {
    /// Polynomial degree `d`.
    pub degree: usize,
    /// L2 strength `lambda` (0: none).
    pub lambda: f64,
    /// MSE on the training points (without the penalty).
    pub train_mse: f64,
    /// MSE on the validation points.
    pub valid_mse: f64,
    /// `||W||^2` of the fitted weights (bias excluded).
    pub weight_norm_sq: f64,
}

/// Everything [`run`](crate::programs::overfitting::run) measured.
#[derive(Clone, Debug)]
pub struct OverfitReport {
    /// The settings used.
    pub config: OverfitConfig,
    /// Training points `(x, y)`.
    pub train: Vec<(f64, f64)>,
    /// Validation points `(x, y)`.
    pub valid: Vec<(f64, f64)>,
    /// One row per fit: each degree with `lambda = 0`, then the largest
    /// degree with each lambda.
    pub rows: Vec<FitRow>,
    /// Fitted curve of each row, sampled on `[-1, 1]`, in the order of `rows`.
    pub curves: Vec<Vec<(f64, f64)>>,
    /// `(epoch, train MSE, validation MSE)` during the unregularized fit of
    /// the largest degree, at roughly log-spaced epochs.
    pub history: Vec<(usize, f64, f64)>,
}

impl OverfitReport {
    /// The row with the lowest validation MSE among the regularized fits of
    /// the largest degree (and its `lambda = 0` fit).
    pub fn best_lambda(&self) -> Option<&FitRow> {
        let d = self.config.high_degree();
        self.rows.iter().filter(|r| r.degree == d).min_by(|a, b| a.valid_mse.total_cmp(&b.valid_mse))
    }

    /// The unregularized row of degree `d`.
    pub fn unregularized(&self, d: usize) -> Option<&FitRow> {
        self.rows.iter().find(|r| r.degree == d && r.lambda == 0.0)
    }

    /// The epoch of the unregularized largest-degree fit at which the
    /// validation MSE was lowest, and that MSE (where early stopping would
    /// have stopped, as far as the recorded epochs tell).
    pub fn best_epoch(&self) -> Option<(usize, f64)> {
        self.history.iter().min_by(|a, b| a.2.total_cmp(&b.2)).map(|h| (h.0, h.2))
    }

    /// The table as text: degree, lambda, train MSE, validation MSE, `||W||^2`.
    pub fn table(&self) -> String {
        let mut s =
            format!("{:>6} {:>8} {:>11} {:>11} {:>12}\n", "degree", "lambda", "train MSE", "valid MSE", "||W||^2");
        for r in &self.rows {
            s += &format!(
                "{:>6} {:>8} {:>11.5} {:>11.5} {:>12.4e}\n",
                r.degree,
                fmt_lambda(r.lambda),
                r.train_mse,
                r.valid_mse,
                r.weight_norm_sq
            );
        }
        s
    }
}

fn fmt_lambda(l: f64) -> String {
    if l == 0.0 {
        "0".into()
    } else {
        format!("{l:.0e}")
    }
}

/// Epochs at which the history is recorded: 1, 2, ... then roughly
/// log-spaced (about 40 per decade), always including the last.
pub fn record_epochs(epochs: usize) -> Vec<usize> {
    let mut out: Vec<usize> = (0..=400).map(|k| (10f64.powf(k as f64 / 40.0)).round() as usize).collect();
    out.retain(|&e| e <= epochs);
    out.push(epochs);
    out.dedup();
    out
}

/// Draws the figures into `out` and returns their paths:
/// - `fits.png`: the data and the unregularized fit of each degree;
/// - `l2_fits.png`: the largest degree with each lambda;
/// - `loss_vs_epoch.png`: train and validation MSE while the largest degree
///   is fitted without penalty (log scales);
/// - `loss_vs_lambda.png`: train and validation MSE of the largest degree
///   against `log10(lambda)`.
///
/// # Errors
/// [`OverfitError::Plot`] if a file cannot be written.
pub fn write_plots(report: &OverfitReport, out: &Path) -> Result<Vec<PathBuf>, OverfitError> {
    let truth_curve: Vec<(f64, f64)> = (0..=300)
        .map(|i| {
            let x = -1.0 + 2.0 * i as f64 / 300.0;
            (x, truth(x))
        })
        .collect();
    let points = [
        Series { name: format!("train ({} points)", report.train.len()), points: report.train.clone(), dashed: false },
        Series {
            name: format!("validation ({} points)", report.valid.len()),
            points: report.valid.clone(),
            dashed: false,
        },
    ];
    let high = report.config.high_degree();
    let curve_series = |keep: &dyn Fn(&FitRow) -> bool| {
        let mut s = vec![Series { name: "sin(pi x), the truth".into(), points: truth_curve.clone(), dashed: false }];
        for (r, c) in report.rows.iter().zip(&report.curves) {
            if keep(r) {
                s.push(Series {
                    name: format!("degree {}, lambda {}", r.degree, fmt_lambda(r.lambda)),
                    points: c.clone(),
                    dashed: false,
                });
            }
        }
        s
    };
    let mut files = Vec::new();
    let file = out.join("fits.png");
    scatter_and_curves(
        &file,
        "Polynomial fits without regularization",
        "x",
        "y",
        &points,
        &curve_series(&|r| r.lambda == 0.0),
        (-2.0, 2.0),
    )?;
    files.push(file);
    let file = out.join("l2_fits.png");
    scatter_and_curves(
        &file,
        &format!("Degree {high} with L2 regularization"),
        "x",
        "y",
        &points,
        &curve_series(&|r| r.degree == high),
        (-2.0, 2.0),
    )?;
    files.push(file);

    let file = out.join("loss_vs_epoch.png");
    let log_e = |e: usize| (e as f64).log10();
    line_chart(
        &file,
        &format!("Degree {high}, no regularization: training vs validation"),
        "log10(epoch)",
        "MSE (log scale)",
        &[
            Series {
                name: "train MSE".into(),
                points: report.history.iter().map(|h| (log_e(h.0), h.1)).collect(),
                dashed: false,
            },
            Series {
                name: "validation MSE".into(),
                points: report.history.iter().map(|h| (log_e(h.0), h.2)).collect(),
                dashed: false,
            },
        ],
        true,
    )?;
    files.push(file);

    let regularized: Vec<&FitRow> = report.rows.iter().filter(|r| r.degree == high && r.lambda > 0.0).collect();
    if !regularized.is_empty() {
        let file = out.join("loss_vs_lambda.png");
        let pts = |f: fn(&FitRow) -> f64| regularized.iter().map(|r| (r.lambda.log10(), f(r))).collect();
        line_chart(
            &file,
            &format!("Degree {high}: MSE against the L2 strength"),
            "log10(lambda)",
            "MSE",
            &[
                Series { name: "train MSE".into(), points: pts(|r| r.train_mse), dashed: false },
                Series { name: "validation MSE".into(), points: pts(|r| r.valid_mse), dashed: false },
            ],
            false,
        )?;
        files.push(file);
    }
    Ok(files)
}
