//! What a training example leaves in its `--out` folder: the model, the
//! history and metrics as JSON, and the pictures.

use crate::cli::DatasetChoice;
use crate::error::ExampleError;
use crate::mnist::DataSources;
use crate::models::Arch;
use crate::plots::{confusion_matrix, image_grid, line_chart, Palette, Series};
use serde::{Deserialize, Serialize};
use sinapse_nn::{Checkpoint, Module, ModuleExt};
use sinapse_tensor::Tensor;
use sinapse_train::History;
use std::path::{Path, PathBuf};

/// File of the trained parameters in the output folder.
pub const MODEL_FILE: &str = "model.safetensors";
/// Metadata key naming the architecture in [`MODEL_FILE`].
pub const ARCH_KEY: &str = "architecture";
/// Metadata key naming the data set in [`MODEL_FILE`].
pub const DATASET_KEY: &str = "dataset";

/// The summary of a run, written as `metrics.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunMetrics {
    /// The example (`cnn`, `mlp`, ...).
    pub example: String,
    /// The network (`cnn`, `mlp`, `perceptron`, `swish-mlp`).
    pub architecture: String,
    /// `mnist` or `fashion`.
    pub dataset: String,
    /// Accuracy on the test images used.
    pub test_accuracy: f64,
    /// Mean loss on the test images used.
    pub test_loss: f64,
    /// Sum of the epochs' training seconds (validation excluded).
    pub train_seconds: f64,
    /// Each epoch's training seconds.
    pub epoch_seconds: Vec<f64>,
    /// Training images per second over all epochs.
    pub images_per_second: f64,
    /// Epochs trained.
    pub epochs: usize,
    /// Examples per update.
    pub batch_size: usize,
    /// Learning rate (of the first epoch).
    pub learning_rate: f64,
    /// Epochs between divisions of the learning rate by 10 (0: constant).
    pub lr_step: usize,
    /// Seed of weights, shuffles and dropout.
    pub seed: u64,
    /// `--threads` (0: one per core).
    pub threads: usize,
    /// Training images per epoch.
    pub train_examples: usize,
    /// Test images evaluated.
    pub test_examples: usize,
    /// What the per-epoch validation curve measures.
    pub validation: String,
    /// The files the training and test images were read from.
    pub data: DataSources,
    /// Peak resident memory of the process in MB (`VmHWM`), where known.
    pub peak_rss_mb: Option<f64>,
}

/// Peak resident set size of this process in MB, from `VmHWM` in
/// `/proc/self/status` (Linux); `None` elsewhere.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Writes `value` as pretty JSON to `path`.
pub fn write_json(path: &Path, value: &impl Serialize) -> Result<(), ExampleError> {
    let text = serde_json::to_string_pretty(value).expect("plain data serialises");
    std::fs::write(path, text + "\n").map_err(|e| ExampleError::io(path, e))
}

/// Saves the parameters with the architecture and data set in the file's
/// metadata, so `predict` can rebuild the network (atomic write).
pub fn save_model(path: &Path, net: &dyn Module<f32>, arch: Arch, dataset: DatasetChoice) -> Result<(), ExampleError> {
    let mut ckpt = Checkpoint::from_tensors(net.state_dict());
    ckpt.metadata.insert(ARCH_KEY.into(), arch.name().into());
    ckpt.metadata.insert(DATASET_KEY.into(), dataset.name().into());
    ckpt.save(path)?;
    Ok(())
}

/// A model saved by [`save_model`], rebuilt.
pub struct LoadedModel {
    /// The network with the saved parameters.
    pub net: Box<dyn Module<f32>>,
    /// Its architecture.
    pub arch: Arch,
    /// The data set it was trained on, if recorded.
    pub dataset: Option<DatasetChoice>,
}

/// Loads a model file; `arch` overrides (or supplies) the architecture
/// recorded in the file.
pub fn load_model(path: &Path, arch: Option<Arch>) -> Result<LoadedModel, ExampleError> {
    if !path.is_file() {
        return Err(ExampleError::Usage(format!(
            "no model at {}: train one first, e.g. `cargo run --release --example cnn` (it writes out/cnn/{MODEL_FILE})",
            path.display()
        )));
    }
    let ckpt = Checkpoint::<f32>::load(path)?;
    let recorded = ckpt.metadata.get(ARCH_KEY).and_then(|n| Arch::from_name(n));
    let arch = arch.or(recorded).ok_or_else(|| {
        ExampleError::Usage(format!(
            "{} does not say which network it holds: pass --arch perceptron|mlp|cnn|fashion-cnn|swish-mlp",
            path.display()
        ))
    })?;
    let mut net = arch.build(0);
    net.load_state_dict(&ckpt.tensors).map_err(|e| e.in_file(path))?;
    // A loaded model predicts: batch normalization uses its running statistics.
    net.set_training(false);
    let dataset = ckpt.metadata.get(DATASET_KEY).and_then(|d| DatasetChoice::from_name(d));
    Ok(LoadedModel { net, arch, dataset })
}

