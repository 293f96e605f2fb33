//! A small, seeded training run (a convolution, a pool and two dense layers
//! on random images) with C-ABI exports, so that a WebAssembly build can be
//! run by any host (`run.mjs` runs it in Node.js) and print what a native
//! run of the same code prints (`examples/native.rs`).
//!
//! The layers are large enough to take the kernels' parallel paths in a
//! native build with the `parallel` feature, so the native example with and
//! without it checks that the sequential fallback computes, bit for bit,
//! what the threads do. The WebAssembly and x86-64 losses agree to about
//! one unit in the last place of an `f32`, not bit for bit: on x86-64
//! matrixmultiply uses fused multiply-adds when the CPU has FMA, which
//! WebAssembly SIMD lacks.

use sinapse_nn::prelude::*;
use sinapse_optim::{Momentum, Sgd};
use sinapse_tensor::{seeded_rng, Tensor};
use sinapse_train::{FitConfig, Metric, Model};

/// The outcome of [`train`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    /// The mean training loss of the first epoch.
    pub first_loss: f64,
    /// The mean training loss of the last epoch.
    pub last_loss: f64,
    /// An FNV-1a hash of the bits of every trained parameter and of every
    /// epoch's loss: equal hashes mean equal runs.
    pub hash: u64,
}

/// Trains the network for `epochs` epochs (at least 1) over 128 seeded
/// random 1x26x26 images with 10 classes.
pub fn train(epochs: usize) -> Outcome {
    let epochs = epochs.max(1);
    let mut rng = seeded_rng(5);
    let net = Sequential::<f32>::new()
        .add(Conv2d::new(1, 8, 3, &mut rng))
        .add(ReLU)
        .add(MaxPool2d::new(2))
        .add(Flatten)
        .add(Linear::new(8 * 12 * 12, 256, &mut rng))
        .add(ReLU)
        .add(Linear::new(256, 10, &mut rng));
    let mut model = Model::new(net);
    model.compile(
        Sgd::new(0.05).momentum(Momentum::Classic(0.9)),
        Loss::SparseCategoricalCrossEntropy,
        &[Metric::Accuracy],
    );
    let x = Tensor::<f32>::rand_uniform(&[128, 1, 26, 26], 0.0, 1.0, &mut rng);
    let y = Tensor::<f32>::from_fn(&[128], |i| (i[0] % 10) as f32);
    let config = FitConfig::new(epochs).batch_size(32).seed(3).verbose(0);
    let history = model.fit(&x, &y, &config).expect("training on finite random data succeeds");
    let losses: Vec<f64> = history.epochs.iter().map(|e| e.loss).collect();

    let mut hash = Fnv::new();
    for (_, p) in model.module().parameters() {
        p.value().to_vec().iter().for_each(|v| hash.add(u64::from(v.to_bits())));
    }
    losses.iter().for_each(|l| hash.add(l.to_bits()));
    Outcome { first_loss: losses[0], last_loss: losses[losses.len() - 1], hash: hash.0 }
}

/// FNV-1a over 64-bit words: a fixed, dependency-free hash, the same on
/// every target.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn add(&mut self, word: u64) {
        for byte in word.to_le_bytes() {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// [`train`]'s first-epoch loss, for a WebAssembly host.
#[no_mangle]
pub extern "C" fn smoke_first_loss(epochs: u32) -> f64 {
    train(epochs as usize).first_loss
}

/// [`train`]'s last-epoch loss, for a WebAssembly host.
#[no_mangle]
pub extern "C" fn smoke_last_loss(epochs: u32) -> f64 {
    train(epochs as usize).last_loss
}

/// [`train`]'s hash, for a WebAssembly host (a `BigInt` in JavaScript).
#[no_mangle]
pub extern "C" fn smoke_hash(epochs: u32) -> u64 {
    train(epochs as usize).hash
}
