//! The convolutional network Conv(32) - pool - Conv(64) - pool - Dense(10) on MNIST,
//! trained with the Keras-like `Model` API; writes the model, the history,
//! the metrics and the plots into `--out` and prints the test accuracy last.
//!
//! ```text
//! cargo run --release --example cnn -- [--epochs N --batch-size N --lr X --seed N --threads N
//!     --dataset mnist|fashion --data-dir DIR --out DIR --train-limit N --test-limit N --quiet]
//! ```

use sinapse_examples::cli::{self, CommonArgs};
use sinapse_examples::train::{self, Recipe};

fn main() {
    let recipe = Recipe::cnn();
    cli::run(|| {
        let args: CommonArgs = cli::parse(recipe.about, recipe.defaults);
        train::run(&recipe, &args).map(|_| ())
    });
}
