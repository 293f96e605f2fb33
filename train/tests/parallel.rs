//! Data-parallel `fit` through the `Parallel` hook, without MPI: the ranks
//! are threads of this test, each with its own model, and the group sums
//! their buffers in rank order through shared memory. The MPI group
//! (`sinapse-distributed`) is tested under `mpirun` by the examples' tests.

use sinapse_nn::prelude::*;
use sinapse_optim::{Momentum, Sgd};
use sinapse_tensor::{seeded_rng, Tensor};
use sinapse_train::{FitConfig, FitError, Metric, Model, ModelCheckpoint, Parallel, ParallelError};
use std::sync::{Arc, Barrier, Mutex};

/// What the ranks share: one slot per rank and a barrier.
struct Shared {
    slots: Mutex<Vec<Vec<f32>>>,
    barrier: Barrier,
}

/// One rank of a group of threads.
struct ThreadGroup {
    rank: usize,
    ranks: usize,
    shared: Arc<Shared>,
}

impl ThreadGroup {
    fn group(ranks: usize) -> Vec<ThreadGroup> {
        let shared = Arc::new(Shared { slots: Mutex::new(vec![Vec::new(); ranks]), barrier: Barrier::new(ranks) });
        (0..ranks).map(|rank| ThreadGroup { rank, ranks, shared: shared.clone() }).collect()
    }

    /// Deposits `buffer`, waits for every rank, applies `read` to all the
    /// slots, waits again (so no slot is overwritten while being read).
    fn exchange(&self, buffer: &mut [f32], read: impl FnOnce(&[Vec<f32>], &mut [f32])) {
        self.shared.slots.lock().unwrap()[self.rank] = buffer.to_vec();
        self.shared.barrier.wait();
        read(&self.shared.slots.lock().unwrap(), buffer);
        self.shared.barrier.wait();
    }
}

impl Parallel<f32> for ThreadGroup {
    fn rank(&self) -> usize {
        self.rank
    }

    fn ranks(&self) -> usize {
        self.ranks
    }

    fn sum(&mut self, buffer: &mut [f32]) -> Result<(), ParallelError> {
        self.exchange(buffer, |slots, out| {
            out.copy_from_slice(&slots[0]);
            for slot in &slots[1..] {
                for (o, x) in out.iter_mut().zip(slot) {
                    *o += x;
                }
            }
        });
        Ok(())
    }

    fn broadcast(&mut self, buffer: &mut [f32]) -> Result<(), ParallelError> {
        self.exchange(buffer, |slots, out| out.copy_from_slice(&slots[0]));
        Ok(())
    }
}

/// A group whose peers are gone: every exchange fails.
struct DeadPeers;

impl Parallel<f32> for DeadPeers {
    fn rank(&self) -> usize {
        0
    }

    fn ranks(&self) -> usize {
        2
    }

    fn sum(&mut self, _: &mut [f32]) -> Result<(), ParallelError> {
        Err("rank 1 did not answer".into())
    }

    fn broadcast(&mut self, _: &mut [f32]) -> Result<(), ParallelError> {
        Err("rank 1 did not answer".into())
    }
}

/// 103 points of two interleaved classes: batches of 10 leave a last batch
/// of 3, which 2 and 3 ranks split unevenly (2 + 1, 1 + 1 + 1).
fn data() -> (Tensor<f32>, Tensor<f32>) {
    let mut rng = seeded_rng(7);
    let x = Tensor::<f32>::rand_uniform(&[103, 4], -1.0, 1.0, &mut rng);
    let y = Tensor::from_fn(&[103], |i| {
        if x.get(&[i[0], 0]) + x.get(&[i[0], 1]) * x.get(&[i[0], 2]) > 0.0 {
            1.0
        } else {
            0.0
        }
    });
    (x, y)
}

fn model(seed: u64) -> Model<f32> {
    let mut rng = seeded_rng(seed);
    let net = Sequential::new().add(Linear::new(4, 16, &mut rng)).add(Tanh).add(Linear::new(16, 2, &mut rng));
    let mut m = Model::new(net);
    m.compile(Sgd::new(0.3).momentum(Momentum::Classic(0.9)), Loss::SparseCategoricalCrossEntropy, &[Metric::Accuracy]);
    m
}

fn config() -> FitConfig {
    // Chunks of 4: a rank's shard is itself cut into chunks.
    FitConfig::new(6).batch_size(10).max_chunk(4).seed(3).verbose(0)
}

