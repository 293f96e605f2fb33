//! The flags every training example shares, and the `main` wrapper that
//! turns an error into one readable line and exit status 2.
//!
//! ```text
//! --epochs N --batch-size N --lr X --seed N --threads N
//! --dataset mnist|fashion --data-dir DIR --out DIR
//! --train-limit N --test-limit N --quiet --resume
//! --distributed --peer-timeout SECONDS
//! ```

use crate::error::ExampleError;
use crate::flags;
use clap::{ArgMatches, Args, Command, FromArgMatches, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

/// Which data set to train on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DatasetChoice {
    /// Handwritten digits (shipped in the repository).
    Mnist,
    /// Zalando's clothes (Debian's `dataset-fashion-mnist` package).
    Fashion,
}

impl DatasetChoice {
    /// The name used in files and metadata: `mnist` or `fashion`.
    pub fn name(self) -> &'static str {
        match self {
            DatasetChoice::Mnist => "mnist",
            DatasetChoice::Fashion => "fashion",
        }
    }

    /// Parses [`name`](Self::name).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "mnist" => Some(DatasetChoice::Mnist),
            "fashion" => Some(DatasetChoice::Fashion),
            _ => None,
        }
    }
}

/// The flags shared by the training examples. Per-example defaults (epochs,
/// batch size, learning rate, output folder) are set by [`parse`].
#[derive(Clone, Debug, Args)]
pub struct CommonArgs {
    /// Passes over the training set (the default depends on the example,
    /// and for the cnn on the data set; see `--help`).
    #[arg(long, value_parser = flags::count)]
    pub epochs: Option<usize>,
    /// Examples per update (the last batch of an epoch may be smaller).
    #[arg(long, default_value_t = 64, value_parser = flags::count)]
    pub batch_size: usize,
    /// Learning rate of the optimizer (SGD, or Adam in `fashion_cnn`).
    #[arg(long, default_value_t = 0.1, value_parser = flags::learning_rate)]
    pub lr: f64,
    /// Divide the learning rate by 10 every N epochs (0: constant). Default:
    /// 0, except 4 for the cnn on Fashion-MNIST (its last epoch at lr / 10)
    /// and 8 for fashion_cnn.
    #[arg(long)]
    pub lr_step: Option<usize>,
    /// Seed of the weights, the shuffles and the dropout masks.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Worker threads for matrix products and element-wise kernels (0: one
    /// per core; at most 256).
    #[arg(long, default_value_t = 0, value_parser = flags::threads)]
    pub threads: usize,
    /// Data set.
    #[arg(long, value_enum, default_value_t = DatasetChoice::Mnist)]
    pub dataset: DatasetChoice,
    /// A folder holding the IDX files: the only place searched when given
    /// (the run fails if it lacks a file, never falls back to another copy).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Folder for the model, the JSON reports and the plots.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Train on the first N training images only (quick runs, CI).
    #[arg(long, value_parser = flags::count)]
    pub train_limit: Option<usize>,
    /// Test on the first N test images only.
    #[arg(long, value_parser = flags::count)]
    pub test_limit: Option<usize>,
    /// No progress output (the line saying where the data came from and the
    /// final test accuracy are still printed).
    #[arg(long)]
    pub quiet: bool,
    /// Continue the run whose training state (saved after every epoch) is
    /// in `--out`, up to `--epochs`; same seed, network, data set and recipe
    /// required.
    #[arg(long)]
    pub resume: bool,
    /// With `--resume`: let the recipe change (learning rate, its schedule,
    /// batch size, number of training images); the network and the data set
    /// must still be the same.
    #[arg(long, requires = "resume")]
    pub allow_recipe_change: bool,
    /// Train data-parallel over the processes `mpirun` started (`mpirun -np
    /// 2 <example> --distributed`): each rank computes its share of every
    /// batch of `--batch-size` examples, rank 0 alone writes. Needs the
    /// examples built with the `distributed` feature.
    #[arg(long)]
    pub distributed: bool,
    /// With `--distributed`: seconds a rank waits for the others in any
    /// exchange before it stops with an error (a dead or hung peer).
    #[arg(long, default_value_t = 120.0, value_parser = flags::seconds)]
    pub peer_timeout: f64,
}

/// Default values of one example.
#[derive(Clone, Copy, Debug)]
pub struct Defaults {
    /// `--epochs`.
    pub epochs: usize,
    /// `--epochs` on Fashion-MNIST, when it differs.
    pub fashion_epochs: Option<usize>,
    /// `--dataset`.
    pub dataset: DatasetChoice,
    /// `--batch-size`.
    pub batch_size: usize,
    /// `--lr`.
    pub lr: f64,
    /// `--out` is `out/<name>`.
    pub name: &'static str,
}

impl CommonArgs {
    /// Applies the flags' checks ([`crate::flags`]) again, for arguments
    /// built or changed in code after parsing.
    pub fn validate(&self) -> Result<(), ExampleError> {
        let counts = [
            ("--epochs", self.epochs),
            ("--batch-size", Some(self.batch_size)),
            ("--train-limit", self.train_limit),
            ("--test-limit", self.test_limit),
        ];
        let checks = counts.into_iter().map(|(flag, n)| (flag, n.map_or(Ok(()), flags::check_count))).chain([
            ("--lr", flags::check_learning_rate(self.lr)),
            ("--threads", flags::check_threads(self.threads)),
            ("--peer-timeout", flags::check_seconds(self.peer_timeout)),
        ]);
        for (flag, check) in checks {
            check.map_err(|problem| ExampleError::Usage(format!("{flag} {problem}")))?;
        }
        Ok(())
    }

