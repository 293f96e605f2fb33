//! The `init_and_activations` example: one MLP trained from zero,
//! small-normal (std 0.01), large-normal (std 1), the course's Glorot
//! (`1/sqrt(fan_in)`), Glorot and He weights, with sigmoid or ReLU hidden
//! units, each run watched by [`Diagnostics`].
//!
//! The network is `784 -> 64 -> 64 -> 10` by default: two hidden layers, so
//! the first layer's gradient has gone back through two activation
//! derivatives (`s'(z) <= 1/4` for the sigmoid) and two weight matrices,
//! which is where vanishing gradients show; with one hidden layer the
//! effect is a single factor and barely visible. 64 units keep the twelve
//! runs under a minute on two cores.

use super::figures::{line_grid, LinePanel, YAxis};
use super::{Diagnostics, Snapshot};
use crate::cli::{CommonArgs, DatasetChoice, Defaults};
use crate::error::ExampleError;
use crate::flags;
use crate::mnist::{MnistSource, Splits};
use crate::outln;
use crate::plots::Series;
use crate::report::write_json;
use clap::{Parser, ValueEnum};
use serde::{Deserialize, Serialize};
use sinapse_datasets::ImageLayout;
use sinapse_nn::{Activation, Init, Linear, Sequential};
use sinapse_tensor::seeded_rng;
use sinapse_train::BatchSource;
use std::path::PathBuf;
use std::time::Instant;

/// The example's defaults: 3 epochs of minibatches of 64 at learning rate
/// 0.1, output in `out/init_and_activations`.
pub const DEFAULTS: Defaults = Defaults {
    epochs: 3,
    fashion_epochs: None,
    dataset: DatasetChoice::Mnist,
    batch_size: 64,
    lr: 0.1,
    name: "init_and_activations",
};
/// Training images used when `--train-limit` is not given.
pub const DEFAULT_TRAIN_LIMIT: usize = 10_000;
/// File of the summary figure in `--out`.
pub const FIGURE_FILE: &str = "init_and_activations.png";
/// File of the summary numbers in `--out`.
pub const JSON_FILE: &str = "init_and_activations.json";

/// A weight initialization of the experiment (biases always start at 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InitChoice {
    /// `W = 0`: every unit of a layer computes the same thing, forever.
    Zero,
    /// `W ~ N(0, 0.01^2)`: small random weights, the old default.
    Small,
    /// `W ~ N(0, 1)`: large random weights, which saturate sigmoid units.
    Large,
    /// The course's Glorot form, `W ~ U(-e, e)`, `e = 1 / sqrt(fan_in)`
    /// (`--inits glorot-course`).
    #[serde(rename = "glorot-course")]
    GlorotCourse,
    /// Glorot uniform, `W ~ U(-a, a)`, `a = sqrt(6 / (fan_in + fan_out))` (Keras's default).
    Glorot,
    /// He normal, `W ~ N(0, 2 / fan_in)`, made for ReLU.
    He,
}

impl InitChoice {
    /// The initializer of the weights.
    pub fn init(self) -> Init {
        match self {
            InitChoice::Zero => Init::Zeros,
            InitChoice::Small => Init::Normal { mean: 0.0, std: 0.01 },
            InitChoice::Large => Init::Normal { mean: 0.0, std: 1.0 },
            InitChoice::GlorotCourse => Init::GlorotCourse,
            InitChoice::Glorot => Init::GlorotUniform,
            InitChoice::He => Init::HeNormal,
        }
    }

    /// `zero`, `small`, `large`, `glorot-course`, `glorot` or `he`.
    pub fn name(self) -> &'static str {
        match self {
            InitChoice::Zero => "zero",
            InitChoice::Small => "small",
            InitChoice::Large => "large",
            InitChoice::GlorotCourse => "glorot-course",
            InitChoice::Glorot => "glorot",
            InitChoice::He => "he",
        }
    }
}

/// The hidden units' activation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HiddenActivation {
    /// `1 / (1 + e^(-z))`.
    Sigmoid,
    /// `tanh z`.
    Tanh,
    /// `max(z, 0)`.
    Relu,
}

impl HiddenActivation {
    /// The layer.
    pub fn activation(self) -> Activation {
        match self {
            HiddenActivation::Sigmoid => Activation::Sigmoid,
            HiddenActivation::Tanh => Activation::Tanh,
            HiddenActivation::Relu => Activation::ReLU,
        }
    }

