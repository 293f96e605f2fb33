//! Where the time of a training step goes, per operation: runs warm-up
//! steps, then profiles `--steps` steps of one of the examples' models on a
//! real MNIST batch and prints the op profiler's table.
//!
//! ```text
//! cargo run --release -p sinapse-benches --bin step_profile -- cnn [--steps N]
//! ```
//!
//! Models: `perceptron` (batch 64), `mlp` (batch 64), `cnn` (batch 128), the
//! examples' recipes. Times are wall times of this machine at this moment:
//! compare shares, or two builds run one after the other, not figures taken
//! on different days.

use std::process::ExitCode;

use sinapse_autograd::{profile, Var};
use sinapse_benches::{first_batch, Model};
use sinapse_datasets::Batch;
use sinapse_nn::prelude::*;
use sinapse_optim::{Momentum, Optimizer, Sgd};

const WARMUP_STEPS: usize = 10;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (name, steps) = match args.as_slice() {
        [name] => (name.as_str(), 50),
        [name, flag, n] if flag == "--steps" => match n.parse::<usize>() {
            Ok(n) if n > 0 => (name.as_str(), n),
            _ => return usage(&format!("--steps needs a positive integer, got {n:?}")),
        },
        _ => return usage("expected a model name"),
    };
    let Some(model_kind) = Model::from_name(name) else {
        return usage(&format!("unknown model {name:?}"));
    };
    let Batch { images: x, labels, one_hot, .. } = match first_batch(model_kind.batch_size(), model_kind.layout()) {
        Ok(batch) => batch,
        Err(e) => {
            eprintln!("step_profile: cannot load MNIST: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut model = model_kind.build(0);
    let mut opt = match model_kind {
        Model::Cnn => Sgd::new(0.05).momentum(Momentum::Classic(0.9)),
        _ => Sgd::new(0.1),
    };
    let mut step = || {
        let out = model.forward(&Var::constant(x.clone()));
        let loss = match model_kind {
            Model::Perceptron => mse(&out, &one_hot, Reduction::Mean),
            _ => cross_entropy(&out, &labels, Reduction::Mean),
        };
        let grads = loss.backward();
        opt.step(&mut model, &grads);
    };
    for _ in 0..WARMUP_STEPS {
        step();
    }
    let ((), report) = profile(|| (0..steps).for_each(|_| step()));
    println!("{name}: {steps} training steps of batch {}", model_kind.batch_size());
    println!("{report}");
    ExitCode::SUCCESS
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("step_profile: {problem}\nusage: step_profile perceptron|mlp|cnn [--steps N]");
    ExitCode::from(2)
}
