//! Pooling and translation invariance: how much do a CNN's features change
//! when a digit moves by one, two or three pixels?
//!
//! A small CNN, `Conv(1 -> 8, 3x3) - ReLU - MaxPool(2) - Conv(8 -> 16, 3x3) -
//! ReLU - MaxPool(2) - Dense(400 -> 10)`, is trained briefly on MNIST
//! (`examples/pooling_invariance.rs`, which also measures the shifts; this
//! module holds the measures, the table and the pictures). Each
//! test digit `x` is then shifted (zeros fill the vacated rows or columns)
//! and, for each representation `f` (raw pixels, the first convolution
//! after ReLU, after pooling, after the second stage), we measure the
//! relative change `||f(shift(x)) - f(x)|| / ||f(x)||`, averaged over the
//! digits and the four directions.
//!
//! A convolution is *equivariant*: shifting the input shifts the feature
//! map, so compared position by position it changes about as much as the
//! pixels. Max pooling keeps only the largest response in each 2x2 window,
//! and a maximum that moves inside its window leaves the output unchanged:
//! the course's "a little translation invariance".
//!
//! Two controls separate the causes: the conv features subsampled at every
//! second position (a smaller map, no summary over a window) and average
//! pooling (a summary, but not a maximum).

use crate::plots::{image_panels, line_chart, ImagePanel, Palette, PlotError, Series};
use sinapse_autograd::Var;
use sinapse_datasets::DatasetError;
use sinapse_nn::prelude::*;
use sinapse_tensor::Tensor;
use std::path::{Path, PathBuf};

/// What can go wrong in the invariance example.
#[derive(Debug, thiserror::Error)]
pub enum InvarianceError {
    /// A setting out of range; the message names the flag.
    #[error("invalid setting: {0}")]
    Config(String),
    /// MNIST could not be loaded or batched.
    #[error("cannot load MNIST: {0}")]
    Data(#[from] DatasetError),
    /// A plot could not be written.
    #[error(transparent)]
    Plot(#[from] PlotError),
}

/// Settings of the experiment.
#[derive(Clone, Debug)]
pub struct InvarianceConfig {
    /// Test digits measured (the first ones of the test set).
    pub n_digits: usize,
    /// Largest shift, in pixels (shifts `0..=max_shift` are measured).
    pub max_shift: usize,
    /// Training images for the CNN (the first ones of the training set);
    /// 0 keeps the random initial weights.
    pub train_images: usize,
    /// Passes over those images.
    pub epochs: usize,
    /// Minibatch size.
    pub batch_size: usize,
    /// Adam's learning rate.
    pub lr: f64,
    /// Seed of the weights and of the batch order.
    pub seed: u64,
}

impl Default for InvarianceConfig {
    fn default() -> Self {
        InvarianceConfig {
            n_digits: 500,
            max_shift: 3,
            train_images: 12_000,
            epochs: 1,
            batch_size: 64,
            lr: 2e-3,
            seed: 1,
        }
    }
}

impl InvarianceConfig {
    /// Checks the settings (they come from the command line).
    ///
    /// # Errors
    /// [`InvarianceError::Config`] naming the setting out of range.
    pub fn check(&self) -> Result<(), InvarianceError> {
        let bad = |m: String| Err(InvarianceError::Config(m));
        if self.n_digits == 0 || self.n_digits > 10_000 {
            return bad(format!("--digits must be between 1 and 10000 (the test set), got {}", self.n_digits));
        }
        if self.max_shift == 0 || self.max_shift > 8 {
            return bad(format!("--max-shift must be between 1 and 8 pixels, got {}", self.max_shift));
        }
        if self.train_images > 60_000 {
            return bad(format!("--train-images must be at most 60000, got {}", self.train_images));
        }
        if self.batch_size == 0 || !(self.lr.is_finite() && self.lr > 0.0) {
            return bad(format!("--batch-size must be >= 1 and --lr > 0 (got {} and {})", self.batch_size, self.lr));
        }
        Ok(())
    }
}

/// A representation of a digit whose change under shifts is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repr {
    /// The 28x28 pixels.
    Pixels,
    /// The first convolution after ReLU, `[8, 26, 26]`.
    Conv,
    /// Control: those features at every second row and column, `[8, 13, 13]`:
    /// the size of the pooled map without a summary over a window.
    Subsampled,
    /// Control: 2x2 average pooling of the conv features, `[8, 13, 13]`.
    AvgPool,
    /// 2x2 max pooling of the conv features, `[8, 13, 13]` (the CNN's own).
    MaxPool,
    /// After the second conv + ReLU + max-pool stage, `[16, 5, 5]`.
    TwoStages,
}

impl Repr {
    /// Every representation, in the order of [`InvarianceRow::change`].
    pub const ALL: [Repr; 6] =
        [Repr::Pixels, Repr::Conv, Repr::Subsampled, Repr::AvgPool, Repr::MaxPool, Repr::TwoStages];

