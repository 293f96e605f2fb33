//! Training diagnostics: what backpropagation does inside a network, epoch
//! by epoch, measured on a fixed batch of training examples (the probe).
//!
//! [`Diagnostics`] is a [`Callback`] of [`Model::fit_source`]. Before the
//! first epoch and at the end of every epoch it runs the probe forward,
//! keeping each layer's output, and backward once, and records
//!
//! - per weight layer: `||dL/dW||_F` (vanishing gradients show as first
//!   layers with far smaller norms than the last), the epoch's relative
//!   change `||W_end - W_start|| / ||W_start||`, and the largest difference
//!   between two units (0: all units identical, as after zero
//!   initialization);
//! - per hidden activation layer: the fraction of dead ReLU units (0 on
//!   every probe example), the fraction of saturated sigmoid/tanh
//!   activations (`s < 0.01` or `s > 0.99`, `|tanh| > 0.99`) and a histogram.
//!
//! Measuring on a probe rather than on the training batches costs one
//! forward and one backward of a few hundred examples per epoch, and gives
//! numbers that are comparable from epoch to epoch.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use sinapse_examples::diagnostics::Diagnostics;
//! # use sinapse_train::{FitConfig, Model, TensorData};
//! # let (mut model, train): (Model<f32>, TensorData<f32>) = todo!();
//! let mut diagnostics = Diagnostics::from_source(&train, 256);
//! model.fit_source(&train, None, &FitConfig::new(3), &mut [&mut diagnostics])?;
//! diagnostics.write(std::path::Path::new("out"))?;
//! println!("{:?}", diagnostics.epochs().last().unwrap().dead_fraction());
//! # Ok(())
//! # }
//! ```

pub mod figures;
pub mod init_and_activations;
pub mod probe;

use crate::error::ExampleError;
use crate::plots::Series;
use crate::report::write_json;
use figures::{histogram_grid, line_grid, HistogramPanel, LinePanel, YAxis};
pub use probe::{measure, weights_of, ActivationStats, Histogram, Snapshot, WeightStats};
use serde::{Deserialize, Serialize};
use sinapse_tensor::Tensor;
use sinapse_train::{BatchSource, Callback, Control, EpochRecord, FitError, Model};
use std::path::{Path, PathBuf};

/// File of the recorded numbers in the output folder.
pub const JSON_FILE: &str = "diagnostics.json";
/// Picture of gradient norms, update ratios, dead/saturated fractions and
/// the probe loss per epoch.
pub const CURVES_FILE: &str = "diagnostics.png";
/// Picture of the hidden layers' activation histograms.
pub const HISTOGRAMS_FILE: &str = "activations.png";

/// Everything [`Diagnostics`] recorded, as written to [`JSON_FILE`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DiagnosticsReport {
    /// Examples in the probe batch.
    pub probe_examples: usize,
    /// The measurement before the first epoch.
    pub initial: Option<Snapshot>,
    /// One measurement per finished epoch.
    pub epochs: Vec<Snapshot>,
}

/// The training-diagnostics callback: give it to
/// [`Model::fit_source`], then [`write`](Self::write) its figures and JSON.
///
/// Works on models wrapping a [`Sequential`](sinapse_nn::Sequential)
/// (every network of the examples); layers with a parameter named `weight`
/// count as weight layers, `ReLU`, `Sigmoid` and `Tanh` layers before the
/// last layer as hidden activations (for feature maps `[B, C, H, W]` a unit
/// is a channel). `fit` panics through it on a model that is not a
/// `Sequential` or not compiled: a programmer error.
#[derive(Clone, Debug)]
pub struct Diagnostics {
    x: Tensor<f32>,
    y: Tensor<f32>,
    bins: usize,
    start: Vec<Tensor<f32>>,
    report: DiagnosticsReport,
}