fn weights(m: &Model<f32>) -> Vec<f32> {
    m.module().parameters().iter().flat_map(|(_, p)| p.value().to_vec()).collect()
}

/// A trained model's weights and its epochs' (loss, accuracy).
type Trained = (Vec<f32>, Vec<(f64, f64)>);

/// Trains alone.
fn alone() -> Trained {
    let (x, y) = data();
    let mut m = model(1);
    let h = m.fit(&x, &y, &config()).unwrap();
    (weights(&m), h.epochs.iter().map(|e| (e.loss, e.metrics["accuracy"])).collect())
}

/// Trains on `ranks` threads; returns each rank's weights and history.
fn on_ranks(ranks: usize, seeds: &[u64]) -> Vec<Result<Trained, FitError>> {
    let handles: Vec<_> = ThreadGroup::group(ranks)
        .into_iter()
        .map(|group| {
            let seed = seeds[group.rank % seeds.len()];
            std::thread::spawn(move || {
                let (x, y) = data();
                let mut m = model(seed);
                m.set_parallel(Box::new(group));
                let h = m.fit(&x, &y, &config())?;
                Ok((weights(&m), h.epochs.iter().map(|e| (e.loss, e.metrics["accuracy"])).collect()))
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn one_rank_is_the_single_process_run_bit_for_bit() {
    let (w, h) = alone();
    let ranks = on_ranks(1, &[1]);
    let (w1, h1) = ranks[0].as_ref().unwrap();
    assert_eq!(bits(&w), bits(w1));
    assert_eq!(&h, h1);
}

#[test]
fn ranks_keep_identical_weights_and_follow_the_single_process_run() {
    let (w, h) = alone();
    for p in [2, 3] {
        let first = on_ranks(p, &[1]);
        let again = on_ranks(p, &[1]);
        let (w0, h0) = first[0].as_ref().unwrap();
        for (r, result) in first.iter().chain(&again).enumerate() {
            let (wr, hr) = result.as_ref().unwrap();
            assert_eq!(bits(w0), bits(wr), "P = {p}: run/rank {r} holds other weights than rank 0");
            assert_eq!(h0, hr, "P = {p}: run/rank {r} reports another history");
        }
        let diff: f32 = w.iter().zip(w0).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        assert!(diff < 1e-5, "P = {p}: weights differ by {diff}");
        assert!(w != *w0 || p == 1, "P = {p}: no rounding difference at all: was the batch split?");
        for ((l, a), (lp, ap)) in h.iter().zip(h0) {
            // The global loss and accuracy over all 103 examples.
            assert!((l - lp).abs() < 1e-5, "P = {p}: loss {l} vs {lp}");
            assert_eq!(a, ap, "P = {p}: accuracy");
        }
    }
}

#[test]
fn ranks_that_start_from_other_weights_are_refused_on_every_rank() {
    for result in on_ranks(2, &[1, 2]) {
        match result {
            Err(FitError::RanksDiffer { ranks: 1, of: 2 }) => {}
            other => panic!("expected RanksDiffer, got {:?}", other.map(|_| ())),
        }
    }
}

#[test]
fn only_rank_0_saves_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let handles: Vec<_> = ThreadGroup::group(2)
        .into_iter()
        .map(|group| {
            let out = dir.path().join(format!("rank{}", group.rank));
            std::thread::spawn(move || {
                let (x, y) = data();
                let mut m = model(1);
                m.set_parallel(Box::new(group));
                let mut checkpoint = ModelCheckpoint::new(&out);
                let data = sinapse_train::TensorData::new(&x, &y);
                m.fit_source(&data, None, &config(), &mut [&mut checkpoint]).unwrap();
                (m.is_writer(), checkpoint.saved().len())
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(results, vec![(true, 6), (false, 0)]);
    assert!(dir.path().join("rank0").join(sinapse_train::TRAINING_STATE_FILE).is_file());
    assert!(!dir.path().join("rank1").exists());
}

#[test]
fn a_failed_exchange_stops_fit_with_the_groups_error() {
    let (x, y) = data();
    let mut m = model(1);
    m.set_parallel(Box::new(DeadPeers));
    match m.fit(&x, &y, &config()) {
        Err(FitError::Distributed(e)) => assert_eq!(e.to_string(), "rank 1 did not answer"),
        other => panic!("expected a distributed error, got {:?}", other.map(|_| ())),
    }
}
