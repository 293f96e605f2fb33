//! Element-wise functions and their derivatives, side by side.
//!
//! Rules that can be written with the output `z` reuse it (`exp`, `sigmoid`,
//! `tanh`, `sqrt`), so the backward pass does not recompute the function.
//! Kinks (`relu` at 0, `abs` at 0, ties in `maximum`) take the derivative 0
//! or the left input's side, like PyTorch.

use crate::op_def::{operators, Cost, OpDef};
use crate::Var;
use sinapse_tensor::{Element, Tensor, GELU_TANH_CUBIC, GELU_TANH_SCALE};

operators! {
    /// [`Var::exp`].
    pub static EXP: OpDef = OpDef { name: "exp", forward: "e^x", backward: "dx = g z", cost: Cost::Elementwise };
    /// [`Var::ln`].
    pub static LN: OpDef = OpDef { name: "ln", forward: "ln x", backward: "dx = g / x", cost: Cost::Elementwise };
    /// [`Var::sqrt`].
    pub static SQRT: OpDef = OpDef { name: "sqrt", forward: "√x", backward: "dx = g / (2 z)", cost: Cost::Elementwise };
    /// [`Var::powf`].
    pub static POWF: OpDef =
        OpDef { name: "powf", forward: "x^p", backward: "dx = g p x^(p-1)", cost: Cost::Elementwise };
    /// [`Var::square`].
    pub static SQUARE: OpDef = OpDef { name: "square", forward: "x²", backward: "dx = 2 g x", cost: Cost::Elementwise };
    /// [`Var::abs`].
    pub static ABS: OpDef = OpDef { name: "abs", forward: "|x|", backward: "dx = g sign(x)", cost: Cost::Elementwise };
    /// [`Var::relu`].
    pub static RELU: OpDef =
        OpDef { name: "relu", forward: "max(x, 0)", backward: "dx = g [z > 0]", cost: Cost::Elementwise };
    /// [`Var::relu_backward`].
    pub static RELU_BACKWARD: OpDef = OpDef {
        name: "relu_backward",
        forward: "g [z > 0] (z fixed)",
        backward: "dg = gg [z > 0]",
        cost: Cost::Elementwise,
    };
    /// [`Var::sigmoid`].
    pub static SIGMOID: OpDef = OpDef {
        name: "sigmoid",
        forward: "σ(x) = 1 / (1 + e^(-x))",
        backward: "dx = g z (1 - z)",
        cost: Cost::Elementwise,
    };
    /// [`Var::softplus`].
    pub static SOFTPLUS: OpDef =
        OpDef { name: "softplus", forward: "ln(1 + e^x)", backward: "dx = g σ(x)", cost: Cost::Elementwise };
    /// [`Var::leaky_relu`].
    pub static LEAKY_RELU: OpDef = OpDef {
        name: "leaky_relu",
        forward: "x if x > 0, a x otherwise",
        backward: "dx = g [x > 0] + a g [x ≤ 0]",
        cost: Cost::Elementwise,
    };
    /// [`Var::elu`].
    pub static ELU: OpDef = OpDef {
        name: "elu",
        forward: "x if x > 0, a (e^x - 1) otherwise",
        backward: "dx = g [x > 0] + g (z + a) [x ≤ 0]",
        cost: Cost::Elementwise,
    };
    /// [`Var::normal_cdf`].
    pub static NORMAL_CDF: OpDef = OpDef {
        name: "normal_cdf",
        forward: "Φ(x) = (1 + erf(x / √2)) / 2",
        backward: "dx = g φ(x), φ(x) = e^(-x²/2) / √(2π)",
        cost: Cost::Elementwise,
    };
    /// [`Var::gelu`].
    pub static GELU: OpDef =
        OpDef { name: "gelu", forward: "x Φ(x)", backward: "dx = g (Φ(x) + x φ(x))", cost: Cost::Elementwise };
    /// [`Var::gelu_tanh`].
    pub static GELU_TANH: OpDef = OpDef {
        name: "gelu_tanh",
        forward: "x (1 + t) / 2, t = tanh(c (x + k x³)), c = √(2/π), k = 0.044715",
        backward: "dx = g ((1 + t) / 2 + x (1 - t²) c (1 + 3 k x²) / 2)",
        cost: Cost::Elementwise,
    };
    /// [`Var::silu`].
    pub static SILU: OpDef = OpDef {
        name: "silu",
        forward: "x σ(x)",
        backward: "dx = g σ(x) (1 + x (1 - σ(x)))",
        cost: Cost::Elementwise,
    };
    /// [`Var::tanh`].
    pub static TANH: OpDef =
        OpDef { name: "tanh", forward: "tanh x", backward: "dx = g (1 - z²)", cost: Cost::Elementwise };
    /// [`Var::maximum`].
    pub static MAXIMUM: OpDef = OpDef {
        name: "maximum",
        forward: "max(x, y), broadcast",
        backward: "dx = g [x ≥ y], dy = g [x < y]",
        cost: Cost::Elementwise,
    };
    /// [`Var::minimum`].
    pub static MINIMUM: OpDef = OpDef {
        name: "minimum",
        forward: "min(x, y), broadcast",
        backward: "dx = g [x ≤ y], dy = g [x > y]",
        cost: Cost::Elementwise,
    };
}