    /// Full name (legends).
    pub fn name(self) -> &'static str {
        match self {
            Repr::Pixels => "raw pixels",
            Repr::Conv => "conv + ReLU",
            Repr::Subsampled => "conv + ReLU, every 2nd pixel (control)",
            Repr::AvgPool => "conv + ReLU + avgpool(2) (control)",
            Repr::MaxPool => "conv + ReLU + maxpool(2)",
            Repr::TwoStages => "two conv + ReLU + maxpool(2) stages",
        }
    }

    /// Column header.
    pub fn short(self) -> &'static str {
        match self {
            Repr::Pixels => "pixels",
            Repr::Conv => "conv",
            Repr::Subsampled => "subsample",
            Repr::AvgPool => "avgpool",
            Repr::MaxPool => "maxpool",
            Repr::TwoStages => "2 stages",
        }
    }
}

/// Moves every image of `x` (`[N, C, H, W]`) by `dy` rows down and `dx`
/// columns right (negative: up, left): `y[.., r, c] = x[.., r - dy, c - dx]`,
/// zero where that falls outside the image.
pub fn shift(x: &Tensor<f32>, dy: isize, dx: isize) -> Tensor<f32> {
    let (h, w) = (x.shape()[2] as isize, x.shape()[3] as isize);
    let x = x.contiguous();
    Tensor::from_fn(x.shape(), |i| {
        let (r, c) = (i[2] as isize - dy, i[3] as isize - dx);
        if (0..h).contains(&r) && (0..w).contains(&c) {
            x.get(&[i[0], i[1], r as usize, c as usize])
        } else {
            0.0
        }
    })
}

/// Mean over the batch of `||b_n - a_n|| / ||a_n||`, where `a_n`, `b_n` are
/// example `n` of `a` and `b` (same shape, batch first). Examples with
/// `a_n = 0` are skipped.
pub fn mean_relative_change(a: &Tensor<f32>, b: &Tensor<f32>) -> f64 {
    assert_eq!(a.shape(), b.shape(), "mean_relative_change: shapes differ");
    let n = a.shape()[0];
    let per = a.numel() / n.max(1);
    let (av, bv) = (a.to_vec(), b.to_vec());
    let mut total = 0.0;
    let mut counted = 0usize;
    for k in 0..n {
        let (ak, bk) = (&av[k * per..(k + 1) * per], &bv[k * per..(k + 1) * per]);
        let norm: f64 = ak.iter().map(|&v| (v as f64).powi(2)).sum::<f64>().sqrt();
        if norm > 0.0 {
            let diff: f64 = ak.iter().zip(bk).map(|(&p, &q)| (p as f64 - q as f64).powi(2)).sum::<f64>().sqrt();
            total += diff / norm;
            counted += 1;
        }
    }
    total / counted.max(1) as f64
}

/// Every [`Repr`] of a batch `[N, 1, 28, 28]` (in the order of
/// [`Repr::ALL`]), plus the logits.
pub fn representations(model: &Sequential<f32>, x: &Tensor<f32>) -> ([Tensor<f32>; 6], Tensor<f32>) {
    no_grad(|| {
        let acts = model.forward_with_activations(&Var::constant(x.clone()));
        let value = |i: usize| acts[i].value().clone();
        let conv = value(1);
        // A 1x1 window with stride 2 keeps every second position: subsampling.
        let subsampled = conv.avg_pool2d((1, 1), (2, 2), (0, 0));
        let averaged = conv.avg_pool2d((2, 2), (2, 2), (0, 0));
        ([x.clone(), conv, subsampled, averaged, value(2), value(5)], value(acts.len() - 1))
    })
}

