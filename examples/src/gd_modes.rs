//! The course's three regimes of gradient descent on the same network, the
//! same data and the same wall-clock budget: batch (one update per pass over
//! the training set), stochastic (one update per image) and minibatch.
//!
//! Every regime starts from the same weights. The loss is measured on a
//! fixed set of training images at regular intervals; the time spent
//! measuring is not charged to the budget.

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
use sinapse_autograd::Var;
use sinapse_optim::{accumulate_gradients, GdMode, Sgd};
use sinapse_train::{epoch_order, BatchSource, Metric, Model, StepModule};
use std::path::PathBuf;
use std::time::{Duration, Instant};

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

/// Training time between two measurements: often enough for a smooth
/// curve, rarely enough to keep measuring cheap.
const MEASURE_EVERY: Duration = Duration::from_millis(400);

/// Trains one regime for `budget` and returns its curve.
fn train_mode(
    arch: Arch,
    mode: GdMode,
    args: &GdModesArgs,
    train: &MnistSource<'_>,
    monitor: &MnistSource<'_>,
) -> Curve {
    // The Model measures (evaluate); the updates are written out by hand
    // with the optimizer below, to measure in the middle of an epoch.
    let mut model = Model::from_module(arch.build(args.common.seed));
    model.compile(Sgd::<f32>::new(args.common.lr), arch.loss(), &[Metric::Accuracy]);
    let mut opt = Sgd::<f32>::new(args.common.lr);
    let n = train.len();
    let budget = Duration::from_secs_f64(args.seconds.max(0.0));
    let mut curve = Curve { mode: mode_name(mode), points: Vec::new() };
    let measure = |model: &mut Model<f32>, seconds: f64, updates: usize, seen: usize| {
        let e = model.evaluate_source(monitor, 1000);
        Point { seconds, updates, epochs: seen as f64 / n as f64, loss: e.loss, accuracy: e.accuracy().unwrap_or(0.0) }
    };
    curve.points.push(measure(&mut model, 0.0, 0, 0));
    let (mut trained, mut updates, mut seen) = (Duration::ZERO, 0, 0);
    let mut since_measure = Duration::ZERO;
    'epochs: for epoch in 0..args.max_epochs() {
        let order = epoch_order(n, true, args.common.seed, epoch);
        for update in mode.plan_epoch(n, false, 1000) {
            let began = Instant::now();
            let (_, grads) = accumulate_gradients(&update.chunks, |r| {
                let (x, y) = train.batch(&order[r]);
                arch.loss().compute(&model.module().forward(&Var::constant(x)), &y)
            });
            opt.step(model.module_mut(), &grads);
            let spent = began.elapsed();
            trained += spent;
            since_measure += spent;
            updates += 1;
            seen += update.examples.len();
            if since_measure >= MEASURE_EVERY || trained >= budget {
                since_measure = Duration::ZERO;
                curve.points.push(measure(&mut model, trained.as_secs_f64(), updates, seen));
            }
            if trained >= budget {
                break 'epochs;
            }
        }
    }
    if curve.points.last().is_some_and(|p| p.updates != updates) {
        curve.points.push(measure(&mut model, trained.as_secs_f64(), updates, seen));
    }
    curve
}

fn mode_name(mode: GdMode) -> String {
    match mode {
        GdMode::Batch => "batch".into(),
        GdMode::Stochastic => "stochastic".into(),
        GdMode::Minibatch(b) => format!("minibatch({b})"),
    }
}

/// Runs the three regimes and writes `gd_modes.png` and `gd_modes.json`
/// into `--out`. Returns the curves.
pub fn run(args: &GdModesArgs) -> Result<Vec<Curve>, ExampleError> {
    let c = &args.common;
    c.validate()?;
    if !(args.seconds.is_finite() && args.seconds > 0.0) {
        return Err(ExampleError::Usage(format!("--seconds must be a positive number, got {}", args.seconds)));
    }
    crate::cli::set_threads(c.threads);
    let arch = if args.net == "mlp" { Arch::Mlp } else { Arch::Perceptron };
    let splits = Splits::load(c)?;
    let train = MnistSource::new(splits.train_subset(c.train_limit)?, arch.layout());
    let watched = args.monitor.clamp(1, train.len());
    let monitor = MnistSource::new(splits.train_subset(Some(watched))?, arch.layout());
    std::fs::create_dir_all(&c.out).map_err(|e| ExampleError::io(&c.out, e))?;
    let modes = [GdMode::Batch, GdMode::Stochastic, GdMode::Minibatch(c.batch_size)];
    let mut curves = Vec::new();
    for mode in modes {
        if !c.quiet {
            outln!("{}: training for {} s (at most {} epochs) ...", mode_name(mode), args.seconds, args.max_epochs())?;
        }
        let curve = train_mode(arch, mode, args, &train, &monitor);
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
        curves.push(curve);
    }
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
    Ok(curves)
}
