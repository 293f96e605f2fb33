//! The course's convolutional network reads MNIST digits: two convolutions
//! with ReLU, each followed by 2x2 max pooling, then one dense layer.
//!
//! ```text
//! cargo run --release --example cnn -- [--epochs N --batch-size N --lr X --lr-step N --seed N --threads N
//!     --dataset mnist|fashion --data-dir DIR --out DIR --train-limit N --test-limit N --resume --quiet]
//! mpirun -np 2 target/release/examples/cnn --distributed [--peer-timeout SECONDS ...]
//! ```
//!
//! Writes the model, the history, the metrics and the plots into `--out`
//! (default `out/cnn`) and prints the test accuracy last.

use sinapse::prelude::*;
use sinapse_examples::cli::{DatasetChoice, Defaults};
use sinapse_examples::error::ExampleError;
use sinapse_examples::models::Arch;
use sinapse_examples::practice::{Outcome, Practice, Recipe};

/// The example's settings; each is a flag's default. On Fashion-MNIST it
/// trains 5 epochs, the last at lr / 10 (see `Recipe::default_lr_step`).
pub const RECIPE: Recipe = Recipe {
    arch: Arch::Cnn,
    defaults: Defaults {
        epochs: 3,
        fashion_epochs: Some(5),
        dataset: DatasetChoice::Mnist,
        batch_size: 128,
        lr: 0.05,
        name: "cnn",
    },
    about: "A convolutional network Conv(32)-Pool-Conv(64)-Pool-Dense(10) on MNIST (SGD, momentum 0.9)",
};

/// The program: data, network, `compile`, `fit`, evaluation.
pub fn program(practice: &Practice) -> Result<Outcome, ExampleError> {
    // Images / 255 as [batch, 1 channel, 28, 28]; labels one-hot.
    let (train, test) = practice.mnist()?;

    // model = Sequential([Conv2D(32, (3, 3), activation='relu'), MaxPooling2D((2, 2)),
    //                     Conv2D(64, (3, 3), activation='relu'), MaxPooling2D((2, 2)),
    //                     Flatten(), Dense(10)])
    // 320 + 18,496 + 16,010 = 34,826 parameters. Sequential runs each
    // ReLU + max pool pair as one fused operation (the same numbers, faster).
    let mut rng = seeded_rng(practice.seed());
    let network = Sequential::new()
        .add(Conv2d::new(1, 32, 3, &mut rng))
        .add(ReLU)
        .add(MaxPool2d::new(2))
        .add(Conv2d::new(32, 64, 3, &mut rng))
        .add(ReLU)
        .add(MaxPool2d::new(2))
        .add(Flatten)
        .add(Linear::new(1600, 10, &mut rng));
    let mut model = Model::new(network);

    // model.compile(optimizer=SGD(learning_rate=0.05, momentum=0.9),
    //               loss=CategoricalCrossentropy(from_logits=True), metrics=['accuracy'])
    model.compile(
        Sgd::new(practice.lr()).momentum(Momentum::Classic(0.9)),
        Loss::CategoricalCrossEntropy,
        &[Metric::Accuracy],
    );

    // model.fit(x_train, y_train, batch_size=128, epochs=3, validation_data=(x_test, y_test))
    let history = practice.fit(&mut model, &train, &test)?;

    // model.evaluate(x_test, y_test); then the files and the plots.
    practice.evaluate_and_report(model, history, &test)
}

fn main() {
    Practice::main(RECIPE, program);
}
