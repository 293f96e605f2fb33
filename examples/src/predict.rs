//! What the `predict` example reads and prints: its flags, the picture (a
//! 28x28 PNG, 8-bit or 16-bit gray, or RGB/RGBA turned to gray) and the
//! report. The classification itself is in `examples/predict.rs`.

use crate::cli::DatasetChoice;
use crate::error::ExampleError;
use crate::mnist::class_names;
use crate::models::Arch;
use crate::report::MODEL_FILE;
use clap::Parser;
use png::{ColorType, Transformations};
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
    Arch::from_name(s)
        .ok_or_else(|| format!("unknown network '{s}': use perceptron, mlp, cnn, fashion-cnn or swish-mlp"))
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

/// The model file `--model` names: the file itself, or `model.safetensors`
/// in the folder.
pub fn model_path(args: &PredictArgs) -> PathBuf {
    if args.model.is_dir() {
        args.model.join(MODEL_FILE)
    } else {
        args.model.clone()
    }
}

/// The picture's 28x28 gray levels, inverted when `--invert` asks (or, with
/// `auto`, when its border is light), and whether they were.
///
/// # Errors
/// When the file is not a readable PNG or not 28x28.
pub fn read_digit(args: &PredictArgs) -> Result<(Vec<u8>, bool), ExampleError> {
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
    Ok((pixels, inverted))
}

/// Refuses outputs that are not finite numbers, naming the model file.
///
/// # Errors
/// When an output or a probability is NaN or infinite.
pub fn check_finite(args: &PredictArgs, outputs: &[f32], probabilities: &[f64]) -> Result<(), ExampleError> {
    if outputs.iter().any(|v| !v.is_finite()) || probabilities.iter().any(|p| !p.is_finite()) {
        return Err(ExampleError::Model {
            path: model_path(args),
            problem: format!(
                "the network's outputs for {} are not finite numbers ({outputs:?}): its weights are too large to \
                 evaluate (the file is damaged, or came from a run that diverged); retrain it",
                args.image.display()
            ),
        });
    }
    Ok(())
}

/// The ten class names of the data set the model was trained on (MNIST's
/// when the file does not say).
pub fn names(dataset: Option<DatasetChoice>) -> Vec<String> {
    class_names(dataset.unwrap_or(DatasetChoice::Mnist))
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
