//! Element-wise operations with NumPy broadcasting.
//!
//! Every operation here is one line over two generic drivers: [`Tensor::map`]
//! (one input) and [`Tensor::zip_map`] (two inputs, broadcast to a common
//! shape). Both run on the strided engine, so they accept any view.

use crate::layout::broadcast_shapes;
use crate::strided::map_n;
use crate::{Element, Tensor};

impl<T: Element> Tensor<T> {
    /// `out[i] = f(self[i])`, as a new contiguous tensor.
    pub fn map(&self, f: impl Fn(T) -> T + Sync) -> Tensor<T> {
        let data = map_n([(&self.storage[..], &self.layout)], |[x]| f(x));
        Tensor::from_vec_unchecked(data, self.shape())
    }

    /// `out[i] = f(self[i], other[i])` after broadcasting both to their common
    /// shape. `op` names the operation in the panic raised when the shapes
    /// are incompatible.
    #[track_caller]
    pub fn zip_map(&self, other: &Tensor<T>, op: &str, f: impl Fn(T, T) -> T + Sync) -> Tensor<T> {
        let shape = broadcast_shape_of(op, self.shape(), other.shape());
        let a = self.layout.broadcast_to(&shape).expect("checked by broadcast_shape_of");
        let b = other.layout.broadcast_to(&shape).expect("checked by broadcast_shape_of");
        let data = map_n([(&self.storage[..], &a), (&other.storage[..], &b)], |[x, y]| f(x, y));
        Tensor::from_vec_unchecked(data, &shape)
    }

    /// `out[i] = f(self[i], other[i], third[i])` with all three broadcast.
    #[track_caller]
    pub fn zip3_map(&self, b: &Tensor<T>, c: &Tensor<T>, op: &str, f: impl Fn(T, T, T) -> T + Sync) -> Tensor<T> {
        let ab = broadcast_shape_of(op, self.shape(), b.shape());
        let shape = broadcast_shape_of(op, &ab, c.shape());
        let la = self.layout.broadcast_to(&shape).expect("checked");
        let lb = b.layout.broadcast_to(&shape).expect("checked");
        let lc = c.layout.broadcast_to(&shape).expect("checked");
        let data =
            map_n([(&self.storage[..], &la), (&b.storage[..], &lb), (&c.storage[..], &lc)], |[x, y, z]| f(x, y, z));
        Tensor::from_vec_unchecked(data, &shape)
    }

    /// Element-wise sum `a + b` (broadcasting).
    #[track_caller]
    pub fn add(&self, other: &Tensor<T>) -> Tensor<T> {
        self.zip_map(other, "add", |x, y| x + y)
    }

    /// Element-wise difference `a - b` (broadcasting).
    #[track_caller]
    pub fn sub(&self, other: &Tensor<T>) -> Tensor<T> {
        self.zip_map(other, "sub", |x, y| x - y)
    }

    /// Element-wise (Hadamard) product `a * b` (broadcasting).
    #[track_caller]
    pub fn mul(&self, other: &Tensor<T>) -> Tensor<T> {
        self.zip_map(other, "mul", |x, y| x * y)
    }

    /// Element-wise quotient `a / b` (broadcasting).
    #[track_caller]
    pub fn div(&self, other: &Tensor<T>) -> Tensor<T> {
        self.zip_map(other, "div", |x, y| x / y)
    }

    /// Element-wise `max(a, b)` (broadcasting); NaN in either input gives NaN.
    #[track_caller]
    pub fn maximum(&self, other: &Tensor<T>) -> Tensor<T> {
        self.zip_map(other, "maximum", |x, y| if x.is_nan() || y.is_nan() { T::nan() } else { x.max(y) })
    }

    /// Element-wise `min(a, b)` (broadcasting); NaN in either input gives NaN.
    #[track_caller]
    pub fn minimum(&self, other: &Tensor<T>) -> Tensor<T> {
        self.zip_map(other, "minimum", |x, y| if x.is_nan() || y.is_nan() { T::nan() } else { x.min(y) })
    }

