//! Weight initializers, each drawing from an explicit seeded generator.
//!
//! Fans follow PyTorch and Keras: for a dense weight `[out, in]`,
//! `fan_in = in` and `fan_out = out`; for a convolution kernel
//! `[O, C, KH, KW]`, `fan_in = C*KH*KW` and `fan_out = O*KH*KW` (each input
//! of a unit sees `C*KH*KW` weights).

use rand::Rng;
use sinapse_tensor::{Element, Tensor};

/// How to fill a parameter tensor.
///
/// Dense and convolution layers default to [`Init::GlorotUniform`] for
/// weights and [`Init::Zeros`] for biases, as in Keras.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Init {
    /// All zeros.
    Zeros,
    /// Every element equal to the value.
    Constant(f64),
    /// `w ~ N(mean, std^2)`.
    Normal {
        /// Mean of the distribution.
        mean: f64,
        /// Standard deviation (at least 0).
        std: f64,
    },
    /// `w ~ U(-limit, limit)`.
    Uniform {
        /// Half-width of the interval (greater than 0).
        limit: f64,
    },
    /// Glorot & Bengio (2010): `w ~ U(-a, a)`, `a = sqrt(6 / (fan_in + fan_out))`,
    /// which keeps the variance `2 / (fan_in + fan_out)` (Keras's default).
    GlorotUniform,
    /// The course's form of Glorot's rule: `w ~ U(-e, e)`, `e = 1 / sqrt(n)`
    /// with `n = fan_in` (variance `1 / (3 fan_in)`).
    ///
    /// It is the "standard" heuristic that Glorot & Bengio (2010) start from
    /// before deriving [`Init::GlorotUniform`], and the bound PyTorch's
    /// `Linear` and `Conv2d` draw their weights from by default. For a dense
    /// layer 784 -> 10, `e = 1/28 ~ 0.0357` where `GlorotUniform` gives
    /// `sqrt(6 / 794) ~ 0.0869`; only the fan-in counts, so a layer with many
    /// more outputs than inputs gets larger weights than under `GlorotUniform`.
    ///
    /// ```
    /// use sinapse_nn::{Init, Linear, Module};
    /// use sinapse_tensor::{seeded_rng, Tensor};
    /// let w: Tensor<f64> = Init::GlorotCourse.tensor(&[10, 784], &mut seeded_rng(0));
    /// assert!(w.to_vec().iter().all(|x| x.abs() <= 1.0 / 28.0));
    /// // Any layer that takes an initializer takes this one.
    /// let layer = Linear::<f32>::builder(784, 10).init(Init::GlorotCourse).build(&mut seeded_rng(0));
    /// assert_eq!(layer.num_parameters(), 7_850);
    /// ```
    GlorotCourse,
    /// Glorot & Bengio (2010): `w ~ N(0, s^2)`, `s = sqrt(2 / (fan_in + fan_out))`
    /// (an untruncated normal, as PyTorch's `xavier_normal_`).
    GlorotNormal,
    /// He et al. (2015), for ReLU layers: `w ~ N(0, s^2)`, `s = sqrt(2 / fan_in)`.
    HeNormal,
    /// He et al. (2015): `w ~ U(-a, a)`, `a = sqrt(6 / fan_in)` (variance `2 / fan_in`).
    HeUniform,
}

/// `(fan_in, fan_out)` of a parameter of shape `shape`.
///
/// - `[out, in]`: `(in, out)`;
/// - `[O, C, k1, k2, ...]`: `(C * prod(k), O * prod(k))`;
/// - `[n]`: `(n, n)` (as Keras); `[]`: `(1, 1)`.
pub fn fans(shape: &[usize]) -> (usize, usize) {
    match shape {
        [] => (1, 1),
        [n] => (*n, *n),
        [out, inp, kernel @ ..] => {
            let receptive: usize = kernel.iter().product();
            (inp * receptive, out * receptive)
        }
    }
}

impl Init {
    /// A tensor of `shape` filled by this rule, drawing from `rng`.
    ///
    /// # Panics
    /// When the rule is invalid for the shape (a fan of 0, a negative
    /// standard deviation, a non-positive uniform limit).
    #[track_caller]
    pub fn tensor<T: Element, R: Rng + ?Sized>(&self, shape: &[usize], rng: &mut R) -> Tensor<T> {
        let (fan_in, fan_out) = fans(shape);
        let f = |x: f64| T::from_f64_lossy(x);
        let check_fan = |fan: usize| {
            assert!(fan > 0, "{self:?}: parameter of shape {shape:?} has a fan of 0");
            fan as f64
        };
        match *self {
            Init::Zeros => Tensor::zeros(shape),
            Init::Constant(c) => Tensor::full(shape, f(c)),
            Init::Normal { mean, std } => Tensor::rand_normal(shape, f(mean), f(std), rng),
            Init::Uniform { limit } => {
                assert!(limit > 0.0, "Init::Uniform: limit {limit} must be > 0");
                Tensor::rand_uniform(shape, f(-limit), f(limit), rng)
            }
            Init::GlorotUniform => {
                let a = (6.0 / check_fan(fan_in + fan_out)).sqrt();
                Tensor::rand_uniform(shape, f(-a), f(a), rng)
            }
            Init::GlorotCourse => {
                let e = 1.0 / check_fan(fan_in).sqrt();
                Tensor::rand_uniform(shape, f(-e), f(e), rng)
            }
            Init::GlorotNormal => {
                let s = (2.0 / check_fan(fan_in + fan_out)).sqrt();
                Tensor::rand_normal(shape, T::zero(), f(s), rng)
            }
            Init::HeNormal => {
                let s = (2.0 / check_fan(fan_in)).sqrt();
                Tensor::rand_normal(shape, T::zero(), f(s), rng)
            }
            Init::HeUniform => {
                let a = (6.0 / check_fan(fan_in)).sqrt();
                Tensor::rand_uniform(shape, f(-a), f(a), rng)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sinapse_tensor::seeded_rng;

    #[test]
    fn fans_of_dense_and_conv() {
        assert_eq!(fans(&[10, 784]), (784, 10));
        assert_eq!(fans(&[64, 32, 3, 3]), (32 * 9, 64 * 9));
        assert_eq!(fans(&[5]), (5, 5));
        assert_eq!(fans(&[]), (1, 1));
    }

    #[test]
    fn same_seed_same_weights() {
        let a: Tensor<f32> = Init::GlorotUniform.tensor(&[3, 4], &mut seeded_rng(7));
        let b: Tensor<f32> = Init::GlorotUniform.tensor(&[3, 4], &mut seeded_rng(7));
        let c: Tensor<f32> = Init::GlorotUniform.tensor(&[3, 4], &mut seeded_rng(8));
        assert_eq!(a.to_vec(), b.to_vec());
        assert_ne!(a.to_vec(), c.to_vec());
    }

    #[test]
    fn constants() {
        let z: Tensor<f64> = Init::Zeros.tensor(&[2, 2], &mut seeded_rng(0));
        assert_eq!(z.to_vec(), vec![0.0; 4]);
        let c: Tensor<f64> = Init::Constant(0.5).tensor(&[3], &mut seeded_rng(0));
        assert_eq!(c.to_vec(), vec![0.5; 3]);
    }
}