/// The fraction of `logits` rows whose largest entry is at the label.
pub fn accuracy(logits: &Tensor<f32>, labels: &[usize]) -> f64 {
    let pred = logits.argmax(1);
    let right = pred.iter().zip(labels).filter(|(p, l)| p == l).count();
    right as f64 / labels.len().max(1) as f64
}

/// One shift: the mean relative change of each representation and the
/// CNN's accuracy on the shifted digits.
#[derive(Clone, Debug, PartialEq)]
pub struct InvarianceRow {
    /// Shift in pixels (the same in each of the four directions).
    pub shift: usize,
    /// Mean relative change of each representation, in the order of
    /// [`Repr::ALL`] (index with `change[repr as usize]`).
    pub change: [f64; 6],
    /// Test accuracy of the CNN on the shifted digits.
    pub accuracy: f64,
}

impl InvarianceRow {
    /// The mean relative change of `repr`.
    pub fn get(&self, repr: Repr) -> f64 {
        self.change[repr as usize]
    }
}

/// Everything [`run`](crate::programs::pooling_invariance::run) measured.
#[derive(Clone, Debug)]
pub struct InvarianceReport {
    /// The settings used.
    pub config: InvarianceConfig,
    /// Seconds spent training the CNN.
    pub train_seconds: f64,
    /// Rows for shifts `0..=max_shift`.
    pub rows: Vec<InvarianceRow>,
    /// Pictures: one digit shifted right by 1 and 2 pixels, and the
    /// differences, for the pixels and one channel of the conv, max-pooled
    /// and two-stage features.
    pub panels: Vec<ImagePanel>,
}

impl InvarianceReport {
    /// What the numbers show, in a few sentences computed from them (not
    /// written in advance): what the convolution, the controls and max
    /// pooling do at the smallest shift, whether the ordering holds at every
    /// shift, and what happened to the accuracy.
    pub fn conclusion(&self) -> String {
        let shifted: Vec<&InvarianceRow> = self.rows.iter().filter(|r| r.shift > 0).collect();
        let (Some(first), Some(last)) = (shifted.first(), shifted.last()) else { return String::new() };
        let every = |a: Repr, b: Repr| if shifted.iter().all(|r| r.get(b) < r.get(a)) { "every" } else { "not every" };
        let f = |r: Repr| first.get(r);
        let mut s = format!(
            "At a {}-pixel shift the pixels change by {:.2} and the conv + ReLU features by {:.2}: a convolution \
             moves its feature map with its input (it is equivariant), so it brings {}.\n",
            first.shift,
            f(Repr::Pixels),
            f(Repr::Conv),
            if f(Repr::Conv) < 0.8 * f(Repr::Pixels) {
                "some stability, from blurring over 3x3"
            } else {
                "little invariance"
            }
        );
        s += &format!(
            "Max pooling lowers it to {:.2} ({:.0}% less). Keeping every second position without a maximum gives \
             {:.2}, so the smaller map alone {}; average pooling gives {:.2}. \
             A second conv + pool stage lowers it to {:.2}.\n",
            f(Repr::MaxPool),
            100.0 * (1.0 - f(Repr::MaxPool) / f(Repr::Conv)),
            f(Repr::Subsampled),
            if f(Repr::Subsampled) > f(Repr::AvgPool).max(f(Repr::MaxPool)) {
                "is not what helps: summarizing each window is"
            } else {
                "already helps here"
            },
            f(Repr::AvgPool),
            f(Repr::TwoStages)
        );
        s += &format!(
            "Max-pooled features changed less than unpooled ones at {} shift, two stages less than one at {} shift. ",
            every(Repr::Conv, Repr::MaxPool),
            every(Repr::MaxPool, Repr::TwoStages)
        );
        s += &format!(
            "The invariance is partial: at {} pixels the two-stage features still change by {:.2} (0 would be full \
             invariance), and the CNN's accuracy goes from {:.1}% unshifted to {:.1}%.",
            last.shift,
            last.get(Repr::TwoStages),
            100.0 * self.rows[0].accuracy,
            100.0 * last.accuracy
        );
        s
    }

    /// The table as text: one row per shift, one column per [`Repr`], and
    /// the CNN's accuracy.
    pub fn table(&self) -> String {
        let mut s = format!("{:>5}", "shift");
        for r in Repr::ALL {
            s += &format!(" {:>9}", r.short());
        }
        s += &format!(" {:>8}\n", "CNN acc");
        for row in &self.rows {
            s += &format!("{:>5}", row.shift);
            for c in row.change {
                s += &format!(" {c:>9.3}");
            }
            s += &format!(" {:>7.1}%\n", 100.0 * row.accuracy);
        }
        s
    }
}

