//! Pooling and translation invariance: a small CNN is trained briefly on
//! MNIST, then test digits are shifted by 1, 2, 3 pixels and we measure how
//! much each representation changes: raw pixels, conv + ReLU features,
//! after max pooling, after two conv + pool stages.
//!
//! ```text
//! cargo run --release --example pooling_invariance -- --out out/pooling_invariance
//! ```

use clap::Parser;
use sinapse_examples::invariance::{run, write_plots, InvarianceConfig, Repr};
use sinapse_examples::{cli, flags};
use sinapse_examples::{out, outln};
use std::path::PathBuf;

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
