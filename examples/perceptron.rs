//! Practice I: a single layer of 10 sigmoid units reads MNIST digits.
//!
//! ```text
//! cargo run --release --example perceptron -- [--epochs N --batch-size N --lr X --seed N --threads N
//!     --dataset mnist|fashion --data-dir DIR --out DIR --train-limit N --test-limit N --resume --quiet]
//! ```
//!
//! Writes the model, the history, the metrics and the plots into `--out`
//! (default `out/perceptron`) and prints the test accuracy last.

use sinapse::prelude::*;
use sinapse_examples::cli::{DatasetChoice, Defaults};
use sinapse_examples::error::ExampleError;
use sinapse_examples::models::Arch;
use sinapse_examples::practice::{Outcome, Practice, Recipe};

/// The practice's settings; each is a flag's default.
pub const RECIPE: Recipe = Recipe {
    arch: Arch::Perceptron,
    defaults: Defaults {
        epochs: 5,
        fashion_epochs: None,
        dataset: DatasetChoice::Mnist,
        batch_size: 64,
        lr: 0.1,
        name: "perceptron",
    },
    about: "Practice I: a single layer of 10 sigmoid units on MNIST (MSE on one-hot labels, SGD)",
};

/// The program of Practice I, step by step as the course's Keras listing.
pub fn practice_i(practice: &Practice) -> Result<Outcome, ExampleError> {
    // The 28x28 u8 images divided by 255 and flattened to 784 values; the
    // labels one-hot: 3 -> [0, 0, 0, 1, 0, 0, 0, 0, 0, 0].
    let (train, test) = practice.mnist()?;

    // inputs = Input(shape=(784,))
    // outputs = Dense(10, activation='sigmoid')(inputs)
    // model = Model(inputs, outputs)
    let inputs = Input::seeded(&[784], practice.seed());
    let outputs = Dense::new(10).activation(Activation::Sigmoid).call(&inputs);
    let mut model = Model::functional(&inputs, &outputs);

    // model.compile(optimizer=SGD(learning_rate=0.1), loss='mse', metrics=['accuracy'])
    model.compile(Sgd::new(practice.lr()), Loss::MeanSquaredError, &[Metric::Accuracy]);

    // model.fit(x_train, y_train, batch_size=64, epochs=5, validation_data=(x_test, y_test))
    let history = practice.fit(&mut model, &train, &test)?;

    // model.evaluate(x_test, y_test); then the files and the plots.
    practice.evaluate_and_report(model, history, &test)
}

fn main() {
    Practice::main(RECIPE, practice_i);
}
