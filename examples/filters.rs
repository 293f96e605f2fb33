//! Convolution as filtering: hand-written 3x3 kernels (Sobel edges, a
//! Gaussian blur, a sharpen) applied to an MNIST digit with conv2d; the
//! parameters of one filter against a dense layer; "valid" vs "same"
//! padding on a 4x4 example; a 1-D signal smoothed with conv1d and the
//! kernel flip that separates convolution from cross-correlation.
//!
//! ```text
//! cargo run --release --example filters -- --out out/filters
//! ```

use clap::Parser;
use sinapse::datasets::{DataSource, ImageLayout, Mnist, Split};
use sinapse_examples::cli;
use sinapse_examples::filters::{
    apply_kernels, conv_params, course_convolution, course_kernels, cross_correlation, dense_params, format_kernel,
    format_matrix, format_pixels, signal_1d, valid_vs_same, write_plots, FiltersConfig, FiltersError, FiltersReport,
};
use sinapse_examples::{out, outln};
use std::path::PathBuf;

/// Loads the digit, filters it and builds the 1-D demo.
///
/// # Errors
/// [`FiltersError::Config`] for an index out of range, [`FiltersError::Data`]
/// if MNIST cannot be found or read.
pub fn run(config: &FiltersConfig) -> Result<FiltersReport, FiltersError> {
    let test = Mnist::load(Split::Test, &DataSource::standard())?;
    if config.index >= test.len() {
        return Err(FiltersError::Config(format!(
            "--index {} is out of range: the MNIST test set has {} digits (0..{})",
            config.index,
            test.len(),
            test.len()
        )));
    }
    let batch = test.all().batch(&[config.index], ImageLayout::Nchw);
    let (h, w) = (batch.images.shape()[2], batch.images.shape()[3]);
    let kernels = course_kernels();
    let y = apply_kernels(&batch.images, &kernels);
    let outputs = (0..kernels.len()).map(|k| y.select(1, k).to_vec()).collect();
    let (x, k, valid, same) = valid_vs_same();
    Ok(FiltersReport {
        digit: (config.index, test.label(config.index)),
        pixels: test.image(config.index).to_vec(),
        kernels,
        outputs,
        conv: conv_params(3),
        dense: dense_params(h, w),
        padding_demo: [x, k, valid, same],
        signal: signal_1d(config.seed),
    })
}

#[derive(Parser)]
#[command(about = "3x3 filters on an MNIST digit, valid vs same padding, 1-D convolution and the flip")]
struct Args {
    /// Index of the MNIST test digit to filter (0..10000).
    #[arg(long, default_value_t = 0)]
    index: usize,
    /// Seed of the 1-D signal's noise.
    #[arg(long, default_value_t = 3)]
    seed: u64,
    /// Folder for the plots.
    #[arg(long, default_value = "out/filters")]
    out: PathBuf,
}

fn main() {
    cli::run(|| run_example(Args::parse()))
}

fn run_example(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    cli::create_out_dir(&args.out)?;
    let report = run(&FiltersConfig { index: args.index, seed: args.seed })?;

    outln!(
        "MNIST test digit #{} (label {}) as the numbers it is made of, 0 = background, 255 = ink:",
        report.digit.0,
        report.digit.1
    )?;
    outln!("{}\n", format_pixels(&report.pixels, 28))?;
    outln!("The same digit filtered with 'same' padding:\n")?;
    outln!("{:<17} {:>7} {:>7}  {:<44} what it does", "kernel", "min", "max", "kernel rows (as applied, no flip)")?;
    for (k, y) in report.kernels.iter().zip(&report.outputs) {
        let lo = y.iter().copied().fold(f32::INFINITY, f32::min);
        let hi = y.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        outln!("{:<17} {:>7.3} {:>7.3}  {:<44} {}", k.name, lo, hi, format_kernel(&k.weights), k.description)?;
    }
    outln!("\nParameters to map a 28x28 image to a 28x28 image:")?;
    outln!("{:<38} {:>9} {:>7} {:>9}", "layer", "weights", "biases", "total")?;
    let (c, d) = (report.conv, report.dense);
    outln!("{:<38} {:>9} {:>7} {:>9}", "3x3 convolution filter (shared)", c.weights, c.biases, c.total())?;
    outln!("{:<38} {:>9} {:>7} {:>9}", "dense layer 784 -> 784", d.weights, d.biases, d.total())?;
    outln!(
        "The filter needs {}x fewer parameters: each output pixel looks at 9 inputs (sparse connectivity) \
         through the same 9 weights everywhere (parameter sharing).",
        d.total() / c.total()
    )?;

    let [x, k, valid, same] = &report.padding_demo;
    outln!("\nValid vs same padding on a 4x4 input with a 3x3 kernel:")?;
    out!("input 4x4:\n{}", format_matrix(&x.to_vec(), 4, 4, "  "))?;
    out!("kernel 3x3:\n{}", format_matrix(&k.to_vec(), 3, 3, "  "))?;
    out!("valid (no padding) -> 2x2:\n{}", format_matrix(&valid.to_vec(), 2, 2, "  "))?;
    out!("same (one ring of zeros) -> 4x4:\n{}", format_matrix(&same.to_vec(), 4, 4, "  "))?;
    outln!("(the inner 2x2 of 'same' is 'valid'; the border sees zeros where the input has none)")?;

    let (xs, ws) = ([1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 2.0, 3.0]);
    outln!("\n1-D: x = {xs:?}, w = {ws:?}")?;
    outln!("  course convolution s_i = sum_k x_(i-k) w_k (full): {:?}", course_convolution(&xs, &ws))?;
    outln!("  conv1d as computed (cross-correlation, valid):     {:?}", cross_correlation(&xs, &ws))?;
    let reversed: Vec<f64> = ws.iter().rev().copied().collect();
    outln!("  conv1d with the kernel reversed (valid):            {:?}", cross_correlation(&xs, &reversed))?;
    let s = &report.signal;
    outln!(
        "Smoothing a noisy sine with a 9-tap Gaussian: mean squared error to the clean signal {:.4} -> {:.4}",
        s.error(&s.noisy),
        s.error(&s.smoothed)
    )?;
    outln!(
        "Slope of the smoothed signal with w = (1/2, 0, -1/2), correlation with the true slope: \
         convolution (flipped kernel) {:+.3}, cross-correlation (kernel as written) {:+.3}",
        s.slope_agreement(&s.slope_convolution),
        s.slope_agreement(&s.slope_correlation)
    )?;

    let files = write_plots(&report, &args.out)?;
    outln!("\n{} plots written to {}", files.len(), args.out.display())?;
    Ok(())
}
