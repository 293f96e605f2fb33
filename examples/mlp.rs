//! A multilayer perceptron reads MNIST digits: 784 inputs, 128 ReLU units,
//! 10 outputs turned into probabilities by a softmax.
//!
//! ```text
//! cargo run --release --example mlp -- [--epochs N --batch-size N --lr X --seed N --threads N
//!     --dataset mnist|fashion --data-dir DIR --out DIR --train-limit N --test-limit N --resume --quiet]
//! mpirun -np 2 target/release/examples/mlp --distributed [--peer-timeout SECONDS ...]
//! ```
//!
//! Writes the model, the history, the metrics and the plots into `--out`
//! (default `out/mlp`) and prints the test accuracy last.

use sinapse::prelude::*;
use sinapse_examples::cli::{DatasetChoice, Defaults};
use sinapse_examples::error::ExampleError;
use sinapse_examples::models::Arch;
use sinapse_examples::practice::{Outcome, Practice, Recipe};

/// The example's settings; each is a flag's default.
pub const RECIPE: Recipe = Recipe {
    arch: Arch::Mlp,
    defaults: Defaults {
        epochs: 5,
        fashion_epochs: None,
        dataset: DatasetChoice::Mnist,
        batch_size: 64,
        lr: 0.1,
        name: "mlp",
    },
    about: "A multilayer perceptron 784-128(ReLU)-10 on MNIST (softmax cross-entropy, SGD)",
};

/// The program: data, network, `compile`, `fit`, evaluation.
pub fn program(practice: &Practice) -> Result<Outcome, ExampleError> {
    // Images / 255, flattened to 784 values; labels one-hot.
    let (train, test) = practice.mnist()?;

    // model = Sequential([Dense(128, activation='relu'), Dense(10)]): the
    // hidden layer's ReLU is a layer of its own, as in PyTorch, and the
    // softmax is inside the loss, which takes the 10 scores (logits).
    let mut rng = seeded_rng(practice.seed());
    let network = Sequential::new().add(Linear::new(784, 128, &mut rng)).add(ReLU).add(Linear::new(128, 10, &mut rng));
    let mut model = Model::new(network);

    // model.compile(optimizer=SGD(learning_rate=0.1),
    //               loss=CategoricalCrossentropy(from_logits=True), metrics=['accuracy'])
    model.compile(Sgd::new(practice.lr()), Loss::CategoricalCrossEntropy, &[Metric::Accuracy]);

    // model.fit(x_train, y_train, batch_size=64, epochs=5, validation_data=(x_test, y_test))
    let history = practice.fit(&mut model, &train, &test)?;

    // model.evaluate(x_test, y_test); then the files and the plots.
    practice.evaluate_and_report(model, history, &test)
}

fn main() {
    Practice::main(RECIPE, program);
}
