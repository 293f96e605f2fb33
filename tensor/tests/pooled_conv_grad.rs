//! The gradients of a max-pooled convolution taken from the pooled
//! gradient equal the dense ones (the pooled gradient scattered, then the
//! convolution's gradients) up to rounding, on random shapes: channels on
//! both sides of the few-taps and short-run limits, stride, padding,
//! dilation, and pooling windows that overlap, pad or leave positions out.

mod fast_kernels;

use fast_kernels::{conv2d_forward, conv2d_grad_input, conv2d_grad_weight, max_pool2d_backward};
use fast_kernels::{conv2d_grad_input_pooled, conv2d_grad_weight_pooled, relu_max_pool2d_forward};
use proptest::prelude::*;
use sinapse_tensor::kernels::reference;
use sinapse_tensor::kernels::{Conv2dParams, Conv2dShape, Pool2dParams, Pool2dShape};

#[derive(Clone, Debug)]
struct Case {
    conv: Conv2dShape,
    pool: Pool2dShape,
    x: Vec<f64>,
    w: Vec<f64>,
    g: Vec<f64>,
}

/// Values with exact zeros among them (closed windows in the gradient).
fn value() -> impl Strategy<Value = f64> {
    prop_oneof![6 => -2.0f64..2.0, 1 => Just(0.0)]
}

fn case() -> impl Strategy<Value = Case> {
    let conv_axis = (1usize..=3, 1usize..=2, 0usize..=2, 1usize..=2);
    let pool_axis = (1usize..=3, 1usize..=3, 0usize..=1);
    let channels = prop_oneof![1usize..=3, Just(8usize), Just(9usize)];
    (1usize..=3, channels, 1usize..=4, conv_axis.clone(), conv_axis, pool_axis.clone(), pool_axis, 0usize..=5)
        .prop_flat_map(|(n, c, o, (kh, sh, ph, dh), (kw, sw, pw, dw), (qh, th, rh), (qw, tw, rw), extra)| {
            let (h, w) = (dh * (kh - 1) + 1 + extra, dw * (kw - 1) + 2 + extra);
            let conv = Conv2dShape::new([n, c, h, w], [o, c, kh, kw], Conv2dParams::new((sh, sw), (ph, pw), (dh, dw)));
            let [_, _, oh, ow] = conv.output_shape();
            let (qh, qw) = (qh.min(oh), qw.min(ow));
            let params = Pool2dParams::new((qh, qw), (th, tw), (rh.min(qh / 2), rw.min(qw / 2)));
            let pool = Pool2dShape::new("test", conv.output_shape(), params);
            let len = |d: [usize; 4]| d.iter().product::<usize>();
            (
                Just((conv, pool)),
                prop::collection::vec(value(), len(conv.input_shape())),
                prop::collection::vec(value(), len(conv.weight_shape())),
                prop::collection::vec(value(), len(pool.output_shape())),
            )
        })
        .prop_map(|((conv, pool), x, w, g)| Case { conv, pool, x, w, g })
}

fn assert_close(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let scale = want.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    for (i, (a, b)) in got.iter().zip(want).enumerate() {
        assert!((a - b).abs() <= 1e-12 * scale, "{what}[{i}]: {a} vs {b}");
    }
}

fn check(c: &Case) {
    // Real positions: pool the convolution's output.
    let z = conv2d_forward(&c.conv, &c.x, &c.w, None);
    let (_, argmax) = relu_max_pool2d_forward(&c.pool, &z);
    let dz = max_pool2d_backward(&c.pool, &c.g, &argmax);
    let dw = conv2d_grad_weight_pooled(&c.conv, &c.pool, &c.g, &argmax, &c.x);
    assert_close("weight gradient", &dw, &conv2d_grad_weight(&c.conv, &dz, &c.x));
    let dx = conv2d_grad_input_pooled(&c.conv, &c.pool, &c.g, &argmax, &c.w);
    assert_close("input gradient", &dx, &conv2d_grad_input(&c.conv, &dz, &c.w));
    // And the reference loops' scatter then gradients.
    let dz = reference::max_pool::max_pool2d_backward(&c.pool, &c.g, &argmax);
    assert_close("weight gradient", &dw, &reference::conv2d_loops::conv2d_grad_weight(&c.conv, &dz, &c.x));
    assert_close("input gradient", &dx, &reference::conv2d_loops::conv2d_grad_input(&c.conv, &dz, &c.w));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn pooled_gradients_are_the_dense_gradients_of_the_scatter(c in case()) {
        check(&c);
    }
}

#[test]
fn large_batches_take_the_parallel_path_and_still_match() {
    // The course's second block on 32 images: 288 taps in runs of 96.
    let conv = Conv2dShape::new([32, 32, 13, 13], [16, 32, 3, 3], Conv2dParams::valid());
    let pool = Pool2dShape::new("test", conv.output_shape(), Pool2dParams::square(2));
    let wave = |i: usize| ((i * 7919) % 1009) as f64 / 500.0 - 1.0;
    let len = |d: [usize; 4]| d.iter().product::<usize>();
    let x: Vec<f64> = (0..len(conv.input_shape())).map(wave).collect();
    let w: Vec<f64> = (0..len(conv.weight_shape())).map(|i| wave(i + 3)).collect();
    let g: Vec<f64> = (0..len(pool.output_shape())).map(|i| wave(i + 7)).collect();
    check(&Case { conv, pool, x, w, g });
}

#[test]
#[should_panic(
    expected = "conv2d_grad_weight_pooled: gradient [1, 1, 1, 2] is not the pooled output shape [1, 1, 1, 1]"
)]
fn a_gradient_of_the_wrong_shape_names_the_operation() {
    use sinapse_tensor::{MaxPoolIndices, Tensor};
    let conv = Conv2dShape::new([1, 1, 4, 4], [1, 1, 3, 3], Conv2dParams::valid());
    let pool = Pool2dShape::new("test", conv.output_shape(), Pool2dParams::square(2));
    let indices = MaxPoolIndices::from_positions(pool, vec![0]);
    let g = Tensor::<f32>::ones(&[1, 1, 1, 2]);
    g.conv2d_grad_weight_pooled(&indices, &Tensor::zeros(&[1, 1, 4, 4]), &[1, 1, 3, 3], conv.params);
}