    /// `sigmoid`, `tanh` or `relu`.
    pub fn name(self) -> &'static str {
        match self {
            HiddenActivation::Sigmoid => "sigmoid",
            HiddenActivation::Tanh => "tanh",
            HiddenActivation::Relu => "relu",
        }
    }
}

/// Flags of the `init_and_activations` example.
#[derive(Clone, Debug, Parser)]
#[command(about = "Zero, small, large, course Glorot, Glorot and He initialization with sigmoid and ReLU hidden units")]
pub struct InitActivationsArgs {
    /// The shared flags (`--train-limit` defaults to 10,000 here).
    #[command(flatten)]
    pub common: CommonArgs,
    /// Units of each hidden layer, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "64,64", value_parser = flags::count)]
    pub hidden: Vec<usize>,
    /// Initializations to compare, comma-separated.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "zero,small,large,glorot-course,glorot,he")]
    pub inits: Vec<InitChoice>,
    /// Hidden activations to compare, comma-separated.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "sigmoid,relu")]
    pub activations: Vec<HiddenActivation>,
    /// Training images in the diagnostics' probe batch.
    #[arg(long, default_value_t = 256, value_parser = flags::count)]
    pub probe: usize,
}

/// `784 -> hidden[0] -> ... -> 10`: every weight drawn by `init` from a
/// generator seeded with `seed`, biases 0, `activation` after each hidden
/// layer, logits out.
pub fn build_mlp(hidden: &[usize], init: Init, activation: Activation, seed: u64) -> Sequential<f32> {
    let mut rng = seeded_rng(seed);
    let mut net = Sequential::new();
    let mut width = 784;
    for &units in hidden {
        net = net.add(Linear::builder(width, units).init(init).build(&mut rng)).add(activation);
        width = units;
    }
    net.add(Linear::builder(width, 10).init(init).build(&mut rng))
}

/// What one configuration did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// The initialization.
    pub init: InitChoice,
    /// The hidden activation.
    pub activation: HiddenActivation,
    /// Test accuracy before training (index 0) and after each epoch.
    pub test_accuracy: Vec<f64>,
    /// `||dL/dW_1||_F` on the probe before training (index 0) and after
    /// each epoch.
    pub first_grad_norm: Vec<f64>,
    /// `||dL/dW_l||_F` of every weight layer on the probe before training.
    pub initial_grad_norms: Vec<f64>,
    /// Dead ReLU units after training, over all hidden layers (ReLU only).
    pub dead_fraction: Option<f64>,
    /// Saturated activations after training (sigmoid and tanh only).
    pub saturated_fraction: Option<f64>,
    /// Dead or saturated fraction before training and after each epoch.
    pub dead_or_saturated: Vec<f64>,
    /// Largest difference between two units of a hidden layer after
    /// training: exactly 0 when the symmetry was never broken.
    pub hidden_unit_difference: f64,
    /// Seconds spent in training (validation excluded).
    pub train_seconds: f64,
}

impl RunSummary {
    /// `glorot-sigmoid`, the run's folder name.
    pub fn label(&self) -> String {
        format!("{}-{}", self.init.name(), self.activation.name())
    }

    /// Test accuracy after the last epoch.
    pub fn final_accuracy(&self) -> f64 {
        self.test_accuracy.last().copied().unwrap_or(f64::NAN)
    }
}

/// Everything a run of the example produced.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Outcome {
    /// One summary per configuration, activation-major.
    pub runs: Vec<RunSummary>,
    /// Every file written.
    pub files: Vec<PathBuf>,
}

/// The summary of one configuration's run from its test accuracies (before
/// training, then after each epoch) and its diagnostics.
pub fn summarize(
    init: InitChoice,
    activation: HiddenActivation,
    accuracy: Vec<f64>,
    d: &Diagnostics,
    seconds: f64,
) -> RunSummary {
    let snaps: Vec<&Snapshot> = d.snapshots();
    let last = snaps.last().expect("measured before training at least");
    let first = snaps.first().expect("measured before training at least");
    RunSummary {
        init,
        activation,
        test_accuracy: accuracy,
        first_grad_norm: snaps.iter().map(|s| s.first_grad_norm().unwrap_or(0.0)).collect(),
        initial_grad_norms: first.weights.iter().map(|w| w.grad_norm).collect(),
        dead_fraction: last.dead_fraction(),
        saturated_fraction: last.saturated_fraction(),
        dead_or_saturated: snaps.iter().map(|s| s.dead_fraction().or(s.saturated_fraction()).unwrap_or(0.0)).collect(),
        hidden_unit_difference: last.hidden_unit_difference().unwrap_or(0.0),
        train_seconds: seconds,
    }
}

