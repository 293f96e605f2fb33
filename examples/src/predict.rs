//! Classifying one picture with a saved model: a 28x28 PNG (8-bit or
//! 16-bit gray, or RGB/RGBA turned to gray) goes through the network the
//! model file names, and the class probabilities come out.

use crate::cli::DatasetChoice;
use crate::error::ExampleError;
use crate::mnist::class_names;
use crate::models::Arch;
use crate::report::{load_model, MODEL_FILE};
use clap::Parser;
use png::{ColorType, Transformations};
use sinapse_autograd::{no_grad, Var};
use sinapse_nn::Module;
use sinapse_tensor::Tensor;
use std::path::{Path, PathBuf};

/// Flags of the `predict` example.
#[derive(Clone, Debug, Parser)]
#[command(about = "Classify a 28x28 grayscale PNG with a model saved by the cnn, mlp or perceptron example")]
pub struct PredictArgs {
    /// The picture: a 28x28 PNG, white (or light) digit on black like MNIST.
    pub image: PathBuf,
    /// The model file, or the folder holding model.safetensors.
    #[arg(long, default_value = "out/cnn")]
    pub model: PathBuf,
    /// The network, when the model file does not record it.
    #[arg(long, value_parser = parse_arch)]
    pub arch: Option<Arch>,
    /// Invert the gray levels first: `auto` does it when the picture's border
    /// is light (a dark digit on white paper).
    #[arg(long, value_enum, default_value_t = Invert::Auto)]
    pub invert: Invert,
}

/// Whether to turn a dark-on-light picture into MNIST's light-on-dark.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Invert {
    /// When the mean of the border pixels is above middle gray.
    Auto,
    /// Always.
    Yes,
    /// Never.
    No,
}

fn parse_arch(s: &str) -> Result<Arch, String> {
    Arch::from_name(s).ok_or_else(|| format!("unknown network '{s}': use perceptron, mlp, cnn or swish-mlp"))
}

/// The answer for one picture.
#[derive(Clone, Debug)]
pub struct Prediction {
    /// The most probable class.
    pub class: usize,
    /// Its name (`"7"`, or `"Sneaker"` for Fashion-MNIST).
    pub name: String,
    /// Probabilities of the ten classes (softmax of the logits; the
    /// perceptron's sigmoid outputs divided by their sum).
    pub probabilities: Vec<f64>,
    /// Whether the gray levels were inverted.
    pub inverted: bool,
    /// The names of all classes, index = class.
    pub class_names: Vec<String>,
}

/// Reads a PNG as 8-bit gray levels: returns `(width, height, pixels)`.
/// Gray and RGB(A) of any bit depth and palettes are accepted; color is
/// turned to luminance (`0.299 R + 0.587 G + 0.114 B`) and transparent
/// pixels are composed over black (MNIST's background).
pub fn read_gray_png(path: &Path) -> Result<(usize, usize, Vec<u8>), ExampleError> {
    let bad = |problem: String| ExampleError::Image { path: path.to_path_buf(), problem };
    let file = std::fs::File::open(path).map_err(|e| ExampleError::io(path, e))?;
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(|e| bad(format!("not a readable PNG ({e})")))?;
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).map_err(|e| bad(format!("not a readable PNG ({e})")))?;
    let (w, h) = (info.width as usize, info.height as usize);
    let channels = match info.color_type {
        ColorType::Grayscale => 1,
        ColorType::GrayscaleAlpha => 2,
        ColorType::Rgb => 3,
        ColorType::Rgba => 4,
        other => return Err(bad(format!("unsupported PNG color type {other:?}"))),
    };
    let row = info.line_size;
    let mut gray = Vec::with_capacity(w * h);
    for y in 0..h {
        for x in 0..w {
            let p = &buf[y * row + x * channels..y * row + (x + 1) * channels];
            let (luma, alpha) = match channels {
                1 => (p[0] as f64, 255.0),
                2 => (p[0] as f64, p[1] as f64),
                3 => (0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64, 255.0),
                _ => (0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64, p[3] as f64),
            };
            gray.push((luma * alpha / 255.0).round().clamp(0.0, 255.0) as u8);
        }
    }
    Ok((w, h, gray))
}

/// Mean gray level of the outermost pixels.
fn border_mean(pixels: &[u8], w: usize, h: usize) -> f64 {
    let border: Vec<u8> = (0..h)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .filter(|&(x, y)| x == 0 || y == 0 || x + 1 == w || y + 1 == h)
        .map(|(x, y)| pixels[y * w + x])
        .collect();
    border.iter().map(|&p| p as f64).sum::<f64>() / border.len().max(1) as f64
}

/// Classifies the picture `args.image` with the model `args.model`.
pub fn predict(args: &PredictArgs) -> Result<Prediction, ExampleError> {
    let model_path = if args.model.is_dir() { args.model.join(MODEL_FILE) } else { args.model.clone() };
    let loaded = load_model(&model_path, args.arch)?;
    let (w, h, mut pixels) = read_gray_png(&args.image)?;
    if (w, h) != (28, 28) {
        return Err(ExampleError::Image {
            path: args.image.clone(),
            problem: format!("image is {w}x{h} pixels; the model expects 28x28 grayscale (resize it first)"),
        });
    }
    let inverted = match args.invert {
        Invert::Yes => true,
        Invert::No => false,
        Invert::Auto => border_mean(&pixels, w, h) > 127.5,
    };
    if inverted {
        pixels.iter_mut().for_each(|p| *p = 255 - *p);
    }
    let x = Tensor::from_vec(pixels.iter().map(|&p| p as f32 / 255.0).collect(), &loaded.arch.input_shape(1))
        .expect("784 values");
    let out = no_grad(|| loaded.net.forward(&Var::constant(x))).value().to_vec();
    let probabilities: Vec<f64> = if loaded.arch.outputs_logits() {
        let max = out.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v)) as f64;
        let exp: Vec<f64> = out.iter().map(|&v| (v as f64 - max).exp()).collect();
        let sum: f64 = exp.iter().sum();
        exp.iter().map(|e| e / sum).collect()
    } else {
        let sum: f64 = out.iter().map(|&v| v as f64).sum::<f64>().max(1e-12);
        out.iter().map(|&v| v as f64 / sum).collect()
    };
    if out.iter().any(|v| !v.is_finite()) || probabilities.iter().any(|p| !p.is_finite()) {
        return Err(ExampleError::Model {
            path: model_path,
            problem: format!(
                "the network's outputs for {} are not finite numbers ({out:?}): its weights are too large to \
                 evaluate (the file is damaged, or came from a run that diverged); retrain it",
                args.image.display()
            ),
        });
    }
    let class =
        probabilities.iter().enumerate().fold(0, |best, (i, &p)| if p > probabilities[best] { i } else { best });
    let names = class_names(loaded.dataset.unwrap_or(DatasetChoice::Mnist));
    Ok(Prediction { class, name: names[class].clone(), probabilities, inverted, class_names: names })
}

/// The console report: one line per class, then the answer.
pub fn describe(p: &Prediction) -> String {
    let mut s = String::new();
    if p.inverted {
        s.push_str("(light background: gray levels inverted to match MNIST's white-on-black)\n");
    }
    for (i, prob) in p.probabilities.iter().enumerate() {
        let bar = "#".repeat((prob * 40.0).round() as usize);
        let name = p.class_names.get(i).map(String::as_str).unwrap_or("?");
        s.push_str(&format!("{i} {name:<12} {prob:.4} {bar}\n"));
    }
    s.push_str(&format!("class: {} ({}) with probability {:.4}", p.class, p.name, p.probabilities[p.class]));
    s
}