    /// Verbosity for `fit`: 0 with `--quiet`, else 1.
    pub fn verbose(&self) -> u8 {
        u8::from(!self.quiet)
    }
}

/// A default value for clap, which keeps `&'static str`s. Leaked on
/// purpose: a handful of short strings, built once per command line.
fn text(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn epochs_help(d: &Defaults) -> String {
    match d.fashion_epochs {
        Some(f) => format!("Passes over the training set [default: {}, {f} with --dataset fashion]", d.epochs),
        None => format!("Passes over the training set [default: {}]", d.epochs),
    }
}

impl Defaults {
    /// The epochs to train: `--epochs`, else this example's default for the data set.
    pub fn epochs(&self, args: &CommonArgs) -> usize {
        args.epochs.unwrap_or(match (args.dataset, self.fashion_epochs) {
            (DatasetChoice::Fashion, Some(f)) => f,
            _ => self.epochs,
        })
    }
}

/// Sets the example's defaults on a command built from `A`.
fn with_defaults<A: Args>(command: Command, d: Defaults) -> Command {
    A::augment_args(command)
        .mut_arg("epochs", |a| a.help(text(epochs_help(&d))))
        .mut_arg("batch_size", |a| a.default_value(text(d.batch_size.to_string())))
        .mut_arg("lr", |a| a.default_value(text(d.lr.to_string())))
        .mut_arg("dataset", |a| a.default_value(d.dataset.name()))
        .mut_arg("out", |a| a.default_value(text(format!("out/{}", d.name))))
}

/// Parses the process arguments into `A` (a struct that flattens
/// [`CommonArgs`] or is it), with `d` as defaults. Bad flags print clap's
/// message and exit with status 2.
pub fn parse<A: Args + FromArgMatches>(about: &'static str, d: Defaults) -> A {
    let matches = with_defaults::<A>(Command::new(d.name).about(about), d).get_matches();
    from_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// [`parse`] on explicit arguments (the first is the program name), for tests.
pub fn parse_from<A: Args + FromArgMatches>(d: Defaults, args: &[&str]) -> Result<A, clap::Error> {
    let matches = with_defaults::<A>(Command::new(d.name), d).try_get_matches_from(args)?;
    from_matches(&matches)
}

fn from_matches<A: FromArgMatches>(matches: &ArgMatches) -> Result<A, clap::Error> {
    A::from_arg_matches(matches)
}

/// Sets the number of worker threads, before any matrix product runs:
/// `MATMUL_NUM_THREADS` for matrixmultiply and the size of rayon's global
/// pool. `0` keeps one per core. A pool that already exists (a second run
/// in the same process, as in tests) is left as it is.
pub fn set_threads(threads: usize) {
    if threads == 0 {
        return;
    }
    // Read by matrixmultiply when its first product starts; set before that.
    std::env::set_var("MATMUL_NUM_THREADS", threads.to_string());
    let _ = rayon::ThreadPoolBuilder::new().num_threads(threads).build_global();
}

/// Runs an example's main function: on error, prints `error: <message>` on
/// stderr and exits with status 2 (no backtrace). Every example's `main`
/// goes through here, so they all fail the same way; a failure to write
/// standard output (`> /dev/full`, a full disk) is such an error.
///
/// When the reader of standard output goes away (`cargo run --example mlp |
/// head`), the example stops quietly with status 141, as a command killed by
/// `SIGPIPE` does.
pub fn run<E: Into<Box<dyn std::error::Error>>>(main: impl FnOnce() -> Result<(), E>) {
    exit_quietly_on_closed_stdout();
    if let Err(e) = main() {
        let e: Box<dyn std::error::Error> = e.into();
        if is_closed_stdout(e.as_ref()) {
            std::process::exit(CLOSED_PIPE_STATUS);
        }
        // Not `eprintln!`, which would panic if stderr is gone too.
        let _ = writeln!(std::io::stderr(), "error: {e}");
        std::process::exit(2);
    }
}

/// Whether `e` is a failed write to standard output because its reader
/// went away.
fn is_closed_stdout(e: &(dyn std::error::Error + 'static)) -> bool {
    let io = match e.downcast_ref::<ExampleError>() {
        Some(ExampleError::Stdout(io)) => io,
        Some(ExampleError::Fit(sinapse_train::FitError::Output(io))) => io,
        _ => return false,
    };
    io.kind() == std::io::ErrorKind::BrokenPipe
}

/// Exit status of a command killed by `SIGPIPE` (128 + 13), what a shell
/// reports for a C program whose output pipe was closed.
const CLOSED_PIPE_STATUS: i32 = 141;

/// Replaces the panic of `println!` on a closed pipe by a quiet exit; every
/// other panic goes to the default hook as before.
///
/// Rust ignores `SIGPIPE`, so a write to a pipe whose reader has exited
/// fails with `BrokenPipe`, which `println!` turns into a panic with a
/// message and a backtrace hint that look like a bug in the example.
fn exit_quietly_on_closed_stdout() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(CLOSED_PIPE_STATUS);
        }
        default_hook(info);
    }));
}

/// Creates the output folder `--out` (and its parents), with an error that
/// says it is the output folder that could not be made.
pub fn create_out_dir(out: &std::path::Path) -> Result<(), ExampleError> {
    std::fs::create_dir_all(out).map_err(|source| ExampleError::OutDir { path: out.to_path_buf(), source })
}
