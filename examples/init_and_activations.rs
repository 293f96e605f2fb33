//! The same MLP (784-64-64-10) trained from zero, small-normal,
//! large-normal, the course's Glorot (`U(-1/sqrt(n), 1/sqrt(n))`), Glorot
//! and He weights, with sigmoid and with ReLU hidden units: test accuracy,
//! gradient norms by layer, dead and saturated units, and the symmetry that
//! zero initialization never breaks, in one table and one figure.
//!
//! ```text
//! cargo run --release --example init_and_activations -- [--epochs 3] [--train-limit 10000] \
//!     [--hidden 64,64] [--inits zero,small,large,glorot-course,glorot,he] [--activations sigmoid,relu]
//! ```

use sinapse::prelude::*;
use sinapse_examples::cli;
use sinapse_examples::diagnostics::init_and_activations::{
    self as study, build_mlp, summarize, HiddenActivation, InitActivationsArgs, InitChoice, Outcome, RunSummary,
    DEFAULTS,
};
use sinapse_examples::diagnostics::Diagnostics;
use sinapse_examples::error::ExampleError;
use std::path::PathBuf;
use std::time::Instant;

/// The program: every initialization with every hidden activation, then
/// the table and the figure.
pub fn program(args: &InitActivationsArgs) -> Result<Outcome, ExampleError> {
    let splits = study::prepare(args)?;
    let (train, test) = study::sources(args, &splits)?;
    let began = Instant::now();
    let mut files = Vec::new();
    let mut runs = Vec::new();
    for &activation in &args.activations {
        for &init in &args.inits {
            let run = train_one(args, init, activation, &train, &test, &mut files)?;
            study::print_run(args, &run)?;
            runs.push(run);
        }
    }
    study::report(args, runs, files, began)
}

/// Trains the MLP from one initialization with one hidden activation,
/// watched by [`Diagnostics`] (gradient norms by layer, dead and saturated
/// units), and writes the diagnostics into `out/<init>-<activation>/`.
fn train_one(
    args: &InitActivationsArgs,
    init: InitChoice,
    activation: HiddenActivation,
    train: &MnistSource<'_>,
    test: &MnistSource<'_>,
    files: &mut Vec<PathBuf>,
) -> Result<RunSummary, ExampleError> {
    let c = &args.common;
    let net = build_mlp(&args.hidden, init.init(), activation.activation(), c.seed);
    let mut model = Model::new(net);
    model.compile(Sgd::new(c.lr), Loss::CategoricalCrossEntropy, &[Metric::Accuracy]);
    let before = model.evaluate_source(test, 1000).accuracy().unwrap_or(0.0);
    let mut diagnostics = Diagnostics::from_source(train, args.probe);
    let config = FitConfig::new(DEFAULTS.epochs(c)).batch_size(c.batch_size).seed(c.seed).verbose(0);
    let history = model.fit_source(train, Some(test), &config, &mut [&mut diagnostics])?;
    let seconds = history.epochs.iter().map(|e| e.seconds).sum();
    let mut accuracy = vec![before];
    accuracy.extend(history.series("val_accuracy").unwrap_or_default());
    let summary = summarize(init, activation, accuracy, &diagnostics, seconds);
    files.extend(diagnostics.write(&c.out.join(summary.label()))?);
    Ok(summary)
}

fn main() {
    cli::run(|| {
        let args: InitActivationsArgs = cli::parse(
            "Zero, small, large, course Glorot, Glorot and He initialization with sigmoid and ReLU hidden units",
            DEFAULTS,
        );
        program(&args).map(|_| ())
    });
}
