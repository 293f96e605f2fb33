//! `+ - * /` with broadcasting, the scalar forms, negation and the
//! `std::ops` operator forms.

use crate::common::{any_tensor, broadcast_pair, check_op, config, Values};
use proptest::prelude::*;
use sinapse_autograd::Var;

/// Each `std::ops` form must compute what the method computes.
fn same_value(a: &Var<f64>, b: &Var<f64>) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.shape(), b.shape());
    prop_assert_eq!(a.value().to_vec(), b.value().to_vec());
    Ok(())
}

op_checks! {
    list CHECKED;
    #![proptest_config(config(48))]

    #[test]
    fn add((a, b) in broadcast_pair(Values::Smooth, Values::Smooth)) {
        check_op("add", |v| v[0].add(&v[1]), &[a, b])?;
    }

    #[test]
    fn sub((a, b) in broadcast_pair(Values::Smooth, Values::Smooth)) {
        check_op("sub", |v| v[0].sub(&v[1]), &[a, b])?;
    }

    #[test]
    fn mul((a, b) in broadcast_pair(Values::Smooth, Values::Smooth)) {
        check_op("mul", |v| v[0].mul(&v[1]), &[a, b])?;
    }

    #[test]
    fn div((a, b) in broadcast_pair(Values::Smooth, Values::AwayFromZero)) {
        check_op("div", |v| v[0].div(&v[1]), &[a, b])?;
    }

    #[test]
    fn neg(x in any_tensor(0, 4, Values::Smooth)) {
        check_op("neg", |v| v[0].neg(), &[x])?;
    }

    #[test]
    fn add_scalar(x in any_tensor(0, 4, Values::Smooth), s in -2.0..2.0f64) {
        check_op("add_scalar", |v| v[0].add_scalar(s), &[x])?;
    }

    #[test]
    fn mul_scalar(x in any_tensor(0, 4, Values::Smooth), s in -2.0..2.0f64) {
        check_op("mul_scalar", |v| v[0].mul_scalar(s), &[x])?;
    }

    #[test]
    fn rsub_scalar(x in any_tensor(0, 4, Values::Smooth), s in -2.0..2.0f64) {
        check_op("rsub_scalar", |v| v[0].rsub_scalar(s), &[x])?;
    }
}

op_checks! {
    list CHECKED_STD_OPS;
    #![proptest_config(config(32))]

    #[test]
    fn std_add((a, b) in broadcast_pair(Values::Smooth, Values::Smooth)) {
        let (x, y) = (Var::new(a.clone()), Var::new(b.clone()));
        let method = x.add(&y);
        for form in [&x + &y, x.clone() + y.clone(), x.clone() + &y, &x + y.clone()] {
            same_value(&form, &method)?;
        }
        check_op("std_add", |v| {
            let (x, y) = (&v[0], &v[1]);
            (x + y) + (x.clone() + y.clone()) + (x.clone() + y) + (x + y.clone())
        }, &[a, b])?;
    }

    #[test]
    fn std_sub((a, b) in broadcast_pair(Values::Smooth, Values::Smooth)) {
        let (x, y) = (Var::new(a.clone()), Var::new(b.clone()));
        let method = x.sub(&y);
        for form in [&x - &y, x.clone() - y.clone(), x.clone() - &y, &x - y.clone()] {
            same_value(&form, &method)?;
        }
        check_op("std_sub", |v| {
            let (x, y) = (&v[0], &v[1]);
            (x - y) + (x.clone() - y.clone()) + (x.clone() - y) + (x - y.clone())
        }, &[a, b])?;
    }

    #[test]
    fn std_mul((a, b) in broadcast_pair(Values::Smooth, Values::Smooth)) {
        let (x, y) = (Var::new(a.clone()), Var::new(b.clone()));
        let method = x.mul(&y);
        for form in [&x * &y, x.clone() * y.clone(), x.clone() * &y, &x * y.clone()] {
            same_value(&form, &method)?;
        }
        check_op("std_mul", |v| {
            let (x, y) = (&v[0], &v[1]);
            (x * y) + (x.clone() * y.clone()) + (x.clone() * y) + (x * y.clone())
        }, &[a, b])?;
    }

    #[test]
    fn std_div((a, b) in broadcast_pair(Values::Smooth, Values::AwayFromZero)) {
        let (x, y) = (Var::new(a.clone()), Var::new(b.clone()));
        let method = x.div(&y);
        for form in [&x / &y, x.clone() / y.clone(), x.clone() / &y, &x / y.clone()] {
            same_value(&form, &method)?;
        }
        check_op("std_div", |v| {
            let (x, y) = (&v[0], &v[1]);
            (x / y) + (x.clone() / y.clone()) + (x.clone() / y) + (x / y.clone())
        }, &[a, b])?;
    }

    #[test]
    fn std_scalar(a in any_tensor(0, 3, Values::Smooth), s in -2.0..2.0f64, d in 0.5..2.0f64) {
        let x = Var::new(a.clone());
        same_value(&(&x + s), &x.add_scalar(s))?;
        same_value(&(&x - s), &x.add_scalar(-s))?;
        same_value(&(&x * s), &x.mul_scalar(s))?;
        same_value(&(&x / d), &x.mul_scalar(1.0 / d))?;
        check_op("std_scalar", |v| {
            let x = &v[0];
            let (plus, minus, times, over) = (x + s, x - s, x * s, x / d);
            &(&plus * &minus) + &(&times * &over)
        }, &[a])?;
    }

    #[test]
    fn std_neg(a in any_tensor(0, 3, Values::Smooth)) {
        let x = Var::new(a.clone());
        same_value(&-&x, &x.neg())?;
        same_value(&-x.clone(), &x.neg())?;
        check_op("std_neg", |v| (-&v[0]) * (-v[0].clone()), &[a])?;
    }
}
