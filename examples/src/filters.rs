//! Convolution as filtering: hand-written 3x3 kernels (Sobel edge
//! detectors, a Gaussian blur, a sharpen) slid over an MNIST digit with
//! [`Tensor::conv2d`], the parameter count of one filter against a dense
//! layer, "valid" against "same" padding, and a 1-D signal smoothed with
//! [`Tensor::conv1d`] (where the kernel flip of the course's convolution
//! shows up).
//!
//! Every frameworks' "convolution", ours included, is the cross-correlation
//! `y[i, j] = sum_{a, b} w[a, b] x[i + a, j + b]`: the kernel is applied as
//! written, not flipped. The course's convolution `s_i = sum_k x_(i-k) w_k`
//! is the same operation with the kernel reversed.

use crate::plots::{image_panels, line_chart, ImagePanel, Palette, PlotError, Series};
use sinapse_datasets::DatasetError;
use sinapse_tensor::{seeded_rng, Conv1dParams, Conv2dParams, Tensor};
use std::path::{Path, PathBuf};

/// What can go wrong in the filters example.
#[derive(Debug, thiserror::Error)]
pub enum FiltersError {
    /// A setting out of range; the message names the flag.
    #[error("invalid setting: {0}")]
    Config(String),
    /// MNIST could not be loaded.
    #[error("cannot load the MNIST test set: {0}")]
    Data(#[from] DatasetError),
    /// A plot could not be written.
    #[error(transparent)]
    Plot(#[from] PlotError),
}

/// A named 3x3 kernel, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Kernel {
    /// Short name (file names, captions).
    pub name: &'static str,
    /// What it does, one line.
    pub description: &'static str,
    /// `w[a][b]` at `3 a + b`.
    pub weights: [f32; 9],
}

/// The kernels the example applies, in order: the identity (gives the
/// original back), Sobel for horizontal and vertical edges, a 3x3 Gaussian
/// blur and a sharpen.
pub fn course_kernels() -> Vec<Kernel> {
    vec![
        Kernel {
            name: "identity",
            description: "copies the centre pixel: the original",
            weights: [0., 0., 0., 0., 1., 0., 0., 0., 0.],
        },
        Kernel {
            name: "sobel_horizontal",
            description: "row below minus row above: horizontal edges",
            weights: [-1., -2., -1., 0., 0., 0., 1., 2., 1.],
        },
        Kernel {
            name: "sobel_vertical",
            description: "column right minus column left: vertical edges",
            weights: [-1., 0., 1., -2., 0., 2., -1., 0., 1.],
        },
        Kernel {
            name: "gaussian_blur",
            description: "weighted average of the neighbourhood (weights sum to 1)",
            weights: [1. / 16., 2. / 16., 1. / 16., 2. / 16., 4. / 16., 2. / 16., 1. / 16., 2. / 16., 1. / 16.],
        },
        Kernel {
            name: "sharpen",
            description: "5 x centre minus the 4 neighbours: boosts local contrast",
            weights: [0., -1., 0., -1., 5., -1., 0., -1., 0.],
        },
    ]
}

/// Applies each kernel to one `[1, 1, H, W]` image with "same" padding (one
/// ring of zeros), all at once: the kernels are the `K` output channels of a
/// single `[K, 1, 3, 3]` weight. Returns `[1, K, H, W]`.
///
/// # Panics
/// If `image` is not `[1, 1, H, W]`.
#[track_caller]
pub fn apply_kernels(image: &Tensor<f32>, kernels: &[Kernel]) -> Tensor<f32> {
    assert!(
        image.ndim() == 4 && image.shape()[..2] == [1, 1],
        "apply_kernels: image must be [1, 1, H, W], got {:?}",
        image.shape()
    );
    let weights: Vec<f32> = kernels.iter().flat_map(|k| k.weights).collect();
    let w = Tensor::from_vec(weights, &[kernels.len(), 1, 3, 3]).expect("nine weights per kernel");
    image.conv2d(&w, None, Conv2dParams::same(3, 3))
}

/// Parameters of a layer: weights and biases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamCount {
    /// Number of weights.
    pub weights: usize,
    /// Number of biases.
    pub biases: usize,
}

impl ParamCount {
    /// `weights + biases`.
    pub fn total(&self) -> usize {
        self.weights + self.biases
    }
}

/// Parameters of one `k x k` filter mapping 1 channel to 1 channel:
/// `k^2` weights shared by every position, and one bias. Independent of
/// the image size.
pub fn conv_params(k: usize) -> ParamCount {
    ParamCount { weights: k * k, biases: 1 }
}

