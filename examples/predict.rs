//! Classifying one picture with a saved model: a 28x28 PNG goes through the
//! network the model file names, and the class probabilities come out.
//!
//! ```text
//! cargo run --release --example predict -- digit.png [--model out/cnn] [--arch perceptron|mlp|cnn|fashion-cnn|swish-mlp]
//!     [--invert auto|yes|no]
//! ```

use clap::Parser;
use sinapse::prelude::*;
use sinapse_examples::cli;
use sinapse_examples::error::ExampleError;
use sinapse_examples::outln;
use sinapse_examples::predict::{check_finite, describe, model_path, names, read_digit, PredictArgs, Prediction};
use sinapse_examples::report::load_model;

/// Classifies the picture `args.image` with the model `args.model`.
pub fn predict(args: &PredictArgs) -> Result<Prediction, ExampleError> {
    // The network the file names, with the saved weights.
    let loaded = load_model(&model_path(args), args.arch)?;
    // The digit as the course prepares MNIST: gray levels / 255, in the
    // network's input shape ([1, 784] or [1, 1, 28, 28]).
    let (pixels, inverted) = read_digit(args)?;
    let x = Tensor::from_vec(pixels.iter().map(|&p| p as f32 / 255.0).collect(), &loaded.arch.input_shape(1))
        .expect("784 values");
    let outputs = no_grad(|| loaded.net.forward(&Var::constant(x))).value().to_vec();
    // Scores into probabilities: the softmax of the logits, or the
    // perceptron's sigmoid outputs divided by their sum.
    let probabilities: Vec<f64> = if loaded.arch.outputs_logits() {
        let max = outputs.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v)) as f64;
        let exp: Vec<f64> = outputs.iter().map(|&v| (v as f64 - max).exp()).collect();
        let sum: f64 = exp.iter().sum();
        exp.iter().map(|e| e / sum).collect()
    } else {
        let sum: f64 = outputs.iter().map(|&v| v as f64).sum::<f64>().max(1e-12);
        outputs.iter().map(|&v| v as f64 / sum).collect()
    };
    check_finite(args, &outputs, &probabilities)?;
    // The answer: the most probable class.
    let class =
        probabilities.iter().enumerate().fold(0, |best, (i, &p)| if p > probabilities[best] { i } else { best });
    let class_names = names(loaded.dataset);
    Ok(Prediction { class, name: class_names[class].clone(), probabilities, inverted, class_names })
}

fn main() {
    cli::run(|| {
        let args = PredictArgs::parse();
        outln!("{}", describe(&predict(&args)?))?;
        Ok::<(), ExampleError>(())
    });
}
