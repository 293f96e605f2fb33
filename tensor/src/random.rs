//! Seeded random tensors. Every random draw takes an explicit generator, so
//! the same seed always gives the same tensor.

use crate::{Element, Tensor};
use rand::Rng;
use rand_distr::{Distribution, Normal, Uniform};

/// The generator Sinapse uses everywhere: ChaCha8, whose output for a given
/// seed is fixed by its specification (portable across platforms and
/// versions), unlike `rand`'s `StdRng`.
pub type SeededRng = rand_chacha::ChaCha8Rng;

/// A [`SeededRng`] from a 64-bit seed.
pub fn seeded_rng(seed: u64) -> SeededRng {
    use rand::SeedableRng;
    SeededRng::seed_from_u64(seed)
}

impl<T: Element> Tensor<T> {
    /// Independent draws from the uniform distribution on `[low, high)`.
    #[track_caller]
    pub fn rand_uniform<R: Rng + ?Sized>(shape: &[usize], low: T, high: T, rng: &mut R) -> Tensor<T> {
        assert!(low < high, "rand_uniform: empty interval [{low}, {high})");
        let dist = Uniform::new(low.to_f64_lossless(), high.to_f64_lossless()).expect("low < high");
        Self::from_fn(shape, |_| T::from_f64_lossy(dist.sample(rng)))
    }

    /// Independent draws from the normal distribution `N(mean, std^2)`.
    #[track_caller]
    pub fn rand_normal<R: Rng + ?Sized>(shape: &[usize], mean: T, std: T, rng: &mut R) -> Tensor<T> {
        assert!(std >= T::zero() && std.is_finite(), "rand_normal: standard deviation {std} must be finite and >= 0");
        let dist = Normal::new(mean.to_f64_lossless(), std.to_f64_lossless()).expect("valid std");
        Self::from_fn(shape, |_| T::from_f64_lossy(dist.sample(rng)))
    }
}