    /// `a + s` for a scalar `s`.
    pub fn add_scalar(&self, s: T) -> Tensor<T> {
        self.map(|x| x + s)
    }

    /// `a * s` for a scalar `s`.
    pub fn mul_scalar(&self, s: T) -> Tensor<T> {
        self.map(|x| x * s)
    }

    /// `-a`.
    pub fn neg(&self) -> Tensor<T> {
        self.map(|x| -x)
    }

    /// `e^a`.
    pub fn exp(&self) -> Tensor<T> {
        self.map(|x| x.exp())
    }

    /// Natural logarithm `ln a` (`-inf` at 0, NaN below).
    pub fn ln(&self) -> Tensor<T> {
        self.map(|x| x.ln())
    }

    /// Square root.
    pub fn sqrt(&self) -> Tensor<T> {
        self.map(|x| x.sqrt())
    }

    /// `a^p` for a real exponent `p`.
    pub fn powf(&self, p: T) -> Tensor<T> {
        self.map(|x| x.powf(p))
    }

    /// `a^2`.
    pub fn square(&self) -> Tensor<T> {
        self.map(|x| x * x)
    }

    /// `1 / a`.
    pub fn recip(&self) -> Tensor<T> {
        self.map(|x| x.recip())
    }

    /// `|a|`.
    pub fn abs(&self) -> Tensor<T> {
        self.map(|x| x.abs())
    }

    /// The sign: -1, 0 or 1 (NaN stays NaN).
    pub fn signum(&self) -> Tensor<T> {
        self.map(|x| if x == T::zero() { T::zero() } else { x.signum() })
    }

    /// Rectified linear unit `relu(a) = max(a, 0)`.
    pub fn relu(&self) -> Tensor<T> {
        self.map(|x| if x > T::zero() { x } else { T::zero() })
    }

    /// Logistic sigmoid `s(a) = 1 / (1 + e^(-a))`, computed so that large
    /// `|a|` never overflows: for `a < 0` it uses `e^a / (1 + e^a)`.
    pub fn sigmoid(&self) -> Tensor<T> {
        self.map(sigmoid_scalar)
    }

    /// Softplus `ln(1 + e^a)`, a smooth ReLU, computed as
    /// `max(a, 0) + ln(1 + e^(-|a|))`: the exponent is never positive, so
    /// large `|a|` neither overflows nor loses the small term.
    pub fn softplus(&self) -> Tensor<T> {
        self.map(|x| x.max(T::zero()) + (-x.abs()).exp().ln_1p())
    }

    /// Leaky ReLU: `a` where `a > 0`, `slope * a` elsewhere.
    pub fn leaky_relu(&self, slope: T) -> Tensor<T> {
        self.map(|x| if x > T::zero() { x } else { slope * x })
    }

    /// ELU: `a` where `a > 0`, `alpha (e^a - 1)` elsewhere (`exp_m1`, exact
    /// near 0).
    pub fn elu(&self, alpha: T) -> Tensor<T> {
        self.map(|x| if x > T::zero() { x } else { alpha * x.exp_m1() })
    }

    /// The standard normal distribution function
    /// `Φ(a) = (1 + erf(a / √2)) / 2`.
    pub fn normal_cdf(&self) -> Tensor<T> {
        self.map(normal_cdf_scalar)
    }

    /// GELU, `a Φ(a)`: the input weighted by the probability that a
    /// standard normal variable is below it.
    pub fn gelu(&self) -> Tensor<T> {
        self.map(|x| x * normal_cdf_scalar(x))
    }

    /// GELU's tanh approximation,
    /// `a (1 + tanh(√(2/π) (a + 0.044715 a³))) / 2` (PyTorch's
    /// `approximate="tanh"`).
    pub fn gelu_tanh(&self) -> Tensor<T> {
        let c = T::from_f64_lossy(GELU_TANH_SCALE);
        let k = T::from_f64_lossy(GELU_TANH_CUBIC);
        let half = T::from_f64_lossy(0.5);
        self.map(move |x| half * x * (T::one() + (c * (x + k * x * x * x)).tanh()))
    }

