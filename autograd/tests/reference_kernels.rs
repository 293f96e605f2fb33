//! With the reference kernels selected, the convolution, pooling and matmul
//! operators (the fused block included, whose backward then runs the
//! reference scatter and convolution gradients) still pass the first- and
//! second-order finite-difference checks, in f64, on random shapes. The
//! choice is global, so this file is its own test binary.

mod common;

use common::{check_op, config, tensor, Values};
use proptest::prelude::*;
use sinapse_tensor::{set_kernel_choice, AvgPoolPadding, Conv2dParams, KernelChoice, Pool2dParams, Tensor};

/// An input `[N, C, H, W]` and a weight `[O, C, 2, 2]` whose valid
/// convolution leaves an even plane, for a 2x2 pooling after it.
fn block() -> impl Strategy<Value = (Tensor<f64>, Tensor<f64>, Tensor<f64>)> {
    (1..=2usize, 1..=2usize, 1..=3usize, 1..=2usize, 1..=2usize).prop_flat_map(|(n, c, o, ph, pw)| {
        (
            tensor(vec![n, c, 2 * ph + 1, 2 * pw + 1], Values::Distinct),
            tensor(vec![o, c, 2, 2], Values::Smooth),
            tensor(vec![o], Values::Smooth),
        )
    })
}

proptest! {
    #![proptest_config(config(16))]

    #[test]
    fn reference_kernels_have_correct_gradients((x, w, b) in block(), m in tensor(vec![3, 4], Values::Smooth)) {
        set_kernel_choice(KernelChoice::Reference);
        let conv = Conv2dParams::valid();
        let pool = Pool2dParams::square(2);
        check_op("conv2d", |v| v[0].conv2d(&v[1], Some(&v[2]), conv), &[x.clone(), w.clone(), b.clone()])?;
        check_op(
            "conv2d_relu_max_pool2d",
            |v| v[0].conv2d_relu_max_pool2d(&v[1], Some(&v[2]), conv, pool),
            &[x.clone(), w, b],
        )?;
        check_op("max_pool2d", |v| v[0].max_pool2d((2, 2), (1, 1), (1, 1)), std::slice::from_ref(&x))?;
        check_op("min_pool2d", |v| v[0].min_pool2d((2, 2), (1, 1), (1, 1)), std::slice::from_ref(&x))?;
        let params = Pool2dParams::new((3, 3), (2, 2), (1, 1));
        check_op("avg_pool2d_with", |v| v[0].avg_pool2d_with(params, AvgPoolPadding::Excluded), &[x])?;
        check_op("matmul", |v| v[0].matmul(&v[0].t()), &[m])?;
    }
}
