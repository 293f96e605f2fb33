//! `+ - * /` with broadcasting, scalar forms, negation, and `std::ops`.
//!
//! For `z = x op y` with broadcasting, each input's gradient is computed at
//! the output's shape and then summed back to the input's shape.

use crate::op_def::{operators, Cost, OpDef};
use crate::Var;
use sinapse_tensor::Element;
use std::ops::{Add, Div, Mul, Neg, Sub};

operators! {
    /// [`Var::add`].
    pub static ADD: OpDef = OpDef {
        name: "add",
        forward: "x + y, broadcast",
        backward: "dx = g, dy = g (each summed to its shape)",
        cost: Cost::Elementwise,
    };
    /// [`Var::sub`].
    pub static SUB: OpDef = OpDef {
        name: "sub",
        forward: "x - y, broadcast",
        backward: "dx = g, dy = -g",
        cost: Cost::Elementwise,
    };
    /// [`Var::mul`].
    pub static MUL: OpDef = OpDef {
        name: "mul",
        forward: "x y, broadcast",
        backward: "dx = g y, dy = g x",
        cost: Cost::Elementwise,
    };
    /// [`Var::div`].
    pub static DIV: OpDef = OpDef {
        name: "div",
        forward: "x / y, broadcast",
        backward: "dx = g / y, dy = -g z / y",
        cost: Cost::Elementwise,
    };
    /// [`Var::neg`].
    pub static NEG: OpDef = OpDef {
        name: "neg",
        forward: "-x",
        backward: "dx = -g",
        cost: Cost::Elementwise,
    };
    /// [`Var::add_scalar`].
    pub static ADD_SCALAR: OpDef = OpDef {
        name: "add_scalar",
        forward: "x + s",
        backward: "dx = g",
        cost: Cost::Elementwise,
    };
    /// [`Var::mul_scalar`].
    pub static MUL_SCALAR: OpDef = OpDef {
        name: "mul_scalar",
        forward: "s x",
        backward: "dx = s g",
        cost: Cost::Elementwise,
    };
    /// [`Var::rsub_scalar`].
    pub static RSUB_SCALAR: OpDef = OpDef {
        name: "rsub_scalar",
        forward: "s - x",
        backward: "dx = -g",
        cost: Cost::Elementwise,
    };
}

impl<T: Element> Var<T> {
    /// `x + y`. Backward: `dx = g`, `dy = g` (each summed to its shape).
    #[track_caller]
    pub fn add(&self, other: &Var<T>) -> Var<T> {
        let (sa, sb) = (self.shape().to_vec(), other.shape().to_vec());
        Var::from_op(
            &ADD,
            &[self, other],
            || self.value().add(other.value()),
            move |_, g, _| vec![Some(g.sum_to_shape(&sa)), Some(g.sum_to_shape(&sb))],
        )
    }

    /// `x - y`. Backward: `dx = g`, `dy = -g`.
    #[track_caller]
    pub fn sub(&self, other: &Var<T>) -> Var<T> {
        let (sa, sb) = (self.shape().to_vec(), other.shape().to_vec());
        Var::from_op(
            &SUB,
            &[self, other],
            || self.value().sub(other.value()),
            move |_, g, _| vec![Some(g.sum_to_shape(&sa)), Some(g.neg().sum_to_shape(&sb))],
        )
    }

    /// `x * y` element-wise. Backward: `dx = g * y`, `dy = g * x`.
    #[track_caller]
    pub fn mul(&self, other: &Var<T>) -> Var<T> {
        Var::from_op(
            &MUL,
            &[self, other],
            || self.value().mul(other.value()),
            |_, g, x| {
                let dx = x[0].requires_grad().then(|| g.mul(&x[1]).sum_to_shape(x[0].shape()));
                let dy = x[1].requires_grad().then(|| g.mul(&x[0]).sum_to_shape(x[1].shape()));
                vec![dx, dy]
            },
        )
    }

