//! Inverted dropout.

use crate::Module;
use rand::Rng;
use sinapse_autograd::Var;
use sinapse_tensor::{seeded_rng, Element, SeededRng, Tensor};
use std::sync::Mutex;

/// Inverted dropout: in training mode `y = x * m / (1 - p)` with
/// `m_i ~ Bernoulli(1 - p)` drawn anew at every call; in evaluation mode
/// `y = x`. Dividing by `1 - p` keeps `E[y] = x`, so nothing changes at test
/// time. Any shape; no parameters.
///
/// The masks come from the layer's own generator, seeded at construction,
/// so a run is reproducible. (The generator sits behind a mutex because
/// `forward` takes `&self`; the layer stays `Send + Sync`.)
pub struct Dropout {
    p: f64,
    training: bool,
    rng: Mutex<SeededRng>,
}

impl Dropout {
    /// Drops each element with probability `p` (`0 <= p < 1`), with masks
    /// drawn from a generator seeded with `seed`.
    ///
    /// # Panics
    /// When `p` is outside `[0, 1)`.
    #[track_caller]
    pub fn new(p: f64, seed: u64) -> Self {
        assert!((0.0..1.0).contains(&p), "Dropout: probability {p} must be in [0, 1)");
        Dropout { p, training: true, rng: Mutex::new(seeded_rng(seed)) }
    }

    /// The drop probability `p`.
    pub fn p(&self) -> f64 {
        self.p
    }

    /// True in training mode (the default).
    pub fn is_training(&self) -> bool {
        self.training
    }
}

impl<T: Element> Module<T> for Dropout {
    fn forward(&self, x: &Var<T>) -> Var<T> {
        if !self.training || self.p == 0.0 {
            return x.clone();
        }
        let scale = T::from_f64_lossy(1.0 / (1.0 - self.p));
        let mask = {
            let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
            Tensor::from_fn(x.shape(), |_| if rng.random::<f64>() >= self.p { scale } else { T::zero() })
        };
        x.mul(&Var::constant(mask))
    }

    fn describe(&self) -> String {
        format!("Dropout(p = {})", self.p)
    }

    fn output_shape(&self, input: &[usize]) -> Vec<usize> {
        input.to_vec()
    }

    fn set_training(&mut self, training: bool) {
        self.training = training;
    }

    /// Restarts the mask generator from `seed`.
    fn reseed(&mut self, seed: u64) {
        *self.rng.get_mut().unwrap_or_else(|e| e.into_inner()) = seeded_rng(seed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_expectation_and_is_identity_in_eval() {
        let mut d = Dropout::new(0.25, 3);
        let x = Var::constant(Tensor::<f64>::ones(&[100, 100]));
        let y = d.forward(&x).value().to_vec();
        let kept = y.iter().filter(|&&v| v != 0.0).count() as f64 / 10_000.0;
        // 10,000 Bernoulli(0.75) draws: standard deviation of the kept
        // fraction is sqrt(0.75 * 0.25 / 10^4) ~ 0.0043; 0.02 is over 4 sigma.
        assert!((kept - 0.75).abs() < 0.02, "kept fraction {kept}");
        assert!(y.iter().all(|&v| v == 0.0 || (v - 1.0 / 0.75).abs() < 1e-12));
        Module::<f64>::set_training(&mut d, false);
        assert_eq!(d.forward(&x).value().to_vec(), vec![1.0; 10_000]);
    }

    #[test]
    fn same_seed_same_masks() {
        let x = Var::constant(Tensor::<f32>::ones(&[50]));
        let a = Dropout::new(0.5, 9).forward(&x).value().to_vec();
        let b = Dropout::new(0.5, 9).forward(&x).value().to_vec();
        assert_eq!(a, b);
    }
}