/// One digit and its copies shifted right by 1 and 2 pixels, and for each
/// representation (pixels, conv, max-pooled, two stages; one channel, the
/// one that responds most to the digit) a row: the map, the map of the
/// shifted digit, and their difference drawn at the same colour scale, so a
/// pale difference means the representation barely moved.
pub fn pictures(model: &Sequential<f32>, digit: &Tensor<f32>) -> Vec<ImagePanel> {
    let shifts = [0isize, 1, 2];
    let feats: Vec<[Tensor<f32>; 6]> = shifts.iter().map(|&s| representations(model, &shift(digit, 0, s)).0).collect();
    let mut panels = Vec::new();
    for repr in [Repr::Pixels, Repr::Conv, Repr::MaxPool, Repr::TwoStages] {
        let i = repr as usize;
        let t0 = &feats[0][i];
        let strength = |c: usize| t0.select(1, c).sum_all();
        let channel = (0..t0.shape()[1]).max_by(|&a, &b| strength(a).total_cmp(&strength(b))).unwrap_or(0);
        let plane = |t: &Tensor<f32>| t.select(0, 0).select(0, channel);
        let base = plane(t0);
        let (h, w) = (base.shape()[0], base.shape()[1]);
        let scale = base.to_vec().iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let label = if repr == Repr::Pixels { "pixels".to_string() } else { format!("{} ch {channel}", repr.short()) };
        let palette = if repr == Repr::Pixels { Palette::Gray } else { Palette::Diverging };
        panels.push(ImagePanel::new(base.to_vec(), h, w, label, palette).with_scale(scale));
        for (k, &s) in shifts.iter().enumerate().skip(1) {
            let moved = plane(&feats[k][i]);
            let change = mean_relative_change(t0, &feats[k][i]);
            panels.push(ImagePanel::new(moved.to_vec(), h, w, format!("shifted {s}"), palette).with_scale(scale));
            let diff = moved.sub(&base).to_vec();
            let caption = format!("difference ({change:.2})");
            panels.push(ImagePanel::new(diff, h, w, caption, Palette::Diverging).with_scale(scale));
        }
    }
    panels
}

/// Draws the figures into `out` and returns their paths:
/// - `invariance.png`: mean relative change against the shift, one curve
///   per representation;
/// - `accuracy.png`: the CNN's accuracy against the shift;
/// - `feature_maps.png`: a digit, its copies shifted by 1 and 2 pixels and
///   the differences, for the pixels and three feature maps (one per row).
///
/// # Errors
/// [`InvarianceError::Plot`] if a file cannot be written.
pub fn write_plots(report: &InvarianceReport, out: &Path) -> Result<Vec<PathBuf>, InvarianceError> {
    let mut files = Vec::new();
    let series: Vec<Series> = Repr::ALL
        .iter()
        .map(|&repr| Series {
            name: repr.name().to_string(),
            points: report.rows.iter().map(|r| (r.shift as f64, r.get(repr))).collect(),
            // The subsampling control lies on the conv + ReLU curve it
            // controls: dashed, both stay visible.
            dashed: matches!(repr, Repr::Subsampled | Repr::AvgPool),
        })
        .collect();
    let file = out.join("invariance.png");
    line_chart(
        &file,
        &format!("Relative change ||f(shift x) - f(x)|| / ||f(x)||, {} test digits", report.config.n_digits),
        "shift (pixels)",
        "mean relative change",
        &series,
        false,
    )?;
    files.push(file);
    let file = out.join("accuracy.png");
    line_chart(
        &file,
        "CNN accuracy on shifted test digits",
        "shift (pixels)",
        "accuracy",
        &[Series {
            name: "accuracy".into(),
            points: report.rows.iter().map(|r| (r.shift as f64, r.accuracy)).collect(),
            dashed: false,
        }],
        false,
    )?;
    files.push(file);
    let file = out.join("feature_maps.png");
    let title = "Shifted right by 1 and 2 px: each map, and its change";
    image_panels(&file, title, &report.panels, 5, 150)?;
    files.push(file);
    Ok(files)
}
