//! What the `gd_modes` example shares with the others: its flags, its data,
//! its console lines and its picture. The regimes themselves are trained in
//! `examples/gd_modes.rs`.

use crate::charts::{line_panels, Panel};
use crate::cli::CommonArgs;
use crate::error::ExampleError;
use crate::flags;
use crate::mnist::{MnistSource, Splits};
use crate::models::Arch;
use crate::outln;
use crate::plots::Series;
use crate::report::write_json;
use clap::Parser;
use serde::Serialize;
use sinapse_optim::GdMode;
use sinapse_train::BatchSource;
use std::path::PathBuf;

/// Flags of the `gd_modes` example (`--epochs` caps the passes per regime).
#[derive(Clone, Debug, Parser)]
#[command(about = "Batch vs stochastic vs minibatch gradient descent under the same time budget")]
pub struct GdModesArgs {
    /// The shared flags (`--batch-size` is the minibatch size).
    #[command(flatten)]
    pub common: CommonArgs,
    /// Wall-clock seconds of training per regime.
    #[arg(long, default_value_t = 20.0, value_parser = flags::seconds)]
    pub seconds: f64,
    /// The network: `perceptron` or `mlp`.
    #[arg(long, default_value = "perceptron", value_parser = ["perceptron", "mlp"])]
    pub net: String,
    /// Training images on which the loss is measured.
    #[arg(long, default_value_t = 5000, value_parser = flags::count)]
    pub monitor: usize,
}

impl GdModesArgs {
    /// The cap on passes per regime: `--epochs`, else 1,000 (the time
    /// budget ends the run first).
    pub fn max_epochs(&self) -> usize {
        self.common.epochs.unwrap_or(1000)
    }
}

/// One measurement of a regime.
#[derive(Clone, Debug, Serialize)]
pub struct Point {
    /// Training seconds so far (measurements excluded).
    pub seconds: f64,
    /// Updates so far.
    pub updates: usize,
    /// Passes over the training set so far (examples seen / N).
    pub epochs: f64,
    /// Mean loss on the monitoring images.
    pub loss: f64,
    /// Accuracy on the monitoring images.
    pub accuracy: f64,
}

/// The curve of one regime.
#[derive(Clone, Debug, Serialize)]
pub struct Curve {
    /// `batch`, `stochastic` or `minibatch(64)`.
    pub mode: String,
    /// Measurements, in time order (the first one before any update).
    pub points: Vec<Point>,
}

/// `batch`, `stochastic` or `minibatch(64)`.
pub fn mode_name(mode: GdMode) -> String {
    match mode {
        GdMode::Batch => "batch".into(),
        GdMode::Stochastic => "stochastic".into(),
        GdMode::Minibatch(b) => format!("minibatch({b})"),
    }
}

/// The network `--net` names: the perceptron or the MLP.
pub fn arch(args: &GdModesArgs) -> Arch {
    if args.net == "mlp" {
        Arch::Mlp
    } else {
        Arch::Perceptron
    }
}

/// Checks the flags, sets the thread count, loads the data set and creates
/// `--out`.
///
/// # Errors
/// When a flag cannot be used, the data cannot be read or the folder made.
pub fn prepare(args: &GdModesArgs) -> Result<Splits, ExampleError> {
    let c = &args.common;
    c.validate()?;
    if !(args.seconds.is_finite() && args.seconds > 0.0) {
        return Err(ExampleError::Usage(format!("--seconds must be a positive number, got {}", args.seconds)));
    }
    crate::cli::set_threads(c.threads);
    let splits = Splits::load(c)?;
    splits.train_subset(c.train_limit)?;
    std::fs::create_dir_all(&c.out).map_err(|e| ExampleError::io(&c.out, e))?;
    Ok(splits)
}

/// The training images (`--train-limit`), and the first `--monitor` of them,
/// on which the loss is measured, in the layout of the network.
///
/// # Errors
/// When `--train-limit` is larger than the training set.
pub fn sources<'a>(args: &GdModesArgs, splits: &'a Splits) -> Result<(MnistSource<'a>, MnistSource<'a>), ExampleError> {
    let layout = arch(args).layout();
    let train = MnistSource::new(splits.train_subset(args.common.train_limit)?, layout);
    let watched = args.monitor.clamp(1, train.len());
    Ok((train, MnistSource::new(splits.train_subset(Some(watched))?, layout)))
}

/// Prints, unless `--quiet`, that `mode` starts.
///
/// # Errors
/// When the console cannot be written.
pub fn announce(args: &GdModesArgs, mode: GdMode) -> Result<(), ExampleError> {
    if !args.common.quiet {
        outln!("{}: training for {} s (at most {} epochs) ...", mode_name(mode), args.seconds, args.max_epochs())?;
    }
    Ok(())
}

/// Prints where `curve` ended: updates, epochs, loss and accuracy on the
/// `watched` monitoring images.
///
/// # Errors
/// When the console cannot be written.
pub fn print_end(curve: &Curve, watched: usize) -> Result<(), ExampleError> {
    let last = curve.points.last().expect("measured at least once");
    outln!(
        "{:<16} {:>8} updates  {:>7.3} epochs  loss {:.4}  accuracy {:.4} (on {} training images)",
        curve.mode,
        last.updates,
        last.epochs,
        last.loss,
        last.accuracy,
        watched
    )?;
    Ok(())
}

/// Draws `gd_modes.png` (the loss against time, epochs and updates) and
/// writes `gd_modes.json` into `--out`.
///
/// # Errors
/// When a file or the console cannot be written.
pub fn write_report(args: &GdModesArgs, curves: &[Curve]) -> Result<(), ExampleError> {
    let c = &args.common;
    let arch = arch(args);
    let series = |x: fn(&Point) -> f64| -> Vec<Series> {
        curves
            .iter()
            .map(|c| Series {
                name: c.mode.clone(),
                points: c.points.iter().map(|p| (x(p), p.loss)).collect(),
                dashed: false,
            })
            .collect()
    };
    let (by_time, by_epoch, by_update) = (series(|p| p.seconds), series(|p| p.epochs), series(|p| p.updates as f64));
    let loss_name = match arch.loss() {
        sinapse_nn::Loss::MeanSquaredError => "mean squared error",
        _ => "cross-entropy",
    };
    let path: PathBuf = c.out.join("gd_modes.png");
    let title = format!(
        "{} on {}: gradient-descent regimes, {} s each, lr {}",
        arch.name(),
        c.dataset.name(),
        args.seconds,
        c.lr
    );
    line_panels(
        &path,
        &title,
        &[
            Panel {
                title: "loss vs wall-clock time",
                x_label: "training seconds",
                y_label: loss_name,
                series: &by_time,
                log_x: false,
            },
            Panel {
                title: "loss vs epochs",
                x_label: "passes over the training set",
                y_label: loss_name,
                series: &by_epoch,
                log_x: true,
            },
            Panel {
                title: "loss vs updates",
                x_label: "parameter updates",
                y_label: loss_name,
                series: &by_update,
                log_x: true,
            },
        ],
    )?;
    write_json(&c.out.join("gd_modes.json"), &curves)?;
    if !c.quiet {
        outln!("wrote {} and gd_modes.json", path.display())?;
    }
    Ok(())
}