/// Parameters of a dense layer mapping an `h x w` image to an `h x w`
/// image: every output pixel has its own weight to every input pixel,
/// `(hw)^2` weights and `hw` biases (`784^2 + 784 = 615,440` for MNIST).
pub fn dense_params(h: usize, w: usize) -> ParamCount {
    ParamCount { weights: (h * w) * (h * w), biases: h * w }
}

/// The course's 4x4 example: a 4x4 input with a vertical edge (bright
/// left half, dark right half) and the 3x3 vertical-edge kernel
/// `[[1, 0, -1]; [1, 0, -1]; [1, 0, -1]]`. Returns `(input, kernel, valid,
/// same)` as `[1, 1, ., .]` tensors: "valid" is 2x2 (`out = in - k + 1`),
/// "same" is 4x4 (one ring of zero padding).
pub fn valid_vs_same() -> (Tensor<f32>, Tensor<f32>, Tensor<f32>, Tensor<f32>) {
    let x = Tensor::from_fn(&[1, 1, 4, 4], |i| if i[3] < 2 { 10.0 } else { 0.0 });
    let w = Tensor::from_vec(vec![1., 0., -1., 1., 0., -1., 1., 0., -1.], &[1, 1, 3, 3]).expect("3x3 kernel");
    let valid = x.conv2d(&w, None, Conv2dParams::valid());
    let same = x.conv2d(&w, None, Conv2dParams::same(3, 3));
    (x, w, valid, same)
}

/// The course's convolution `s_i = sum_k x_(i-k) w_k` of two finite
/// sequences, every `i` where a term is non-zero (`len(x) + len(w) - 1`
/// values), computed with [`Tensor::conv1d`]: reverse the kernel, pad
/// `K - 1` zeros on both sides.
pub fn course_convolution(x: &[f64], w: &[f64]) -> Vec<f64> {
    let reversed: Vec<f64> = w.iter().rev().copied().collect();
    let xt = Tensor::from_vec(x.to_vec(), &[1, 1, x.len()]).expect("signal");
    let wt = Tensor::from_vec(reversed, &[1, 1, w.len()]).expect("kernel");
    xt.conv1d(&wt, None, Conv1dParams::valid().with_padding(w.len() - 1)).to_vec()
}

/// Cross-correlation of `x` with `w`, "valid" part:
/// `y_i = sum_k x_(i+k) w_k`, `len(x) - len(w) + 1` values. What
/// [`Tensor::conv1d`] computes.
pub fn cross_correlation(x: &[f64], w: &[f64]) -> Vec<f64> {
    let xt = Tensor::from_vec(x.to_vec(), &[1, 1, x.len()]).expect("signal");
    let wt = Tensor::from_vec(w.to_vec(), &[1, 1, w.len()]).expect("kernel");
    xt.conv1d(&wt, None, Conv1dParams::valid()).to_vec()
}

/// The 1-D part: a noisy sine, its smoothing by a Gaussian kernel, and its
/// slope by the difference kernel, with and without the flip.
#[derive(Clone, Debug)]
pub struct Signal1d {
    /// The clean signal `sin(2 pi t / 50)`, `t = 0..100`.
    pub clean: Vec<f64>,
    /// Its exact slope `(2 pi / 50) cos(2 pi t / 50)`.
    pub clean_slope: Vec<f64>,
    /// The noisy signal `x_t = sin(2 pi t / 50) + 0.3 N(0, 1)`, `t = 0..100`.
    pub noisy: Vec<f64>,
    /// The Gaussian kernel (9 taps, sigma 2, sum 1; symmetric, so flipping
    /// it changes nothing).
    pub gaussian: Vec<f64>,
    /// `conv1d(noisy, gaussian)` with "same" padding.
    pub smoothed: Vec<f64>,
    /// The difference kernel `w = (1/2, 0, -1/2)`.
    pub difference: Vec<f64>,
    /// Course convolution of `smoothed` with `w` (reversed kernel, "same"
    /// padding): `(x_(t+1) - x_(t-1)) / 2`, the slope.
    pub slope_convolution: Vec<f64>,
    /// Cross-correlation (kernel not reversed), "same" padding:
    /// `(x_(t-1) - x_(t+1)) / 2`, minus the slope.
    pub slope_correlation: Vec<f64>,
}

