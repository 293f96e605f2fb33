//! Classifies a 28x28 grayscale PNG with a model saved by the `cnn`, `mlp`
//! or `perceptron` example (the network is named in the model file).
//!
//! ```text
//! cargo run --release --example cnn            # writes out/cnn/model.safetensors
//! cargo run --release --example predict -- digit.png [--model out/cnn] [--arch cnn] [--invert auto|yes|no]
//! ```

use clap::Parser;
use sinapse_examples::cli;
use sinapse_examples::outln;
use sinapse_examples::predict::{describe, predict, PredictArgs};

fn main() {
    cli::run(|| {
        let args = PredictArgs::parse();
        outln!("{}", describe(&predict(&args)?))?;
        Ok::<(), sinapse_examples::error::ExampleError>(())
    });
}
