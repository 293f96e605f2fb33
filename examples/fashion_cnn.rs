//! A small modern convolutional network for Fashion-MNIST, the next step
//! after the course's CNN: convolution, batch normalization and ReLU blocks,
//! a global average pool instead of a large dense layer, and Adam.
//!
//! ```text
//! cargo run --release --example fashion_cnn -- [--epochs N --batch-size N --lr X --lr-step N --seed N --threads N
//!     --dataset fashion|mnist --data-dir DIR --out DIR --train-limit N --test-limit N --resume --quiet]
//! ```
//!
//! Trains on Fashion-MNIST by default (Debian's `dataset-fashion-mnist`
//! package, or `--data-dir`), writes the model, the history, the metrics and
//! the plots into `--out` (default `out/fashion_cnn`) and prints the test
//! accuracy last. `--resume` continues a killed run exactly, batch
//! normalization's running statistics included.

use sinapse::prelude::*;
use sinapse_examples::cli::{DatasetChoice, Defaults};
use sinapse_examples::error::ExampleError;
use sinapse_examples::models::Arch;
use sinapse_examples::practice::{Outcome, Practice, Recipe};

/// The example's settings; each is a flag's default. The learning rate is
/// divided by 10 after 8 epochs (see `Recipe::default_lr_step`).
pub const RECIPE: Recipe = Recipe {
    arch: Arch::FashionCnn,
    defaults: Defaults {
        epochs: 10,
        fashion_epochs: None,
        dataset: DatasetChoice::Fashion,
        batch_size: 128,
        lr: 0.001,
        name: "fashion_cnn",
    },
    about: "Conv-BN-ReLU blocks (16, 32, 64, 128 channels), global average pooling and Adam on Fashion-MNIST",
};

/// One block: a 3x3 convolution that keeps the image size, batch
/// normalization over its channels, and ReLU. The convolution has no bias:
/// batch normalization subtracts each channel's mean right after, which
/// would cancel it, and its own shift `beta` takes the bias's place.
fn block(network: Sequential<f32>, from: usize, to: usize, rng: &mut SeededRng) -> Sequential<f32> {
    network
        .add(Conv2d::builder(from, to, 3).padding(Padding::Same).bias(false).build(rng))
        .add(BatchNorm::new_2d(to))
        .add(ReLU)
}

/// The network, its weights drawn from a generator seeded with `seed`:
///
/// ```text
/// [B, 1, 28, 28] -> block(16) -> MaxPool 2 -> block(32) -> MaxPool 2 -> block(64) -> MaxPool 2
///   -> block(128) -> global average pool [B, 128, 1, 1] -> Flatten -> Dense(10)
/// ```
///
/// Each pool halves the image (28, 14, 7, 3) while the channels double, so
/// every block costs about the same; the last block sees the whole image.
/// 144 + 4,608 + 18,432 + 73,728 convolution weights, 2 x 240 batch
/// normalization scales and shifts, 1,290 in the dense layer: 98,682
/// parameters, with no dense layer over every pixel: the global average
/// pool keeps one number per channel.
pub fn network(seed: u64) -> Sequential<f32> {
    let mut rng = seeded_rng(seed);
    let mut network = Sequential::new();
    let mut from = 1;
    for (i, to) in [16, 32, 64, 128].into_iter().enumerate() {
        network = block(network, from, to, &mut rng);
        if i < 3 {
            network = network.add(MaxPool2d::new(2));
        }
        from = to;
    }
    network.add(AdaptiveAvgPool2d::global()).add(Flatten).add(Linear::new(128, 10, &mut rng))
}

/// The program: data, network, `compile`, `fit`, evaluation.
pub fn program(practice: &Practice) -> Result<Outcome, ExampleError> {
    // Images / 255 as [batch, 1 channel, 28, 28]; labels one-hot.
    let (train, test) = practice.mnist()?;

    let mut model = Model::new(network(practice.seed()));

    // model.compile(optimizer=Adam(learning_rate=0.001),
    //               loss=CategoricalCrossentropy(from_logits=True), metrics=['accuracy'])
    model.compile(Adam::new(practice.lr()), Loss::CategoricalCrossEntropy, &[Metric::Accuracy]);

    // model.fit(x_train, y_train, batch_size=128, epochs=10, validation_data=(x_test, y_test));
    // evaluation switches batch normalization to its running statistics.
    let history = practice.fit(&mut model, &train, &test)?;

    // model.evaluate(x_test, y_test); then the files and the plots.
    practice.evaluate_and_report(model, history, &test)
}

fn main() {
    Practice::main(RECIPE, program);
}
