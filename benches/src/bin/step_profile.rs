//! Where the time of a training step goes, per operation: runs warm-up
//! steps, then profiles `--steps` steps of one of the examples' recipes on a
//! real MNIST batch and prints the op profiler's table.
//!
//! ```text
//! cargo run --release -p sinapse-benches --bin step_profile -- cnn [--steps N]
//! ```
//!
//! Recipes: `perceptron`, `mlp`, `cnn` (network, batch size, loss, learning
//! rate and momentum of the examples). Times are wall times of this machine
//! at this moment: compare shares, or two builds run one after the other,
//! not figures taken on different days.

use std::process::ExitCode;

use sinapse_autograd::profile;
use sinapse_benches::TrainingStep;
use sinapse_examples::programs::{cnn, mlp, perceptron};

const WARMUP_STEPS: usize = 10;
const USAGE: &str = "usage: step_profile perceptron|mlp|cnn [--steps N]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (name, steps) = match args.as_slice() {
        [name] => (name.as_str(), 50),
        [name, flag, n] if flag == "--steps" => match n.parse::<usize>() {
            Ok(n) if n > 0 => (name.as_str(), n),
            _ => return usage(&format!("--steps needs a positive integer, got {n:?}")),
        },
        _ => return usage("expected a recipe name"),
    };
    let recipe = match name {
        "perceptron" => perceptron::RECIPE,
        "mlp" => mlp::RECIPE,
        "cnn" => cnn::RECIPE,
        _ => return usage(&format!("unknown recipe {name:?}")),
    };
    let mut step = match TrainingStep::new(&recipe) {
        Ok(step) => step,
        Err(e) => {
            eprintln!("step_profile: cannot load MNIST: {e}");
            return ExitCode::FAILURE;
        }
    };
    for _ in 0..WARMUP_STEPS {
        step.run();
    }
    let ((), report) = profile(|| (0..steps).for_each(|_| step.run()));
    println!("{name}: {steps} training steps of batch {}", recipe.defaults.batch_size);
    println!("{report}");
    ExitCode::SUCCESS
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("step_profile: {problem}\n{USAGE}");
    ExitCode::from(2)
}
