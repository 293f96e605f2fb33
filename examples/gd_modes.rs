//! The course's three regimes of gradient descent on the same network, the
//! same data and the same wall-clock budget: batch (one update per pass over
//! the training set), stochastic (one update per image) and minibatch. The
//! loss curves against time, epochs and updates go side by side into
//! `gd_modes.png`.
//!
//! ```text
//! cargo run --release --example gd_modes -- [--seconds 20] [--net perceptron|mlp] [--batch-size 64] [--lr 0.1]
//! ```
//!
//! Every regime starts from the same weights. The loss is measured on a
//! fixed set of training images at regular intervals; the time spent
//! measuring is not charged to the budget.

use sinapse::optim::{accumulate_gradients, GdMode};
use sinapse::prelude::*;
use sinapse::train::epoch_order;
use sinapse_examples::cli::{self, DatasetChoice, Defaults};
use sinapse_examples::error::ExampleError;
use sinapse_examples::gd_modes::{self as regimes, mode_name, Curve, GdModesArgs, Point};
use std::time::{Duration, Instant};

/// Training time between two measurements: often enough for a smooth
/// curve, rarely enough to keep measuring cheap.
const MEASURE_EVERY: Duration = Duration::from_millis(400);

/// The program: each regime in turn, then the picture.
pub fn program(args: &GdModesArgs) -> Result<Vec<Curve>, ExampleError> {
    let splits = regimes::prepare(args)?;
    let (train, monitor) = regimes::sources(args, &splits)?;
    let mut curves = Vec::new();
    for mode in [GdMode::Batch, GdMode::Stochastic, GdMode::Minibatch(args.common.batch_size)] {
        regimes::announce(args, mode)?;
        let curve = train_for_the_budget(mode, args, &train, &monitor);
        regimes::print_end(&curve, monitor.len())?;
        curves.push(curve);
    }
    regimes::write_report(args, &curves)?;
    Ok(curves)
}

/// Trains one regime for `--seconds` and returns its loss curve.
///
/// In every regime an update is `W <- W - lr * (1/n) sum over its n examples
/// of dE/dW`: all N images (batch), one (stochastic) or `--batch-size`
/// (minibatch). A batch update is accumulated 1,000 images at a time, so its
/// memory stays bounded.
fn train_for_the_budget(mode: GdMode, args: &GdModesArgs, train: &MnistSource<'_>, monitor: &MnistSource<'_>) -> Curve {
    let arch = regimes::arch(args);
    // The Model measures (evaluate); the updates are written out by hand
    // with the optimizer below, to measure in the middle of an epoch.
    let mut model = Model::from_module(arch.build(args.common.seed));
    model.compile(Sgd::<f32>::new(args.common.lr), arch.loss(), &[Metric::Accuracy]);
    let mut opt = Sgd::<f32>::new(args.common.lr);
    let n = train.len();
    let budget = Duration::from_secs_f64(args.seconds);
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
            // dE/dW summed over the update's examples, chunk by chunk.
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

fn main() {
    let defaults = Defaults {
        epochs: 1000,
        fashion_epochs: None,
        dataset: DatasetChoice::Mnist,
        batch_size: 64,
        lr: 0.1,
        name: "gd_modes",
    };
    cli::run(|| {
        let args: GdModesArgs =
            cli::parse("Batch vs stochastic vs minibatch gradient descent under one time budget", defaults);
        program(&args).map(|_| ())
    });
}
