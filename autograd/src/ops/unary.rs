//! Element-wise functions and their derivatives, side by side.
//!
//! Rules that can be written with the output `z` reuse it (`exp`, `sigmoid`,
//! `tanh`, `sqrt`), so the backward pass does not recompute the function.
//! Kinks (`relu` at 0, `abs` at 0, ties in `maximum`) take the derivative 0
//! or the left input's side, like PyTorch.

use crate::profiler::OpTimer;
use crate::Var;
use sinapse_tensor::{Element, Tensor};

impl<T: Element> Var<T> {
    /// `e^x`. Backward: `dx = g * e^x = g * z`.
    #[track_caller]
    pub fn exp(&self) -> Var<T> {
        let timer = OpTimer::start();
        Var::from_op_timed("exp", &[self], timer, self.value().exp(), |z, g, _| vec![Some(g.mul(z))])
    }

    /// `ln x`. Backward: `dx = g / x`.
    #[track_caller]
    pub fn ln(&self) -> Var<T> {
        let timer = OpTimer::start();
        Var::from_op_timed("ln", &[self], timer, self.value().ln(), |_, g, x| vec![Some(g.div(&x[0]))])
    }

    /// `sqrt x`. Backward: `dx = g / (2 sqrt x) = g / (2 z)`.
    #[track_caller]
    pub fn sqrt(&self) -> Var<T> {
        let timer = OpTimer::start();
        Var::from_op_timed("sqrt", &[self], timer, self.value().sqrt(), |z, g, _| {
            vec![Some(g.div(z).mul_scalar(T::from_f64_lossy(0.5)))]
        })
    }

    /// `x^p` for a real constant `p`. Backward: `dx = g * p * x^(p-1)`.
    #[track_caller]
    pub fn powf(&self, p: T) -> Var<T> {
        let timer = OpTimer::start();
        Var::from_op_timed("powf", &[self], timer, self.value().powf(p), move |_, g, x| {
            vec![Some(g.mul(&x[0].powf(p - T::one()).mul_scalar(p)))]
        })
    }

    /// `x^2`. Backward: `dx = 2 g x`.
    #[track_caller]
    pub fn square(&self) -> Var<T> {
        let timer = OpTimer::start();
        Var::from_op_timed("square", &[self], timer, self.value().square(), |_, g, x| {
            vec![Some(g.mul(&x[0]).mul_scalar(T::from_f64_lossy(2.0)))]
        })
    }

    /// `|x|`. Backward: `dx = g * sign(x)` (0 at x = 0).
    #[track_caller]
    pub fn abs(&self) -> Var<T> {
        let timer = OpTimer::start();
        Var::from_op_timed("abs", &[self], timer, self.value().abs(), |_, g, x| {
            vec![Some(g.mul(&Var::constant(x[0].value().signum())))]
        })
    }

    /// `relu(x) = max(x, 0)`. Backward: `dx = g * [x > 0]`.
    ///
    /// The mask is read from the output (`z > 0` exactly where `x > 0`) in
    /// the same pass that applies it, so the backward is one sweep over `g`.
    #[track_caller]
    pub fn relu(&self) -> Var<T> {
        let timer = OpTimer::start();
        Var::from_op_timed("relu", &[self], timer, self.value().relu(), |z, g, _| {
            vec![Some(g.relu_backward(z.value()))]
        })
    }

    /// ReLU's backward pass, called on the output gradient `self = g` with
    /// the ReLU output `z`: `dx = g * [z > 0]`, as one pass (where the mask
    /// is 0 the result is 0 even for an infinite or NaN `g`, as in PyTorch).
    /// Backward: the same masking of the incoming gradient (the map is linear
    /// in `g`, and the mask is constant almost everywhere), so ReLU networks
    /// can be differentiated twice.
    pub(crate) fn relu_backward(&self, z: &Tensor<T>) -> Var<T> {
        let timer = OpTimer::start();
        let value = self.value().zip_map(z, "relu_backward", |g, z| if z > T::zero() { g } else { T::zero() });
        let z = z.clone();
        Var::from_op_timed("relu_backward", &[self], timer, value, move |_, gg, _| vec![Some(gg.relu_backward(&z))])
    }

    /// Logistic sigmoid `s(x) = 1 / (1 + e^(-x))`, stable for large `|x|`.
    /// Backward: `dx = g * s(x) * (1 - s(x)) = g * z * (1 - z)`.
    #[track_caller]
    pub fn sigmoid(&self) -> Var<T> {
        let timer = OpTimer::start();
        Var::from_op_timed("sigmoid", &[self], timer, self.value().sigmoid(), |z, g, _| {
            vec![Some(g.mul(&z.mul(&z.rsub_scalar(T::one()))))]
        })
    }

    /// `tanh x`. Backward: `dx = g * (1 - tanh^2 x) = g * (1 - z^2)`.
    #[track_caller]
    pub fn tanh(&self) -> Var<T> {
        let timer = OpTimer::start();
        Var::from_op_timed("tanh", &[self], timer, self.value().tanh(), |z, g, _| {
            vec![Some(g.mul(&z.square().rsub_scalar(T::one())))]
        })
    }

    /// Element-wise `max(x, y)` with broadcasting. Backward: the gradient
    /// goes to the larger input (`x` on ties).
    #[track_caller]
    pub fn maximum(&self, other: &Var<T>) -> Var<T> {
        let timer = OpTimer::start();
        Var::from_op_timed("maximum", &[self, other], timer, self.value().maximum(other.value()), |_, g, x| {
            let pick_x = Var::constant(x[0].value().ge(x[1].value()));
            let pick_y = Var::constant(pick_x.value().map(|m| T::one() - m));
            vec![Some(g.mul(&pick_x).sum_to_shape(x[0].shape())), Some(g.mul(&pick_y).sum_to_shape(x[1].shape()))]
        })
    }

    /// Element-wise `min(x, y)` with broadcasting. Backward: the gradient
    /// goes to the smaller input (`x` on ties).
    #[track_caller]
    pub fn minimum(&self, other: &Var<T>) -> Var<T> {
        let timer = OpTimer::start();
        Var::from_op_timed("minimum", &[self, other], timer, self.value().minimum(other.value()), |_, g, x| {
            let pick_x = Var::constant(x[0].value().le(x[1].value()));
            let pick_y = Var::constant(pick_x.value().map(|m| T::one() - m));
            vec![Some(g.mul(&pick_x).sum_to_shape(x[0].shape())), Some(g.mul(&pick_y).sum_to_shape(x[1].shape()))]
        })
    }
}
