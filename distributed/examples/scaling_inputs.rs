//! Measures the inputs of the scaling model in `docs/distributed-scaling.md`:
//!
//! ```text
//! # one training step (forward, backward, SGD update) of the course's CNN
//! # and MLP, per batch size, in one process:
//! target/release/examples/scaling_inputs compute [--threads N]
//! # the sum of gradients across ranks, per message size (shared memory,
//! # then TCP over loopback):
//! mpirun --allow-run-as-root -np 2 target/release/examples/scaling_inputs allreduce
//! mpirun --allow-run-as-root -np 2 --mca btl self,tcp target/release/examples/scaling_inputs allreduce
//! ```
//!
//! Each figure is the minimum or the median of several timed repetitions
//! (the minimum estimates an otherwise idle machine; the model uses it);
//! the output is Markdown tables.

use mpi::collective::SystemOperation;
use mpi::traits::CommunicatorCollectives;
use sinapse::prelude::*;
use sinapse_distributed::MpiGroup;
use std::time::{Duration, Instant};

/// Parameters of the course's CNN (conv32-pool-conv64-pool-dense10).
const CNN_PARAMETERS: usize = 34_826;
/// Parameters of the course's MLP (784-128-10).
const MLP_PARAMETERS: usize = 101_770;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("compute") => {
            let threads = args.iter().position(|a| a == "--threads").and_then(|i| args.get(i + 1));
            if let Some(t) = threads {
                std::env::set_var("MATMUL_NUM_THREADS", t);
                let n = t.parse().expect("--threads N");
                rayon::ThreadPoolBuilder::new().num_threads(n).build_global().expect("first pool");
            }
            compute();
        }
        Some("allreduce") => allreduce(),
        _ => {
            eprintln!("usage: scaling_inputs compute [--threads N] | mpirun -np P scaling_inputs allreduce");
            std::process::exit(2);
        }
    }
}

/// Minimum and median of `reps` timings of `f`, after two untimed runs.
fn timed(reps: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    f();
    f();
    let mut times: Vec<Duration> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    (times[0], times[reps / 2])
}

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

fn mlp(rng: &mut SeededRng) -> Sequential<f32> {
    Sequential::new().add(Linear::new(784, 128, rng)).add(ReLU).add(Linear::new(128, 10, rng))
}

/// One training step of `net` on a random batch of `b` images of shape
/// `image`, timed; the median over repetitions.
fn step_time(net: &mut Sequential<f32>, image: &[usize], b: usize, rng: &mut SeededRng) -> (Duration, Duration) {
    let mut shape = vec![b];
    shape.extend_from_slice(image);
    let x = Tensor::<f32>::rand_uniform(&shape, 0.0, 1.0, rng);
    let labels: Vec<usize> = (0..b).map(|i| (i * 7) % 10).collect();
    let y = sinapse::nn::loss::one_hot::<f32>(&labels, 10);
    let mut opt = Sgd::new(0.01).momentum(Momentum::Classic(0.9));
    // Enough repetitions for a stable median, at most about a second each.
    let reps = (2048 / b).clamp(5, 41);
    timed(reps, || {
        let out = net.forward(&Var::constant(x.clone()));
        let loss = Loss::CategoricalCrossEntropy.compute(&out, &y);
        let grads = loss.backward();
        opt.step_params(&mut net.parameters_mut(), &grads);
    })
}

fn compute() {
    let mut rng = seeded_rng(0);
    println!("| network | batch | step, minimum (ms) | step, median (ms) | images/s at the minimum |");
    println!("|---|---|---|---|---|");
    let nets: [(&str, Sequential<f32>, Vec<usize>); 2] =
        [("cnn", cnn(&mut rng), vec![1, 28, 28]), ("mlp", mlp(&mut rng), vec![784])];
    for (name, mut net, image) in nets {
        for b in [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048] {
            let (min, median) = step_time(&mut net, &image, b, &mut rng);
            sinapse::tensor::memory::release_cached();
            let ms = |d: Duration| d.as_secs_f64() * 1e3;
            println!("| {name} | {b} | {:.3} | {:.3} | {:.0} |", ms(min), ms(median), b as f64 / min.as_secs_f64());
        }
    }
}

