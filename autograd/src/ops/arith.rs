//! `+ - * /` with broadcasting, scalar forms, negation, and `std::ops`.
//!
//! For `z = x op y` with broadcasting, each input's gradient is computed at
//! the output's shape and then summed back to the input's shape.

use crate::profiler::OpTimer;
use crate::Var;
use sinapse_tensor::Element;
use std::ops::{Add, Div, Mul, Neg, Sub};

impl<T: Element> Var<T> {
    /// `x + y`. Backward: `dx = g`, `dy = g` (each summed to its shape).
    #[track_caller]
    pub fn add(&self, other: &Var<T>) -> Var<T> {
        let (sa, sb) = (self.shape().to_vec(), other.shape().to_vec());
        let timer = OpTimer::start();
        Var::from_op_timed("add", &[self, other], timer, self.value().add(other.value()), move |_, g, _| {
            vec![Some(g.sum_to_shape(&sa)), Some(g.sum_to_shape(&sb))]
        })
    }

    /// `x - y`. Backward: `dx = g`, `dy = -g`.
    #[track_caller]
    pub fn sub(&self, other: &Var<T>) -> Var<T> {
        let (sa, sb) = (self.shape().to_vec(), other.shape().to_vec());
        let timer = OpTimer::start();
        Var::from_op_timed("sub", &[self, other], timer, self.value().sub(other.value()), move |_, g, _| {
            vec![Some(g.sum_to_shape(&sa)), Some(g.neg().sum_to_shape(&sb))]
        })
    }

    /// `x * y` element-wise. Backward: `dx = g * y`, `dy = g * x`.
    #[track_caller]
    pub fn mul(&self, other: &Var<T>) -> Var<T> {
        let timer = OpTimer::start();
        Var::from_op_timed("mul", &[self, other], timer, self.value().mul(other.value()), |_, g, x| {
            let dx = x[0].requires_grad().then(|| g.mul(&x[1]).sum_to_shape(x[0].shape()));
            let dy = x[1].requires_grad().then(|| g.mul(&x[0]).sum_to_shape(x[1].shape()));
            vec![dx, dy]
        })
    }

    /// `x / y` element-wise. Backward: `dx = g / y`, `dy = -g * x / y^2 = -g * z / y`.
    #[track_caller]
    pub fn div(&self, other: &Var<T>) -> Var<T> {
        let timer = OpTimer::start();
        Var::from_op_timed("div", &[self, other], timer, self.value().div(other.value()), |z, g, x| {
            let dx = x[0].requires_grad().then(|| g.div(&x[1]).sum_to_shape(x[0].shape()));
            let dy = x[1].requires_grad().then(|| g.mul(z).div(&x[1]).neg().sum_to_shape(x[1].shape()));
            vec![dx, dy]
        })
    }

    /// `-x`. Backward: `dx = -g`.
    #[track_caller]
    pub fn neg(&self) -> Var<T> {
        let timer = OpTimer::start();
        Var::from_op_timed("neg", &[self], timer, self.value().neg(), |_, g, _| vec![Some(g.neg())])
    }

    /// `x + s` for a scalar `s`. Backward: `dx = g`.
    #[track_caller]
    pub fn add_scalar(&self, s: T) -> Var<T> {
        let timer = OpTimer::start();
        Var::from_op_timed("add_scalar", &[self], timer, self.value().add_scalar(s), |_, g, _| vec![Some(g.clone())])
    }

    /// `x * s` for a scalar `s`. Backward: `dx = s g`.
    #[track_caller]
    pub fn mul_scalar(&self, s: T) -> Var<T> {
        let timer = OpTimer::start();
        Var::from_op_timed("mul_scalar", &[self], timer, self.value().mul_scalar(s), move |_, g, _| {
            vec![Some(g.mul_scalar(s))]
        })
    }

    /// `s - x` for a scalar `s`. Backward: `dx = -g`.
    #[track_caller]
    pub fn rsub_scalar(&self, s: T) -> Var<T> {
        let timer = OpTimer::start();
        Var::from_op_timed("rsub_scalar", &[self], timer, self.value().map(|v| s - v), |_, g, _| vec![Some(g.neg())])
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