impl Diagnostics {
    /// Probes with inputs `x` `[N, ...]` and their targets `y` (in the form
    /// the model's loss takes), histograms of 40 bins.
    ///
    /// # Panics
    /// When `x` and `y` do not have the same first dimension, or it is 0.
    #[track_caller]
    pub fn new(x: Tensor<f32>, y: Tensor<f32>) -> Self {
        let n = x.shape().first().copied().unwrap_or(0);
        assert!(
            n > 0 && y.shape().first() == Some(&n),
            "Diagnostics: probe inputs {:?} and targets {:?} must share a non-zero first dimension",
            x.shape(),
            y.shape()
        );
        let report = DiagnosticsReport { probe_examples: n, ..Default::default() };
        Diagnostics { x, y, bins: 40, start: Vec::new(), report }
    }

    /// Probes with `n` examples of `source` spread evenly over it
    /// (positions `k * len / n`), so a sorted data set still gives every
    /// class; all of them when it has at most `n`.
    ///
    /// # Panics
    /// When `source` is empty or `n` is 0.
    #[track_caller]
    pub fn from_source(source: &dyn BatchSource<f32>, n: usize) -> Self {
        let len = source.len();
        assert!(len > 0 && n > 0, "Diagnostics::from_source: need examples ({len} in the source, {n} asked)");
        let n = n.min(len);
        let positions: Vec<usize> = (0..n).map(|k| k * len / n).collect();
        let (x, y) = source.batch(&positions);
        Self::new(x, y)
    }

    /// Sets the number of histogram bins (at least 1).
    pub fn bins(mut self, bins: usize) -> Self {
        self.bins = bins.max(1);
        self
    }

    /// The measurement before training, once `fit` has started.
    pub fn initial(&self) -> Option<&Snapshot> {
        self.report.initial.as_ref()
    }

    /// One measurement per finished epoch, in order.
    pub fn epochs(&self) -> &[Snapshot] {
        &self.report.epochs
    }

    /// Everything recorded.
    pub fn report(&self) -> &DiagnosticsReport {
        &self.report
    }

    /// The initial measurement followed by the epochs'.
    pub fn snapshots(&self) -> Vec<&Snapshot> {
        self.report.initial.iter().chain(&self.report.epochs).collect()
    }

    fn snapshot(&self, model: &mut Model<f32>, epoch: usize) -> Snapshot {
        let loss = model.loss().expect("Diagnostics: compile the model before fit");
        model.module_mut().set_training(false);
        let net = model.sequential().expect("Diagnostics: the model must wrap a Sequential network");
        let start = (!self.start.is_empty()).then_some(&self.start[..]);
        measure(net, loss, (&self.x, &self.y), epoch, start, self.bins)
    }

    /// Writes [`JSON_FILE`], [`CURVES_FILE`] and [`HISTOGRAMS_FILE`] into
    /// `dir` (created if needed) and returns their paths.
    ///
    /// # Errors
    /// When the folder or a file cannot be written.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>, ExampleError> {
        std::fs::create_dir_all(dir).map_err(|e| ExampleError::io(dir, e))?;
        let json = dir.join(JSON_FILE);
        write_json(&json, &self.report)?;
        let curves = dir.join(CURVES_FILE);
        let snaps = self.snapshots();
        line_grid(&curves, "Training diagnostics on the probe batch", &curve_panels(&snaps), 2, (620, 420))?;
        let histograms = dir.join(HISTOGRAMS_FILE);
        let (panels, columns) = histogram_panels(&snaps);
        let title = "Hidden activations on the probe batch: fraction of values per bin \
                     (ReLU: positive values only, the last bin holds the top 1%)";
        histogram_grid(&histograms, title, &panels, columns, (340, 240))?;
        Ok(vec![json, curves, histograms])
    }
}

impl Callback<f32> for Diagnostics {
    fn on_train_begin(&mut self, model: &mut Model<f32>) -> Result<(), FitError> {
        self.start.clear();
        if self.report.initial.is_none() && self.report.epochs.is_empty() {
            self.report.initial = Some(self.snapshot(model, model.epochs_done()));
        }
        self.start = weights_of(model.sequential().expect("checked by snapshot"));
        Ok(())
    }