/// Builds [`Signal1d`] from `seed`.
pub fn signal_1d(seed: u64) -> Signal1d {
    let n = 100;
    let noise = Tensor::<f64>::rand_normal(&[n], 0.0, 0.3, &mut seeded_rng(seed)).to_vec();
    let omega = 2.0 * std::f64::consts::PI / 50.0;
    let clean: Vec<f64> = (0..n).map(|t| (omega * t as f64).sin()).collect();
    let clean_slope: Vec<f64> = (0..n).map(|t| omega * (omega * t as f64).cos()).collect();
    let noisy: Vec<f64> = clean.iter().zip(&noise).map(|(c, e)| c + e).collect();
    let raw: Vec<f64> = (-4..=4).map(|k: i32| (-(k * k) as f64 / (2.0 * 4.0)).exp()).collect();
    let total: f64 = raw.iter().sum();
    let gaussian: Vec<f64> = raw.iter().map(|g| g / total).collect();
    let same = |x: &[f64], w: &[f64]| {
        let xt = Tensor::from_vec(x.to_vec(), &[1, 1, x.len()]).expect("signal");
        let wt = Tensor::from_vec(w.to_vec(), &[1, 1, w.len()]).expect("kernel");
        xt.conv1d(&wt, None, Conv1dParams::same(w.len())).to_vec()
    };
    let smoothed = same(&noisy, &gaussian);
    let difference = vec![0.5, 0.0, -0.5];
    let reversed: Vec<f64> = difference.iter().rev().copied().collect();
    Signal1d {
        slope_convolution: same(&smoothed, &reversed),
        slope_correlation: same(&smoothed, &difference),
        clean,
        clean_slope,
        noisy,
        gaussian,
        smoothed,
        difference,
    }
}

/// Settings of the filters example.
#[derive(Clone, Debug)]
pub struct FiltersConfig {
    /// Which MNIST test digit to filter (`0..10000`).
    pub index: usize,
    /// Seed of the 1-D signal's noise.
    pub seed: u64,
}

impl Signal1d {
    /// Mean squared distance of `v` from the clean signal, over the
    /// positions at least 4 steps from either end (where the 9-tap kernel
    /// does not reach into the zero padding).
    pub fn error(&self, v: &[f64]) -> f64 {
        let inner = 4..self.clean.len() - 4;
        let n = inner.len() as f64;
        inner.map(|t| (v[t] - self.clean[t]).powi(2)).sum::<f64>() / n
    }
}

impl Signal1d {
    /// Pearson correlation of `v` with the true slope over the inner
    /// positions: near +1 for the slope, near -1 for minus the slope.
    pub fn slope_agreement(&self, v: &[f64]) -> f64 {
        let inner: Vec<usize> = (4..self.clean.len() - 4).collect();
        let n = inner.len() as f64;
        let mean = |f: &dyn Fn(usize) -> f64| inner.iter().map(|&t| f(t)).sum::<f64>() / n;
        let (ma, mb) = (mean(&|t| v[t]), mean(&|t| self.clean_slope[t]));
        let cov = mean(&|t| (v[t] - ma) * (self.clean_slope[t] - mb));
        let (va, vb) = (mean(&|t| (v[t] - ma).powi(2)), mean(&|t| (self.clean_slope[t] - mb).powi(2)));
        cov / (va * vb).sqrt().max(f64::MIN_POSITIVE)
    }
}

impl Default for FiltersConfig {
    fn default() -> Self {
        FiltersConfig { index: 0, seed: 3 }
    }
}

/// Everything the filters example computes.
#[derive(Clone, Debug)]
pub struct FiltersReport {
    /// The digit's index in the test set and its label.
    pub digit: (usize, u8),
    /// Its 28x28 pixels as stored, 0 (background) to 255 (ink), row-major:
    /// the matrix of numbers the network sees, before `/ 255`.
    pub pixels: Vec<u8>,
    /// The kernels, in the order of `outputs`.
    pub kernels: Vec<Kernel>,
    /// The 28x28 response to each kernel (row-major); the identity's is the
    /// original image.
    pub outputs: Vec<Vec<f32>>,
    /// One 3x3 filter.
    pub conv: ParamCount,
    /// A dense layer from the 28x28 image to a 28x28 image.
    pub dense: ParamCount,
    /// [`valid_vs_same`]: input, kernel, valid output, same output.
    pub padding_demo: [Tensor<f32>; 4],
    /// The 1-D signal.
    pub signal: Signal1d,
}