impl<T: Element> Var<T> {
    /// `e^x`. Backward: `dx = g * e^x = g * z`.
    #[track_caller]
    pub fn exp(&self) -> Var<T> {
        Var::from_op(&EXP, &[self], || self.value().exp(), |z, g, _| vec![Some(g.mul(z))])
    }

    /// `ln x`. Backward: `dx = g / x`.
    #[track_caller]
    pub fn ln(&self) -> Var<T> {
        Var::from_op(&LN, &[self], || self.value().ln(), |_, g, x| vec![Some(g.div(&x[0]))])
    }

    /// `sqrt x`. Backward: `dx = g / (2 sqrt x) = g / (2 z)`.
    #[track_caller]
    pub fn sqrt(&self) -> Var<T> {
        Var::from_op(
            &SQRT,
            &[self],
            || self.value().sqrt(),
            |z, g, _| vec![Some(g.div(z).mul_scalar(T::from_f64_lossy(0.5)))],
        )
    }

    /// `x^p` for a real constant `p`. Backward: `dx = g * p * x^(p-1)`.
    #[track_caller]
    pub fn powf(&self, p: T) -> Var<T> {
        Var::from_op(
            &POWF,
            &[self],
            || self.value().powf(p),
            move |_, g, x| vec![Some(g.mul(&x[0].powf(p - T::one()).mul_scalar(p)))],
        )
    }

    /// `x^2`. Backward: `dx = 2 g x`.
    #[track_caller]
    pub fn square(&self) -> Var<T> {
        Var::from_op(
            &SQUARE,
            &[self],
            || self.value().square(),
            |_, g, x| vec![Some(g.mul(&x[0]).mul_scalar(T::from_f64_lossy(2.0)))],
        )
    }

    /// `|x|`. Backward: `dx = g * sign(x)` (0 at x = 0).
    #[track_caller]
    pub fn abs(&self) -> Var<T> {
        Var::from_op(
            &ABS,
            &[self],
            || self.value().abs(),
            |_, g, x| vec![Some(g.mul(&Var::constant(x[0].value().signum())))],
        )
    }

    /// `relu(x) = max(x, 0)`. Backward: `dx = g * [x > 0]`.
    ///
    /// The mask is read from the output (`z > 0` exactly where `x > 0`) in
    /// the same pass that applies it, so the backward is one sweep over `g`.
    #[track_caller]
    pub fn relu(&self) -> Var<T> {
        Var::from_op(&RELU, &[self], || self.value().relu(), |z, g, _| vec![Some(g.relu_backward(z.value()))])
    }

