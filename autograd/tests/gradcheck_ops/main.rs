//! Finite-difference checks of every differentiable operator, first and
//! second order, in `f64`, on random shapes, broadcasting pairs and
//! non-contiguous inputs (see `common/mod.rs` for the strategies and for
//! what [`common::check_op`] runs).
//!
//! Each registered operator ([`sinapse_autograd::ops::operators`]) has a
//! proptest named exactly like it, in the file of its family (`arith.rs`,
//! `unary.rs`, ...); `check_op` makes sure, through the profiler, that the
//! function it checks runs that operator. Methods built from operators
//! (`mean`, `flatten`, `cat`, `conv1d`, the `std::ops` forms) have checks of
//! their own too. The test `every_operator_is_checked` reads the registry and
//! the names that [`op_checks!`] collected, so adding an operator without a
//! check fails it.

/// `proptest!` that also lists the names of its tests in a constant,
/// `list NAME;` (the first line of the block): the names the coverage test
/// compares with the registry.
macro_rules! op_checks {
    (list $list:ident; #![proptest_config($config:expr)] $( $(#[$attr:meta])* fn $name:ident $args:tt $body:block )*) => {
        proptest::proptest! {
            #![proptest_config($config)]
            $( $(#[$attr])* fn $name $args $body )*
        }

        /// The names of this block's checks.
        pub const $list: &[&str] = &[$(stringify!($name)),*];
    };
}

#[path = "../common/mod.rs"]
mod common;

mod arith;
mod conv;
mod matmul;
mod norm;
mod pool;
mod reduce;
mod rows;
mod shape;
mod softmax;
mod strategies;
mod unary;

#[test]
fn every_operator_is_checked() {
    let checked: Vec<&str> = [
        arith::CHECKED,
        arith::CHECKED_STD_OPS,
        unary::CHECKED,
        reduce::CHECKED,
        shape::CHECKED,
        matmul::CHECKED,
        softmax::CHECKED,
        conv::CHECKED,
        conv::CHECKED_FIXED_SEED,
        pool::CHECKED,
        norm::CHECKED,
        rows::CHECKED,
    ]
    .concat();
    let missing: Vec<&str> =
        sinapse_autograd::ops::operators().map(|(_, def)| def.name).filter(|name| !checked.contains(name)).collect();
    assert!(missing.is_empty(), "operators without a proptest in tests/gradcheck_ops/: {missing:?}");
}
