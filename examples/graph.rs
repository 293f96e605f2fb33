//! Looking inside the course's networks: their computation graphs as
//! Graphviz pictures, and where a CNN training step spends its time.
//!
//! - `perceptron.dot`: the perceptron (784 -> 10, sigmoid, mean squared
//!   error) on a small batch, each node with its value and its gradient
//!   (min / mean / max) after the backward pass;
//! - `mlp.dot`: the one-hidden-layer network (784 -> 128 ReLU -> 10,
//!   cross-entropy), likewise;
//! - `mlp_backward.dot`: the backward pass itself, recorded with
//!   `create_graph`: the operations that compute the four parameter
//!   gradients, down to the parameters;
//! - with `--profile`: the op profiler's table for forward + backward steps
//!   of the course CNN on a batch of random images (`cnn_profile.txt`).
//!
//! `.png` and `.svg` pictures are rendered next to each `.dot` file when
//! Graphviz's `dot` program is installed (`apt-get install graphviz`).
//!
//! ```text
//! cargo run --release --example graph -- --out out/graph --profile
//! ```

use clap::Parser;
use sinapse_autograd::{
    dot_available, graph_nodes, graph_to_dot, profile, render_dot, BackwardOptions, DotOptions, ImageFormat, Var,
};
use sinapse_examples::{cli, flags};
use sinapse_examples::{out, outln};
use sinapse_nn::prelude::*;
use sinapse_tensor::{seeded_rng, SeededRng, Tensor};
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(about = "Computation graphs of the course's networks, and an op profile of a CNN training step")]
struct Args {
    /// Folder for the .dot files and pictures.
    #[arg(long, default_value = "out/graph")]
    out: PathBuf,
    /// Examples in the batch drawn for the perceptron and the MLP.
    #[arg(long, default_value_t = 8, value_parser = flags::count)]
    batch: usize,
    /// Also profile forward + backward steps of the course CNN.
    #[arg(long)]
    profile: bool,
    /// Batch size of the profiled CNN steps.
    #[arg(long, default_value_t = 128, value_parser = flags::count)]
    cnn_batch: usize,
    /// Number of profiled CNN steps (after one unprofiled warm-up step).
    #[arg(long, default_value_t = 3, value_parser = flags::count)]
    steps: usize,
}

/// Random "images" in `[0, 1)` and class labels cycling through 0..10.
fn batch(rng: &mut SeededRng, shape: &[usize]) -> (Var<f32>, Vec<usize>) {
    let x = Var::constant(Tensor::rand_uniform(shape, 0.0, 1.0, rng));
    let classes = (0..shape[0]).map(|i| (i * 7 + 3) % 10).collect();
    (x, classes)
}

/// Ids of every operation in `loss`'s graph, so that the backward pass keeps
/// their gradients too and the picture can show one on every node.
fn all_ops(loss: &Var<f32>) -> Vec<u64> {
    graph_nodes(&[loss]).iter().filter(|v| !v.is_leaf()).map(Var::id).collect()
}

/// Writes `name.dot` and, when Graphviz is installed, `name.png` and `name.svg`.
fn save(dot: &str, out: &Path, name: &str) -> Result<(), Box<dyn std::error::Error>> {
    let path = out.join(format!("{name}.dot"));
    std::fs::write(&path, dot).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    outln!("wrote {}", path.display())?;
    if dot_available() {
        for format in [ImageFormat::Png, ImageFormat::Svg] {
            let picture = out.join(format!("{name}.{}", format.extension()));
            render_dot(dot, &picture, format)?;
            outln!("wrote {}", picture.display())?;
        }
    }
    Ok(())
}

/// `y = sigmoid(x W^T + b)`, `L = mean((y - onehot)^2)`: the perceptron of
/// the course's first lesson, with its gradients on every node.
fn perceptron(rng: &mut SeededRng, n: usize, out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let layer = Linear::<f32>::new(784, 10, rng);
    let (x, classes) = batch(rng, &[n, 784]);
    let loss = mse(&layer.forward(&x).sigmoid(), &one_hot(&classes, 10), Reduction::Mean);
    let opts = BackwardOptions { retain: all_ops(&loss), ..Default::default() };
    let grads = loss.clone().backward_with_options(Tensor::scalar(1.0), &opts);
    let title = format!("perceptron 784 -> 10, sigmoid, MSE; batch {n}; loss {:.4}", loss.item());
    let dot =
        loss.to_dot(&DotOptions { values: true, gradients: Some(&grads), title: Some(&title), ..Default::default() });
    save(&dot, out, "perceptron")
}

