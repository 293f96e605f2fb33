//! Practice I: the single-layer perceptron 784 -> Dense(10, sigmoid) on MNIST,
//! trained with the Keras-like `Model` API; writes the model, the history,
//! the metrics and the plots into `--out` and prints the test accuracy last.
//!
//! ```text
//! cargo run --release --example perceptron -- [--epochs N --batch-size N --lr X --seed N --threads N
//!     --dataset mnist|fashion --data-dir DIR --out DIR --train-limit N --test-limit N --quiet]
//! ```

use sinapse_examples::cli::{self, CommonArgs};
use sinapse_examples::train::{self, Recipe};

fn main() {
    let recipe = Recipe::perceptron();
    cli::run(|| {
        let args: CommonArgs = cli::parse(recipe.about, recipe.defaults);
        train::run(&recipe, &args).map(|_| ())
    });
}