    fn on_epoch_end(&mut self, record: &EpochRecord, model: &mut Model<f32>) -> Result<Control, FitError> {
        let snap = self.snapshot(model, record.epoch);
        self.start = weights_of(model.sequential().expect("checked by snapshot"));
        self.report.epochs.push(snap);
        Ok(Control::Continue)
    }
}

/// A curve over the snapshots' epochs of `f`, for each of `count` layers.
fn per_layer(
    snaps: &[&Snapshot],
    count: usize,
    name: impl Fn(usize) -> String,
    f: impl Fn(&Snapshot, usize) -> Option<f64>,
) -> Vec<Series> {
    (0..count)
        .map(|k| Series {
            name: name(k),
            points: snaps.iter().filter_map(|s| f(s, k).map(|v| (s.epoch as f64, v))).collect(),
            dashed: false,
        })
        .collect()
}

/// The four charts of [`CURVES_FILE`].
fn curve_panels(snaps: &[&Snapshot]) -> Vec<LinePanel> {
    let Some(first) = snaps.first() else { return Vec::new() };
    let weights = &first.weights;
    let acts = &first.activations;
    let wname = |k: usize| format!("layer {} ({})", weights[k].layer, weights[k].description);
    let aname = |k: usize| format!("layer {} ({})", acts[k].layer, acts[k].kind);
    let panel = |title: &str, y_label: &str, series, y_axis| LinePanel {
        title: title.into(),
        x_label: "epoch (0: before training)".into(),
        y_label: y_label.into(),
        series,
        y_axis,
    };
    let grads = per_layer(snaps, weights.len(), wname, |s, k| s.weights.get(k).map(|w| w.grad_norm));
    let updates = per_layer(snaps, weights.len(), wname, |s, k| s.weights.get(k).and_then(|w| w.update_ratio));
    let fractions = per_layer(snaps, acts.len(), aname, |s, k| {
        s.activations.get(k).and_then(|a| a.dead_fraction.or(a.saturated_fraction))
    });
    let loss = vec![
        Series {
            name: "loss".into(),
            points: snaps.iter().map(|s| (s.epoch as f64, s.probe_loss)).collect(),
            dashed: false,
        },
        Series {
            name: "accuracy".into(),
            points: snaps.iter().map(|s| (s.epoch as f64, s.probe_accuracy)).collect(),
            dashed: false,
        },
    ];
    vec![
        panel("gradient norm ||dL/dW|| per layer", "||dL/dW||_F", grads, YAxis::Log),
        panel("update ratio ||W_end - W_start|| / ||W_start||", "ratio per epoch", updates, YAxis::Log),
        panel("dead ReLU units / saturated sigmoid-tanh values", "fraction", fractions, YAxis::Fixed(0.0, 1.0)),
        panel("probe loss and accuracy", "value", loss, YAxis::Linear),
    ]
}

/// One histogram per hidden layer and snapshot: rows are layers, columns
/// are at most six snapshots (the first, the last and evenly spaced ones).
fn histogram_panels(snaps: &[&Snapshot]) -> (Vec<HistogramPanel>, usize) {
    let shown: Vec<&Snapshot> = if snaps.len() <= 6 {
        snaps.to_vec()
    } else {
        let mut idx: Vec<usize> = (0..6).map(|k| k * (snaps.len() - 1) / 5).collect();
        idx.dedup();
        idx.into_iter().map(|i| snaps[i]).collect()
    };
    let layers = shown.first().map_or(0, |s| s.activations.len());
    let mut panels = Vec::new();
    for k in 0..layers {
        for s in &shown {
            if let Some(a) = s.activations.get(k) {
                let extra = match (a.dead_fraction, a.zero_fraction, a.saturated_fraction) {
                    (Some(d), Some(z), _) => format!(": {:.0}% zero, {:.0}% dead", 100.0 * z, 100.0 * d),
                    (_, _, Some(f)) => format!(": {:.0}% saturated", 100.0 * f),
                    _ => String::new(),
                };
                panels.push(HistogramPanel {
                    title: format!("layer {} {}, epoch {}{extra}", a.layer, a.kind, s.epoch),
                    histogram: a.histogram.clone(),
                });
            }
        }
    }
    (panels, shown.len().max(1))
}