    /// ReLU's backward pass, called on the output gradient `self = g` with
    /// the ReLU output `z`: `dx = g * [z > 0]`, as one pass (where the mask
    /// is 0 the result is 0 even for an infinite or NaN `g`, as in PyTorch).
    /// Backward: the same masking of the incoming gradient (the map is linear
    /// in `g`, and the mask is constant almost everywhere), so ReLU networks
    /// can be differentiated twice.
    #[track_caller]
    pub fn relu_backward(&self, z: &Tensor<T>) -> Var<T> {
        let forward = || self.value().zip_map(z, "relu_backward", |g, z| if z > T::zero() { g } else { T::zero() });
        let z = z.clone();
        Var::from_op(&RELU_BACKWARD, &[self], forward, move |_, gg, _| vec![Some(gg.relu_backward(&z))])
    }

    /// Logistic sigmoid `s(x) = 1 / (1 + e^(-x))`, stable for large `|x|`.
    /// Backward: `dx = g * s(x) * (1 - s(x)) = g * z * (1 - z)`.
    #[track_caller]
    pub fn sigmoid(&self) -> Var<T> {
        Var::from_op(
            &SIGMOID,
            &[self],
            || self.value().sigmoid(),
            |z, g, _| vec![Some(g.mul(&z.mul(&z.rsub_scalar(T::one()))))],
        )
    }

    /// Softplus `ln(1 + e^x)`, a smooth ReLU (stable for any `x`, see
    /// [`Tensor::softplus`]). Backward: `dx = g σ(x)`, the sigmoid being
    /// softplus's derivative; it is a recorded operation, so softplus
    /// differentiates twice.
    #[track_caller]
    pub fn softplus(&self) -> Var<T> {
        Var::from_op(&SOFTPLUS, &[self], || self.value().softplus(), |_, g, x| vec![Some(g.mul(&x[0].sigmoid()))])
    }

    /// Leaky ReLU: `x` where `x > 0`, `slope * x` elsewhere (PyTorch's
    /// `negative_slope`, 0.01 by default there). Backward:
    /// `dx = g [x > 0] + slope g [x ≤ 0]` (at 0, the left slope).
    #[track_caller]
    pub fn leaky_relu(&self, slope: T) -> Var<T> {
        Var::from_op(
            &LEAKY_RELU,
            &[self],
            || self.value().leaky_relu(slope),
            move |_, g, x| {
                let slopes = x[0].value().map(|v| if v > T::zero() { T::one() } else { slope });
                vec![Some(g.mul(&Var::constant(slopes)))]
            },
        )
    }

    /// ELU: `x` where `x > 0`, `alpha (e^x - 1)` elsewhere. Backward:
    /// `dx = g` where `x > 0`, `g alpha e^x = g (z + alpha)` elsewhere, read
    /// from the output `z` so that the second derivative follows it.
    #[track_caller]
    pub fn elu(&self, alpha: T) -> Var<T> {
        Var::from_op(
            &ELU,
            &[self],
            || self.value().elu(alpha),
            move |z, g, x| {
                let positive = x[0].value().map(|v| if v > T::zero() { T::one() } else { T::zero() });
                let negative = Var::constant(positive.map(|m| T::one() - m));
                let slope = Var::constant(positive).add(&negative.mul(&z.add_scalar(alpha)));
                vec![Some(g.mul(&slope))]
            },
        )
    }

    /// The standard normal distribution function
    /// `Φ(x) = (1 + erf(x / √2)) / 2`. Backward: `dx = g φ(x)`, the normal
    /// density `φ(x) = e^(-x²/2) / √(2π)`.
    #[track_caller]
    pub fn normal_cdf(&self) -> Var<T> {
        Var::from_op(
            &NORMAL_CDF,
            &[self],
            || self.value().normal_cdf(),
            |_, g, x| vec![Some(g.mul(&normal_density(&x[0])))],
        )
    }

    /// GELU, `x Φ(x)` (Hendrycks and Gimpel, 2016; PyTorch's `GELU()`).
    /// Backward: `dx = g (Φ(x) + x φ(x))`, written with
    /// [`normal_cdf`](Self::normal_cdf) so that it differentiates again.
    #[track_caller]
    pub fn gelu(&self) -> Var<T> {
        Var::from_op(
            &GELU,
            &[self],
            || self.value().gelu(),
            |_, g, x| {
                let x = &x[0];
                vec![Some(g.mul(&x.normal_cdf().add(&x.mul(&normal_density(x)))))]
            },
        )
    }