    /// `x / y` element-wise. Backward: `dx = g / y`, `dy = -g * x / y^2 = -g * z / y`.
    #[track_caller]
    pub fn div(&self, other: &Var<T>) -> Var<T> {
        Var::from_op(
            &DIV,
            &[self, other],
            || self.value().div(other.value()),
            |z, g, x| {
                let dx = x[0].requires_grad().then(|| g.div(&x[1]).sum_to_shape(x[0].shape()));
                let dy = x[1].requires_grad().then(|| g.mul(z).div(&x[1]).neg().sum_to_shape(x[1].shape()));
                vec![dx, dy]
            },
        )
    }

    /// `-x`. Backward: `dx = -g`.
    #[track_caller]
    pub fn neg(&self) -> Var<T> {
        Var::from_op(&NEG, &[self], || self.value().neg(), |_, g, _| vec![Some(g.neg())])
    }

    /// `x + s` for a scalar `s`. Backward: `dx = g`.
    #[track_caller]
    pub fn add_scalar(&self, s: T) -> Var<T> {
        Var::from_op(&ADD_SCALAR, &[self], || self.value().add_scalar(s), |_, g, _| vec![Some(g.clone())])
    }

    /// `x * s` for a scalar `s`. Backward: `dx = s g`.
    #[track_caller]
    pub fn mul_scalar(&self, s: T) -> Var<T> {
        Var::from_op(&MUL_SCALAR, &[self], || self.value().mul_scalar(s), move |_, g, _| vec![Some(g.mul_scalar(s))])
    }

    /// `s - x` for a scalar `s`. Backward: `dx = -g`.
    #[track_caller]
    pub fn rsub_scalar(&self, s: T) -> Var<T> {
        Var::from_op(&RSUB_SCALAR, &[self], || self.value().map(|v| s - v), |_, g, _| vec![Some(g.neg())])
    }
}

macro_rules! var_binary_op {
    ($trait:ident, $method:ident) => {
        impl<T: Element> $trait<&Var<T>> for &Var<T> {
            type Output = Var<T>;
            #[track_caller]
            fn $method(self, rhs: &Var<T>) -> Var<T> {
                Var::$method(self, rhs)
            }
        }
        impl<T: Element> $trait<Var<T>> for Var<T> {
            type Output = Var<T>;
            #[track_caller]
            fn $method(self, rhs: Var<T>) -> Var<T> {
                Var::$method(&self, &rhs)
            }
        }
        impl<T: Element> $trait<&Var<T>> for Var<T> {
            type Output = Var<T>;
            #[track_caller]
            fn $method(self, rhs: &Var<T>) -> Var<T> {
                Var::$method(&self, rhs)
            }
        }
        impl<T: Element> $trait<Var<T>> for &Var<T> {
            type Output = Var<T>;
            #[track_caller]
            fn $method(self, rhs: Var<T>) -> Var<T> {
                Var::$method(self, &rhs)
            }
        }
    };
}

var_binary_op!(Add, add);
var_binary_op!(Sub, sub);
var_binary_op!(Mul, mul);
var_binary_op!(Div, div);

impl<T: Element> Add<T> for &Var<T> {
    type Output = Var<T>;
    #[track_caller]
    fn add(self, s: T) -> Var<T> {
        self.add_scalar(s)
    }
}

impl<T: Element> Sub<T> for &Var<T> {
    type Output = Var<T>;
    #[track_caller]
    fn sub(self, s: T) -> Var<T> {
        self.add_scalar(-s)
    }
}

impl<T: Element> Mul<T> for &Var<T> {
    type Output = Var<T>;
    #[track_caller]
    fn mul(self, s: T) -> Var<T> {
        self.mul_scalar(s)
    }
}

impl<T: Element> Div<T> for &Var<T> {
    type Output = Var<T>;
    #[track_caller]
    fn div(self, s: T) -> Var<T> {
        self.mul_scalar(T::one() / s)
    }
}

impl<T: Element> Neg for &Var<T> {
    type Output = Var<T>;
    #[track_caller]
    fn neg(self) -> Var<T> {
        Var::neg(self)
    }
}

impl<T: Element> Neg for Var<T> {
    type Output = Var<T>;
    #[track_caller]
    fn neg(self) -> Var<T> {
        Var::neg(&self)
    }
}