/// A picture's pixels as a matrix of numbers, one image row per line, each
/// value right-aligned in 3 characters (`  0` to `255`).
pub fn format_pixels(pixels: &[u8], width: usize) -> String {
    pixels
        .chunks(width.max(1))
        .map(|row| row.iter().map(|p| format!("{p:>3}")).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Draws the figures into `out` and returns their paths:
/// - `filters.png`: each filtered digit above its kernel;
/// - `valid_same.png`: the 4x4 example with both paddings;
/// - `conv1d_smoothing.png`: the noisy signal and its smoothing;
/// - `conv1d_flip.png`: its slope by convolution and by cross-correlation.
///
/// # Errors
/// [`FiltersError::Plot`] if a file cannot be written.
pub fn write_plots(report: &FiltersReport, out: &Path) -> Result<Vec<PathBuf>, FiltersError> {
    let mut panels = Vec::new();
    for (k, img) in report.kernels.iter().zip(&report.outputs) {
        let palette = if k.name == "identity" { Palette::Gray } else { Palette::Diverging };
        let caption = if k.name == "identity" { format!("digit {}", report.digit.1) } else { k.name.to_string() };
        panels.push(ImagePanel::new(img.clone(), 28, 28, caption, palette));
    }
    for k in &report.kernels {
        let caption = format!("{} kernel", k.name);
        panels.push(ImagePanel::new(k.weights.to_vec(), 3, 3, caption, Palette::Diverging).with_values_shown());
    }
    let mut files = Vec::new();
    let file = out.join("filters.png");
    let title = format!("MNIST test digit #{} through 3x3 kernels (blue +, red -)", report.digit.0);
    image_panels(&file, &title, &panels, report.kernels.len(), 168)?;
    files.push(file);

    let [x, k, valid, same] = &report.padding_demo;
    let panel = |t: &Tensor<f32>, caption: &str| {
        ImagePanel::new(t.to_vec(), t.shape()[2], t.shape()[3], caption, Palette::Diverging).with_values_shown()
    };
    let file = out.join("valid_same.png");
    image_panels(
        &file,
        "4x4 input, 3x3 kernel: valid (2x2) vs same (4x4, zero padding)",
        &[panel(x, "input 4x4"), panel(k, "kernel 3x3"), panel(valid, "valid: 2x2"), panel(same, "same: 4x4")],
        4,
        168,
    )?;
    files.push(file);

    let s = &report.signal;
    let series = |name: &str, v: &[f64]| Series {
        name: name.to_string(),
        points: v.iter().enumerate().map(|(t, &y)| (t as f64, y)).collect(),
        dashed: false,
    };
    let file = out.join("conv1d_smoothing.png");
    line_chart(
        &file,
        "1-D convolution: a noisy sine smoothed by a 9-tap Gaussian kernel",
        "t",
        "x_t",
        &[
            series("noisy signal", &s.noisy),
            series("smoothed = conv1d(noisy, Gaussian)", &s.smoothed),
            series("clean sin(2 pi t / 50)", &s.clean),
        ],
        false,
    )?;
    files.push(file);
    let file = out.join("conv1d_flip.png");
    line_chart(
        &file,
        "Slope of the smoothed signal with w = (1/2, 0, -1/2): the flip matters",
        "t",
        "slope",
        &[
            series("true slope of the clean sine", &s.clean_slope),
            series("convolution (kernel flipped) = slope", &s.slope_convolution),
            series("cross-correlation (not flipped) = -slope", &s.slope_correlation),
        ],
        false,
    )?;
    files.push(file);
    Ok(files)
}

/// A value with at most four decimals and no trailing zeros (`10`, `-1`,
/// `0.0625`).
fn number(v: f32) -> String {
    let text = format!("{v:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

/// `rows x cols` values as text, one row per line, each indented by
/// `indent`, each value right-aligned in 6 columns.
pub fn format_matrix(values: &[f32], rows: usize, cols: usize, indent: &str) -> String {
    let mut s = String::new();
    for r in 0..rows {
        s += indent;
        for c in 0..cols {
            s += &format!("{:>6}", number(values[r * cols + c]));
        }
        s += "\n";
    }
    s
}

/// A 3x3 kernel on one line, rows separated by `|`: `-1 -2 -1 | 0 0 0 | 1 2 1`.
pub fn format_kernel(weights: &[f32; 9]) -> String {
    let row = |r: usize| weights[3 * r..3 * r + 3].iter().map(|&v| number(v)).collect::<Vec<_>>().join(" ");
    format!("{} | {} | {}", row(0), row(1), row(2))
}
