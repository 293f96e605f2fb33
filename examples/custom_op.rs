//! A new operator written outside the framework: swish,
//! `s(x) = x * sigmoid(x)`, with its derivative next to it
//! (`examples/src/custom_op.rs`). It is checked against finite differences,
//! then trained as the hidden activation of the MLP on MNIST.
//!
//! ```text
//! cargo run --release --example custom_op -- [--epochs N --batch-size N --lr X --seed N --threads N
//!     --dataset mnist|fashion --data-dir DIR --out DIR --train-limit N --test-limit N --resume --quiet]
//! ```

use sinapse::prelude::*;
use sinapse_examples::cli::{DatasetChoice, Defaults};
use sinapse_examples::custom_op::{check_swish, Swish};
use sinapse_examples::error::ExampleError;
use sinapse_examples::models::Arch;
use sinapse_examples::outln;
use sinapse_examples::practice::{Outcome, Practice, Recipe};

/// The example's settings; each is a flag's default.
pub const RECIPE: Recipe = Recipe {
    arch: Arch::SwishMlp,
    defaults: Defaults {
        epochs: 2,
        fashion_epochs: None,
        dataset: DatasetChoice::Mnist,
        batch_size: 64,
        lr: 0.1,
        name: "custom_op",
    },
    about: "A custom operator (swish) checked by finite differences, then trained in an MLP on MNIST",
};

/// The program: check the operator, then train with it.
pub fn program(practice: &Practice) -> Result<Outcome, ExampleError> {
    // The derivative written by hand against central differences, in f64.
    let worst = check_swish(101).map_err(|e| ExampleError::Usage(format!("swish gradient check failed: {e}")))?;
    outln!("gradcheck of swish at 102 points in [-6, 6] (f64): passed, largest |analytic - numeric| = {worst:.2e}")?;

    let (train, test) = practice.mnist()?;
    // The MLP of `mlp.rs` with swish in place of ReLU.
    let mut rng = seeded_rng(practice.seed());
    let network = Sequential::new().add(Linear::new(784, 128, &mut rng)).add(Swish).add(Linear::new(128, 10, &mut rng));
    let mut model = Model::new(network);
    model.compile(Sgd::new(practice.lr()), Loss::CategoricalCrossEntropy, &[Metric::Accuracy]);
    let history = practice.fit(&mut model, &train, &test)?;
    practice.evaluate_and_report(model, history, &test)
}

fn main() {
    Practice::main(RECIPE, program);
}