/// A `Linear` layer whose parameters carry `prefix.weight` and `prefix.bias`
/// as names, as `Sequential` lists them, so that the two layers of the MLP
/// can be told apart in the picture (each `Linear` alone calls its own
/// parameters `weight` and `bias`).
fn named_linear(inputs: usize, outputs: usize, prefix: &str, rng: &mut SeededRng) -> Linear<f32> {
    let layer = Linear::<f32>::new(inputs, outputs, rng);
    let weight = Var::parameter(layer.weight().value().clone(), format!("{prefix}.weight"));
    let bias = layer.bias().map(|b| Var::parameter(b.value().clone(), format!("{prefix}.bias")));
    Linear::from_parts(weight, bias)
}

/// The one-hidden-layer network `784 -> 128 (ReLU) -> 10` with the
/// softmax cross-entropy: its forward graph with gradients, then the graph
/// of its backward pass.
fn mlp(rng: &mut SeededRng, n: usize, out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let model = Sequential::new().add(named_linear(784, 128, "0", rng)).add(ReLU).add(named_linear(128, 10, "2", rng));
    let (x, classes) = batch(rng, &[n, 784]);
    let loss = cross_entropy(&model.forward(&x), &classes, Reduction::Mean);

    let opts = BackwardOptions { retain: all_ops(&loss), ..Default::default() };
    let grads = loss.clone().backward_with_options(Tensor::scalar(1.0), &opts);
    let title = format!("MLP 784 -> 128 ReLU -> 10, cross-entropy; batch {n}; loss {:.4}", loss.item());
    let dot =
        loss.to_dot(&DotOptions { values: true, gradients: Some(&grads), title: Some(&title), ..Default::default() });
    save(&dot, out, "mlp")?;

    // Recording the backward pass turns each gradient into a variable with
    // a graph of its own: the backward rules, drawn like any forward code.
    let opts = BackwardOptions { create_graph: true, ..Default::default() };
    let grads = loss.backward_with_options(Tensor::scalar(1.0), &opts);
    let params = model.parameters();
    let dparams: Vec<&Var<f32>> = params.iter().filter_map(|(_, p)| grads.get_var(p)).collect();
    let title =
        "MLP backward pass (create_graph): the graphs of dL/d(0.weight), dL/d(0.bias), dL/d(2.weight), dL/d(2.bias)";
    let dot = graph_to_dot(&dparams, &DotOptions { title: Some(title), ..Default::default() });
    save(&dot, out, "mlp_backward")
}

/// The course CNN: conv(1 -> 32, 3x3) - ReLU - maxpool 2 - conv(32 -> 64,
/// 3x3) - ReLU - maxpool 2 - flatten - dense(1600 -> 10).
fn cnn(rng: &mut SeededRng) -> Sequential<f32> {
    Sequential::new()
        .add(Conv2d::new(1, 32, 3, rng))
        .add(ReLU)
        .add(MaxPool2d::new(2))
        .add(Conv2d::new(32, 64, 3, rng))
        .add(ReLU)
        .add(MaxPool2d::new(2))
        .add(Flatten)
        .add(Linear::new(1600, 10, rng))
}

/// Profiles forward + backward steps of the CNN on one batch of random
/// 28x28 images and writes the table.
fn profile_cnn(rng: &mut SeededRng, args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let model = cnn(rng);
    let (x, classes) = batch(rng, &[args.cnn_batch, 1, 28, 28]);
    let step = || {
        let loss = cross_entropy(&model.forward(&x), &classes, Reduction::Mean);
        let grads = loss.backward();
        grads.len()
    };
    // The first step touches fresh memory; leave it out of the figures.
    step();
    let ((), report) = profile(|| {
        for _ in 0..args.steps {
            std::hint::black_box(step());
        }
    });
    let flops = report.total_flops() as f64;
    let text = format!(
        "course CNN, batch {} of 1x28x28, {} forward + backward steps ({:.1} ms per step, {:.2} GFLOP estimated per step)\n{report}\n",
        args.cnn_batch,
        args.steps,
        report.wall.as_secs_f64() * 1e3 / args.steps.max(1) as f64,
        flops / 1e9 / args.steps.max(1) as f64,
    );
    out!("{text}")?;
    let path = args.out.join("cnn_profile.txt");
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    outln!("wrote {}", path.display())?;
    Ok(())
}

fn main() {
    cli::run(|| run_example(Args::parse()))
}

fn run_example(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    cli::create_out_dir(&args.out)?;
    if !dot_available() {
        outln!("note: Graphviz's `dot` is not installed, writing .dot files only (apt-get install graphviz)")?;
    }
    let mut rng = seeded_rng(7);
    perceptron(&mut rng, args.batch, &args.out)?;
    mlp(&mut rng, args.batch, &args.out)?;
    if args.profile {
        profile_cnn(&mut rng, &args)?;
    }
    Ok(())
}
