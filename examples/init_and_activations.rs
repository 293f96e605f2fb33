//! The same MLP (784-64-64-10) trained from zero, small-normal,
//! large-normal, the course's Glorot (`U(-1/sqrt(n), 1/sqrt(n))`), Glorot
//! and He weights, with sigmoid and with ReLU hidden units: test accuracy,
//! gradient norms by layer, dead and saturated units, and the symmetry that
//! zero initialization never breaks, in one table and one figure.
//!
//! ```text
//! cargo run --release --example init_and_activations -- [--epochs 3] [--train-limit 10000] \
//!     [--hidden 64,64] [--inits zero,small,large,glorot-course,glorot,he] [--activations sigmoid,relu]
//! ```

use sinapse_examples::cli;
use sinapse_examples::diagnostics::init_and_activations::{run, InitActivationsArgs, DEFAULTS};

fn main() {
    cli::run(|| {
        let args: InitActivationsArgs = cli::parse(
            "Zero, small, large, course Glorot, Glorot and He initialization with sigmoid and ReLU hidden units",
            DEFAULTS,
        );
        run(&args).map(|_| ())
    });
}
