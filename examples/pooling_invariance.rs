//! Pooling and translation invariance: a small CNN is trained briefly on
//! MNIST, then test digits are shifted by 1, 2, 3 pixels and we measure how
//! much each representation changes: raw pixels, conv + ReLU features,
//! after max pooling, after two conv + pool stages.
//!
//! ```text
//! cargo run --release --example pooling_invariance -- --out out/pooling_invariance
//! ```

use clap::Parser;
use sinapse::datasets::{BatchConfig, Batches, Subset};
use sinapse::prelude::*;
use sinapse_examples::invariance::{
    accuracy, mean_relative_change, pictures, representations, shift, write_plots, InvarianceConfig, InvarianceError,
    InvarianceReport, InvarianceRow, Repr,
};
use sinapse_examples::{cli, flags};
use sinapse_examples::{out, outln};
use std::path::PathBuf;
use std::time::Instant;

/// The CNN: `Conv(1->8, 3) ReLU MaxPool(2) Conv(8->16, 3) ReLU MaxPool(2)
/// Flatten Dense(400->10)`, 5,258 parameters.
pub fn small_cnn(seed: u64) -> Sequential<f32> {
    let mut rng = seeded_rng(seed);
    Sequential::new()
        .add(Conv2d::new(1, 8, 3, &mut rng))
        .add(ReLU)
        .add(MaxPool2d::new(2))
        .add(Conv2d::new(8, 16, 3, &mut rng))
        .add(ReLU)
        .add(MaxPool2d::new(2))
        .add(Flatten)
        .add(Linear::new(400, 10, &mut rng))
}

/// Trains `model` for `config.epochs` passes over the first
/// `config.train_images` training digits (Adam, cross-entropy).
fn train(model: &mut Sequential<f32>, config: &InvarianceConfig) -> Result<(), InvarianceError> {
    if config.train_images == 0 {
        return Ok(());
    }
    let data = Mnist::load(Split::Train, &DataSource::standard())?;
    let subset = Subset::from_range(&data, 0..config.train_images)?;
    let batches =
        Batches::new(subset, BatchConfig::new(config.batch_size).shuffled(config.seed).layout(ImageLayout::Nchw))?;
    let mut opt = Adam::new(config.lr);
    for epoch in 0..config.epochs {
        for batch in batches.epoch(epoch as u64) {
            let loss = cross_entropy(&model.forward(&Var::constant(batch.images)), &batch.labels, Reduction::Mean);
            let grads = loss.backward();
            opt.step(model, &grads);
        }
    }
    Ok(())
}

/// Trains the CNN, then measures every shift.
///
/// # Errors
/// [`InvarianceError::Config`] for a setting out of range,
/// [`InvarianceError::Data`] if MNIST cannot be read.
pub fn run(config: &InvarianceConfig) -> Result<InvarianceReport, InvarianceError> {
    config.check()?;
    let mut model = small_cnn(config.seed);
    let start = Instant::now();
    train(&mut model, config)?;
    let train_seconds = start.elapsed().as_secs_f64();

    let test = Mnist::load(Split::Test, &DataSource::standard())?;
    let subset = Subset::from_range(&test, 0..config.n_digits)?;
    let batch = subset.batch_all(ImageLayout::Nchw);
    let (base, base_logits) = representations(&model, &batch.images);
    let mut rows = vec![InvarianceRow { shift: 0, change: [0.0; 6], accuracy: accuracy(&base_logits, &batch.labels) }];
    for s in 1..=config.max_shift as isize {
        let mut change = [0.0; 6];
        let mut acc = 0.0;
        let directions = [(0, s), (0, -s), (s, 0), (-s, 0)];
        for (dy, dx) in directions {
            let (moved, logits) = representations(&model, &shift(&batch.images, dy, dx));
            for (c, (a, b)) in change.iter_mut().zip(base.iter().zip(&moved)) {
                *c += mean_relative_change(a, b) / directions.len() as f64;
            }
            acc += accuracy(&logits, &batch.labels) / directions.len() as f64;
        }
        rows.push(InvarianceRow { shift: s as usize, change, accuracy: acc });
    }
    let panels = pictures(&model, &batch.images.narrow(0, 0, 1));
    Ok(InvarianceReport { config: config.clone(), train_seconds, rows, panels })
}

#[derive(Parser)]
#[command(about = "How much do conv and pooled features change when a digit moves by a few pixels?")]
struct Args {
    /// Test digits measured.
    #[arg(long, default_value_t = 500, value_parser = flags::count)]
    digits: usize,
    /// Largest shift in pixels.
    #[arg(long, default_value_t = 3)]
    max_shift: usize,
    /// Training images for the CNN (0: keep the random initial weights).
    #[arg(long, default_value_t = 12_000)]
    train_images: usize,
    /// Passes over the training images.
    #[arg(long, default_value_t = 1, value_parser = flags::count)]
    epochs: usize,
    /// Minibatch size.
    #[arg(long, default_value_t = 64, value_parser = flags::count)]
    batch_size: usize,
    /// Adam's learning rate.
    #[arg(long, default_value_t = 2e-3, value_parser = flags::learning_rate)]
    lr: f64,
    /// Seed of the weights and of the batch order.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Folder for the plots.
    #[arg(long, default_value = "out/pooling_invariance")]
    out: PathBuf,
}

fn main() {
    cli::run(|| run_example(Args::parse()))
}

fn run_example(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    cli::create_out_dir(&args.out)?;
    let config = InvarianceConfig {
        n_digits: args.digits,
        max_shift: args.max_shift,
        train_images: args.train_images,
        epochs: args.epochs,
        batch_size: args.batch_size,
        lr: args.lr,
        seed: args.seed,
    };
    let report = run(&config)?;
    if config.train_images > 0 {
        outln!(
            "CNN Conv(1->8,3x3)-ReLU-MaxPool(2)-Conv(8->16,3x3)-ReLU-MaxPool(2)-Dense(400->10) trained on {} digits \
             for {} epoch(s) in {:.1}s",
            config.train_images,
            config.epochs,
            report.train_seconds
        )?;
    } else {
        outln!("CNN with its random initial weights (no training)")?;
    }
    outln!(
        "Mean relative change ||f(shift x) - f(x)|| / ||f(x)|| over {} test digits and 4 directions:\n",
        config.n_digits
    )?;
    out!("{}", report.table())?;
    outln!()?;
    for repr in Repr::ALL {
        outln!("  {:>9}: {}", repr.short(), repr.name())?;
    }
    outln!("\n{}", report.conclusion())?;
    let files = write_plots(&report, &args.out)?;
    outln!("\n{} plots written to {}", files.len(), args.out.display())?;
    Ok(())
}
