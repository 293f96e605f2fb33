//! A new operator defined outside the framework with `Var::from_op`: swish,
//! `x * sigmoid(x)`. Its gradient is checked against finite differences in
//! f64, then it replaces ReLU in the MLP, trained on MNIST.
//!
//! ```text
//! cargo run --release --example custom_op -- [--epochs 2 --batch-size 64 --lr 0.1 ...]
//! ```

use sinapse_examples::cli::{self, CommonArgs};
use sinapse_examples::custom_op::check_swish;
use sinapse_examples::error::ExampleError;
use sinapse_examples::outln;
use sinapse_examples::train::{self, Recipe};

fn main() {
    let recipe = Recipe::swish_mlp();
    cli::run(|| {
        let args: CommonArgs = cli::parse(recipe.about, recipe.defaults);
        let worst = check_swish(101).map_err(|e| ExampleError::Usage(format!("swish gradient check failed: {e}")))?;
        outln!(
            "gradcheck of swish at 102 points in [-6, 6] (f64): passed, largest |analytic - numeric| = {worst:.2e}"
        )?;
        train::run(&recipe, &args).map(|_| ())
    });
}