/// `counts[true][predicted]` over the test images.
pub fn confusion_counts(labels: &[usize], predicted: &[usize], classes: usize) -> Vec<Vec<usize>> {
    let mut counts = vec![vec![0; classes]; classes];
    for (&t, &p) in labels.iter().zip(predicted) {
        counts[t][p] += 1;
    }
    counts
}

/// The first layer's weights as pictures: each output unit's 784 weights as
/// a 28x28 image (dense layers), or each 3x3 kernel (convolutions).
/// Returns `(images, height, width)`, at most `max` of them.
pub fn first_layer_images(net: &dyn Module<f32>, max: usize) -> Option<(Vec<Vec<f32>>, usize, usize)> {
    let params = net.parameters();
    let (_, weight) = params.first()?;
    let w: &Tensor<f32> = weight.value();
    let (h, wd) = match w.shape() {
        [_, 784] => (28, 28),
        [_, 1, kh, kw] => (*kh, *kw),
        _ => return None,
    };
    let data = w.to_vec();
    let per = h * wd;
    Some((data.chunks(per).take(max).map(|c| c.to_vec()).collect(), h, wd))
}

/// The pictures of one run, each written into `out`.
pub struct Pictures<'a> {
    /// The title prefix (e.g. `CNN on MNIST`).
    pub title: &'a str,
    /// The run's history.
    pub history: &'a History,
    /// Class names, index = label.
    pub class_names: &'a [String],
    /// Test labels, in order.
    pub labels: &'a [usize],
    /// Predicted test classes, in order.
    pub predicted: &'a [usize],
    /// The trained network.
    pub net: &'a dyn Module<f32>,
    /// Test image `k` as `784` values in `[0, 1]`.
    pub image: &'a dyn Fn(usize) -> Vec<f32>,
}

/// Draws `loss.png`, `accuracy.png`, `confusion.png`, `filters.png` and
/// `misclassified.png` into `out`; returns the files written.
pub fn write_pictures(out: &Path, p: &Pictures<'_>) -> Result<Vec<PathBuf>, ExampleError> {
    let mut written = Vec::new();
    let h = p.history;
    let get = |name: &str| h.series(name).unwrap_or_default();
    let path = out.join("loss.png");
    let loss =
        [Series::from_values("train", &get("loss")), Series::from_values("validation (test set)", &get("val_loss"))];
    line_chart(&path, &format!("{}: loss", p.title), "epoch", "loss", &loss, true)?;
    written.push(path);
    let path = out.join("accuracy.png");
    let acc = [
        Series::from_values("train", &get("accuracy")),
        Series::from_values("validation (test set)", &get("val_accuracy")),
    ];
    line_chart(&path, &format!("{}: accuracy", p.title), "epoch", "accuracy", &acc, false)?;
    written.push(path);

    let path = out.join("confusion.png");
    let counts = confusion_counts(p.labels, p.predicted, p.class_names.len());
    let short: Vec<String> = p.class_names.iter().map(|n| n.chars().take(7).collect()).collect();
    confusion_matrix(&path, &format!("{}: confusion matrix (test set)", p.title), &counts, &short)?;
    written.push(path);

    if let Some((images, hh, ww)) = first_layer_images(p.net, 64) {
        let path = out.join("filters.png");
        let zoom = if hh <= 5 { 16 } else { 3 };
        let title = format!("{}: first layer, {hh}x{ww} (red < 0 < blue)", p.title);
        image_grid(&path, &title, &images, hh, ww, 8, zoom, None, Palette::Diverging)?;
        written.push(path);
    }

    let wrong: Vec<usize> = (0..p.labels.len()).filter(|&k| p.labels[k] != p.predicted[k]).take(40).collect();
    let path = out.join("misclassified.png");
    let images: Vec<Vec<f32>> = wrong.iter().map(|&k| (p.image)(k)).collect();
    let captions: Vec<String> = wrong.iter().map(|&k| format!("{}/{}", p.labels[k], p.predicted[k])).collect();
    let title = format!("{}: {} misclassified test images (label/prediction)", p.title, count_wrong(p));
    if images.is_empty() {
        // Nothing misclassified: a one-tile picture still says so.
        image_grid(&path, &title, &[vec![0.0; 784]], 28, 28, 1, 2, None, Palette::Gray)?;
    } else {
        image_grid(&path, &title, &images, 28, 28, 10, 2, Some(&captions), Palette::Gray)?;
    }
    written.push(path);
    Ok(written)
}

fn count_wrong(p: &Pictures<'_>) -> usize {
    p.labels.iter().zip(p.predicted).filter(|(a, b)| a != b).count()
}
