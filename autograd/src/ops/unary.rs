//! Element-wise functions and their derivatives, side by side.
//!
//! Rules that can be written with the output `z` reuse it (`exp`, `sigmoid`,
//! `tanh`, `sqrt`), so the backward pass does not recompute the function.
//! Kinks (`relu` at 0, `abs` at 0, ties in `maximum`) take the derivative 0
//! or the left input's side, like PyTorch.

use crate::op_def::{operators, Cost, OpDef};
use crate::Var;
use sinapse_tensor::{Element, Tensor};

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