/// The table printed at the end: one row per configuration.
pub fn table(runs: &[RunSummary]) -> String {
    let opt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{:.3}", v));
    let mut out = format!(
        "{:<13} {:<8} {:>9} {:>12} {:>12} {:>12} {:>10} {:>10} {:>14}\n",
        "init",
        "act.",
        "test acc",
        "|dW1| init",
        "|dW1| end",
        "|dWout| init",
        "dead ReLU",
        "saturated",
        "max unit diff"
    );
    for r in runs {
        out += &format!(
            "{:<13} {:<8} {:>9.4} {:>12.3e} {:>12.3e} {:>12.3e} {:>10} {:>10} {:>14.3e}\n",
            r.init.name(),
            r.activation.name(),
            r.final_accuracy(),
            r.first_grad_norm.first().copied().unwrap_or(f64::NAN),
            r.first_grad_norm.last().copied().unwrap_or(f64::NAN),
            r.initial_grad_norms.last().copied().unwrap_or(f64::NAN),
            opt(r.dead_fraction),
            opt(r.saturated_fraction),
            r.hidden_unit_difference,
        );
    }
    out
}

/// The summary figure: one row per activation; test accuracy per epoch,
/// the first layer's gradient norm per epoch, every layer's gradient norm
/// before training, and the dead or saturated fraction per epoch, one curve
/// per initialization.
fn figure(args: &InitActivationsArgs, runs: &[RunSummary]) -> Result<PathBuf, ExampleError> {
    let path = args.common.out.join(FIGURE_FILE);
    let epochs = |v: &[f64]| v.iter().enumerate().map(|(e, &a)| (e as f64, a)).collect::<Vec<_>>();
    let mut panels = Vec::new();
    for act in &args.activations {
        let rows: Vec<&RunSummary> = runs.iter().filter(|r| r.activation == *act).collect();
        let curves = |f: &dyn Fn(&RunSummary) -> Vec<(f64, f64)>, log: bool| -> Vec<Series> {
            rows.iter()
                .map(|r| {
                    let points = f(r);
                    // A log axis cannot show 0: say so in the legend.
                    let hidden = log && points.iter().all(|p| p.1 <= 0.0);
                    let name = if hidden { format!("{} (0, not drawn)", r.init.name()) } else { r.init.name().into() };
                    Series { name, points, dashed: false }
                })
                .collect()
        };
        let a = act.name();
        let panel = |title: String, x: &str, y: &str, series, y_axis| LinePanel {
            title,
            x_label: x.into(),
            y_label: y.into(),
            series,
            y_axis,
        };
        let by_layer = |r: &RunSummary| -> Vec<(f64, f64)> {
            r.initial_grad_norms.iter().enumerate().map(|(l, &g)| ((l + 1) as f64, g)).collect()
        };
        let fraction = if *act == HiddenActivation::Relu { "dead ReLU units" } else { "saturated activations" };
        panels.push(panel(
            format!("{a}: test accuracy"),
            "epoch",
            "accuracy",
            curves(&|r| epochs(&r.test_accuracy), false),
            YAxis::Fixed(0.0, 1.0),
        ));
        panels.push(panel(
            format!("{a}: first layer ||dL/dW1||"),
            "epoch",
            "gradient norm (probe)",
            curves(&|r| epochs(&r.first_grad_norm), true),
            YAxis::Log,
        ));
        panels.push(panel(
            format!("{a}: ||dL/dW|| by layer, untrained"),
            "weight layer (1 = first)",
            "gradient norm (probe)",
            curves(&by_layer, true),
            YAxis::Log,
        ));
        panels.push(panel(
            format!("{a}: {fraction}"),
            "epoch",
            "fraction",
            curves(&|r| epochs(&r.dead_or_saturated), false),
            YAxis::Fixed(0.0, 1.0),
        ));
    }
    let hidden: Vec<String> = args.hidden.iter().map(|h| h.to_string()).collect();
    let title = format!(
        "MLP 784-{}-10 on {}: initialization x hidden activation (SGD lr {}, batch {})",
        hidden.join("-"),
        args.common.dataset.name(),
        args.common.lr,
        args.common.batch_size
    );
    line_grid(&path, &title, &panels, 4, (500, 400))?;
    Ok(path)
}

