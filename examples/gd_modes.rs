//! Batch vs stochastic vs minibatch gradient descent on the same network
//! and the same wall-clock budget, with the loss curves against time,
//! epochs and updates side by side in one picture.
//!
//! ```text
//! cargo run --release --example gd_modes -- [--seconds 20] [--net perceptron|mlp] [--batch-size 64] [--lr 0.1]
//! ```

use sinapse_examples::cli::{self, Defaults};
use sinapse_examples::gd_modes::{run, GdModesArgs};

fn main() {
    let defaults = Defaults { epochs: 1000, fashion_epochs: None, batch_size: 64, lr: 0.1, name: "gd_modes" };
    cli::run(|| {
        let args: GdModesArgs =
            cli::parse("Batch vs stochastic vs minibatch gradient descent under one time budget", defaults);
        run(&args).map(|_| ())
    });
}