fn allreduce() {
    let mut group = MpiGroup::init(Duration::from_secs(60)).expect("MPI starts");
    let world = mpi::topology::SimpleCommunicator::world();
    let (rank, ranks) = (group.rank(), group.ranks());
    let mut sizes: Vec<(String, usize)> = (8..=22).step_by(2).map(|k| (format!("2^{k}"), 1usize << k)).collect();
    // The buffers fit sums: every gradient, the loss and one metric count.
    sizes.push(("cnn".into(), CNN_PARAMETERS + 2));
    sizes.push(("mlp".into(), MLP_PARAMETERS + 2));
    sizes.sort_by_key(|s| s.1);
    if rank == 0 {
        println!("{ranks} ranks");
        println!(
            "| message | f32 values | bytes | rank-order sum, minimum (us) | rank-order sum, median (us) | the same \
             with blocking calls, median (us) | MPI_Allreduce, median (us) |"
        );
        println!("|---|---|---|---|---|---|---|");
    }
    for (label, n) in sizes {
        let mut buffer: Vec<f32> = (0..n).map(|i| (i % 97) as f32 * 1e-3 + rank as f32).collect();
        let mut recv = vec![0.0f32; n];
        // Repetitions: about 0.2 s per size, between 5 and 201, agreed by all.
        let reps = (50_000_000 / (n * 4 + 20_000)).clamp(5, 201);
        world.barrier();
        let (ours_min, ours) = timed(reps, || group.sum_in_rank_order(&mut buffer).expect("the sum completes"));
        world.barrier();
        let (_, blocking) = timed(reps, || blocking_sum(&world, &mut buffer));
        world.barrier();
        let (_, theirs) = timed(reps, || world.all_reduce_into(&buffer[..], &mut recv[..], SystemOperation::sum()));
        // Each rank's figure; the slowest rank's is the step's.
        let mut worst = [ours_min, ours, blocking, theirs].map(|d| d.as_secs_f64());
        let mut all = [0.0f64; 4];
        world.all_reduce_into(&worst[..], &mut all[..], SystemOperation::max());
        worst = all;
        if rank == 0 {
            let us = worst.map(|t| t * 1e6);
            println!("| {label} | {n} | {} | {:.1} | {:.1} | {:.1} | {:.1} |", n * 4, us[0], us[1], us[2], us[3]);
        }
    }
}

/// The rank-order sum with blocking `MPI_Alltoallv` and `MPI_Allgatherv`
/// (no timeout possible), to price the non-blocking calls and their polling.
fn blocking_sum(world: &mpi::topology::SimpleCommunicator, buffer: &mut [f32]) {
    use mpi::datatype::{Partition, PartitionMut};
    use mpi::traits::Communicator;
    let (rank, ranks) = (world.rank() as usize, world.size() as usize);
    let seg = sinapse_distributed::Segments::new(buffer.len(), ranks);
    let mine = seg.len(rank);
    let mut recv = vec![0.0f32; mine * ranks];
    let rc = vec![mine as i32; ranks];
    let rd: Vec<i32> = (0..ranks).map(|r| (r * mine) as i32).collect();
    world.all_to_all_varcount_into(
        &Partition::new(&buffer[..], &seg.counts[..], &seg.displs[..]),
        &mut PartitionMut::new(&mut recv[..], &rc[..], &rd[..]),
    );
    let mut summed = vec![0.0f32; mine];
    sinapse_distributed::sum_in_rank_order(&recv, &mut summed);
    world.all_gather_varcount_into(&summed[..], &mut PartitionMut::new(buffer, &seg.counts[..], &seg.displs[..]));
}