    /// SiLU (swish), `a s(a)`: the input gated by its own sigmoid.
    pub fn silu(&self) -> Tensor<T> {
        self.map(|x| x * sigmoid_scalar(x))
    }

    /// Hyperbolic tangent `tanh(a) = (e^a - e^(-a)) / (e^a + e^(-a))`.
    pub fn tanh(&self) -> Tensor<T> {
        self.map(|x| x.tanh())
    }

    /// Limits every element to `[lo, hi]`.
    #[track_caller]
    pub fn clamp(&self, lo: T, hi: T) -> Tensor<T> {
        assert!(lo <= hi, "clamp: lower bound {lo} is above upper bound {hi}");
        self.map(|x| x.max(lo).min(hi))
    }

    /// Mask `a > b` as 1.0 / 0.0 (broadcasting).
    #[track_caller]
    pub fn gt(&self, other: &Tensor<T>) -> Tensor<T> {
        self.zip_map(other, "gt", |x, y| mask(x > y))
    }

    /// Mask `a >= b` as 1.0 / 0.0 (broadcasting).
    #[track_caller]
    pub fn ge(&self, other: &Tensor<T>) -> Tensor<T> {
        self.zip_map(other, "ge", |x, y| mask(x >= y))
    }

    /// Mask `a < b` as 1.0 / 0.0 (broadcasting).
    #[track_caller]
    pub fn lt(&self, other: &Tensor<T>) -> Tensor<T> {
        self.zip_map(other, "lt", |x, y| mask(x < y))
    }

    /// Mask `a <= b` as 1.0 / 0.0 (broadcasting).
    #[track_caller]
    pub fn le(&self, other: &Tensor<T>) -> Tensor<T> {
        self.zip_map(other, "le", |x, y| mask(x <= y))
    }

    /// Mask `a == b` as 1.0 / 0.0 (broadcasting).
    #[track_caller]
    pub fn eq_mask(&self, other: &Tensor<T>) -> Tensor<T> {
        self.zip_map(other, "eq_mask", |x, y| mask(x == y))
    }

    /// True when every element is finite (no NaN, no infinity).
    pub fn all_finite(&self) -> bool {
        match self.as_slice() {
            Some(s) => s.iter().all(|x| x.is_finite()),
            None => self.to_vec().iter().all(|x| x.is_finite()),
        }
    }
}

/// The numerically stable logistic function on one value.
/// `√(2/π)`, the scale inside GELU's tanh approximation.
pub const GELU_TANH_SCALE: f64 = 0.797_884_560_802_865_4;

/// The cubic coefficient of GELU's tanh approximation.
pub const GELU_TANH_CUBIC: f64 = 0.044_715;

/// `Φ(x) = (1 + erf(x / √2)) / 2`.
fn normal_cdf_scalar<T: Element>(x: T) -> T {
    let half = T::from_f64_lossy(0.5);
    half * (T::one() + (x * T::from_f64_lossy(std::f64::consts::FRAC_1_SQRT_2)).erf())
}

pub(crate) fn sigmoid_scalar<T: Element>(x: T) -> T {
    if x >= T::zero() {
        T::one() / (T::one() + (-x).exp())
    } else {
        let e = x.exp();
        e / (T::one() + e)
    }
}

fn mask<T: Element>(b: bool) -> T {
    if b {
        T::one()
    } else {
        T::zero()
    }
}

/// The broadcast of two shapes, or a panic naming `op` and both shapes.
#[track_caller]
pub(crate) fn broadcast_shape_of(op: &str, a: &[usize], b: &[usize]) -> Vec<usize> {
    broadcast_shapes(a, b).unwrap_or_else(|| panic!("{op}: shapes {a:?} and {b:?} cannot be broadcast together"))
}