    /// GELU's tanh approximation, `x (1 + t) / 2` with
    /// `t = tanh(√(2/π) (x + 0.044715 x³))` (PyTorch's
    /// `GELU(approximate="tanh")`). Backward:
    /// `dx = g ((1 + t) / 2 + x (1 - t²) c (1 + 3 k x²) / 2)`.
    #[track_caller]
    pub fn gelu_tanh(&self) -> Var<T> {
        Var::from_op(
            &GELU_TANH,
            &[self],
            || self.value().gelu_tanh(),
            |_, g, x| {
                let (c, k) = (T::from_f64_lossy(GELU_TANH_SCALE), T::from_f64_lossy(GELU_TANH_CUBIC));
                let half = T::from_f64_lossy(0.5);
                let x = &x[0];
                let x2 = x.square();
                let t = x.add(&x2.mul(x).mul_scalar(k)).mul_scalar(c).tanh();
                let inner = x2.mul_scalar(T::from_f64_lossy(3.0) * k).add_scalar(T::one());
                let slope = t
                    .add_scalar(T::one())
                    .mul_scalar(half)
                    .add(&x.mul(&t.square().rsub_scalar(T::one())).mul(&inner).mul_scalar(half * c));
                vec![Some(g.mul(&slope))]
            },
        )
    }

    /// SiLU (swish), `x σ(x)`. Backward: `dx = g σ(x) (1 + x (1 - σ(x)))`.
    #[track_caller]
    pub fn silu(&self) -> Var<T> {
        Var::from_op(
            &SILU,
            &[self],
            || self.value().silu(),
            |_, g, x| {
                let x = &x[0];
                let s = x.sigmoid();
                vec![Some(g.mul(&s.mul(&x.mul(&s.rsub_scalar(T::one())).add_scalar(T::one()))))]
            },
        )
    }

    /// `tanh x`. Backward: `dx = g * (1 - tanh^2 x) = g * (1 - z^2)`.
    #[track_caller]
    pub fn tanh(&self) -> Var<T> {
        Var::from_op(
            &TANH,
            &[self],
            || self.value().tanh(),
            |z, g, _| vec![Some(g.mul(&z.square().rsub_scalar(T::one())))],
        )
    }

    /// Element-wise `max(x, y)` with broadcasting. Backward: the gradient
    /// goes to the larger input (`x` on ties).
    #[track_caller]
    pub fn maximum(&self, other: &Var<T>) -> Var<T> {
        Var::from_op(
            &MAXIMUM,
            &[self, other],
            || self.value().maximum(other.value()),
            |_, g, x| {
                let pick_x = Var::constant(x[0].value().ge(x[1].value()));
                let pick_y = Var::constant(pick_x.value().map(|m| T::one() - m));
                vec![Some(g.mul(&pick_x).sum_to_shape(x[0].shape())), Some(g.mul(&pick_y).sum_to_shape(x[1].shape()))]
            },
        )
    }

    /// Element-wise `min(x, y)` with broadcasting. Backward: the gradient
    /// goes to the smaller input (`x` on ties).
    #[track_caller]
    pub fn minimum(&self, other: &Var<T>) -> Var<T> {
        Var::from_op(
            &MINIMUM,
            &[self, other],
            || self.value().minimum(other.value()),
            |_, g, x| {
                let pick_x = Var::constant(x[0].value().le(x[1].value()));
                let pick_y = Var::constant(pick_x.value().map(|m| T::one() - m));
                vec![Some(g.mul(&pick_x).sum_to_shape(x[0].shape())), Some(g.mul(&pick_y).sum_to_shape(x[1].shape()))]
            },
        )
    }
}

/// The standard normal density `φ(x) = e^(-x²/2) / √(2π)`, as recorded
/// operations.
fn normal_density<T: Element>(x: &Var<T>) -> Var<T> {
    let inv_sqrt_2pi = T::from_f64_lossy(1.0 / (2.0 * std::f64::consts::PI).sqrt());
    x.square().mul_scalar(T::from_f64_lossy(-0.5)).exp().mul_scalar(inv_sqrt_2pi)
}