/// Checks the flags, sets the thread count, loads the data set and creates
/// `--out`.
///
/// # Errors
/// A flag no run can use, missing data, an unwritable folder.
pub fn prepare(args: &InitActivationsArgs) -> Result<Splits, ExampleError> {
    let c = &args.common;
    c.validate()?;
    if args.hidden.is_empty() || args.hidden.contains(&0) {
        return Err(ExampleError::Usage("--hidden needs at least one layer, each of at least 1 unit".into()));
    }
    if args.inits.is_empty() || args.activations.is_empty() {
        return Err(ExampleError::Usage("--inits and --activations need at least one value each".into()));
    }
    if args.probe == 0 {
        return Err(ExampleError::Usage("--probe must be at least 1".into()));
    }
    crate::cli::set_threads(c.threads);
    let splits = Splits::load(c)?;
    splits.train_subset(c.train_limit)?;
    splits.test_subset(c.test_limit)?;
    std::fs::create_dir_all(&c.out).map_err(|e| ExampleError::io(&c.out, e))?;
    Ok(splits)
}

/// The training images (`--train-limit`, else the first 10,000) and the test
/// images (`--test-limit`), flattened, and prints the settings unless
/// `--quiet`.
///
/// # Errors
/// When a limit is larger than its split, or the console cannot be written.
pub fn sources<'a>(
    args: &InitActivationsArgs,
    splits: &'a Splits,
) -> Result<(MnistSource<'a>, MnistSource<'a>), ExampleError> {
    let c = &args.common;
    let limit = c.train_limit.unwrap_or(DEFAULT_TRAIN_LIMIT.min(splits.train.len()));
    let train = MnistSource::new(splits.train_subset(Some(limit))?, ImageLayout::Flat);
    let test = MnistSource::new(splits.test_subset(c.test_limit)?, ImageLayout::Flat);
    if !c.quiet {
        outln!(
            "{} training images, {} test images, {} epochs, batch {}, lr {}, seed {}; probe of {} training images",
            train.len(),
            test.len(),
            DEFAULTS.epochs(c),
            c.batch_size,
            c.lr,
            c.seed,
            args.probe.min(train.len())
        )?;
    }
    Ok((train, test))
}

/// Prints one configuration's result unless `--quiet`.
///
/// # Errors
/// When the console cannot be written.
pub fn print_run(args: &InitActivationsArgs, r: &RunSummary) -> Result<(), ExampleError> {
    if !args.common.quiet {
        outln!("{:<21} test accuracy {:.4}  ({:.1} s)", r.label(), r.final_accuracy(), r.train_seconds)?;
    }
    Ok(())
}

/// Prints the table and the configurations whose hidden units stayed equal,
/// draws [`FIGURE_FILE`], writes [`JSON_FILE`] and returns every file
/// written (`files` holds the runs' own).
///
/// # Errors
/// When a file or the console cannot be written.
pub fn report(
    args: &InitActivationsArgs,
    runs: Vec<RunSummary>,
    mut files: Vec<PathBuf>,
    began: Instant,
) -> Result<Outcome, ExampleError> {
    let c = &args.common;
    outln!("{}", table(&runs))?;
    for r in runs.iter().filter(|r| r.hidden_unit_difference == 0.0) {
        outln!(
            "{}: every unit of each hidden layer is still exactly equal to the others after {} epochs \
             (largest difference 0): the symmetry was never broken",
            r.label(),
            r.test_accuracy.len() - 1
        )?;
    }
    files.push(figure(args, &runs)?);
    let json = c.out.join(JSON_FILE);
    write_json(&json, &runs)?;
    files.push(json);
    if !c.quiet {
        outln!("wrote {} files into {} in {:.1} s", files.len(), c.out.display(), began.elapsed().as_secs_f64())?;
    }
    Ok(Outcome { runs, files })
}
