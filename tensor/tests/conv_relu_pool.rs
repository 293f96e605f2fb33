//! The fused convolution + ReLU + max pooling gives the bits of the three
//! kernels run one after the other, on random shapes, values with ties,
//! signed zeros, infinities and NaNs, and any pooling window.

mod fast_kernels;

use fast_kernels::{conv2d_forward, conv2d_relu_max_pool2d_forward, relu_max_pool2d_forward};
use proptest::prelude::*;
use sinapse_tensor::kernels::{Conv2dParams, Conv2dShape, Pool2dParams, Pool2dShape};
use sinapse_tensor::Element;

#[derive(Clone, Debug)]
struct Case {
    conv: Conv2dShape,
    pool: Pool2dShape,
    x: Vec<f64>,
    w: Vec<f64>,
    b: Option<Vec<f64>>,
}

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -2.0f64..2.0,
        1 => (-2i32..=2).prop_map(f64::from),
        1 => prop_oneof![Just(0.0), Just(-0.0), Just(f64::INFINITY), Just(f64::NEG_INFINITY), Just(f64::NAN)],
    ]
}

/// Channels and kernels on both sides of 16 taps (fused or not), a pooling
/// window of 1 to 3 with any stride and padding up to half the window.
fn case() -> impl Strategy<Value = Case> {
    let conv_axis = (1usize..=3, 1usize..=2, 0usize..=1);
    let pool_axis = (1usize..=3, 1usize..=3, 0usize..=1);
    (1usize..=3, 1usize..=3, 1usize..=4, conv_axis.clone(), conv_axis, pool_axis.clone(), pool_axis, 0usize..=6)
        .prop_flat_map(|(n, c, o, (kh, sh, ph), (kw, sw, pw), (qh, th, rh), (qw, tw, rw), extra)| {
            let (h, w) = (kh + extra + 2, kw + extra + 3);
            let conv = Conv2dShape::new([n, c, h, w], [o, c, kh, kw], Conv2dParams::new((sh, sw), (ph, pw), (1, 1)));
            let [_, _, oh, ow] = conv.output_shape();
            let (qh, qw) = (qh.min(oh), qw.min(ow));
            let params = Pool2dParams::new((qh, qw), (th, tw), (rh.min(qh / 2), rw.min(qw / 2)));
            values_for(conv, Pool2dShape::new("test", conv.output_shape(), params))
        })
}

/// A case of these shapes with random input, weight and (or no) bias.
fn values_for(conv: Conv2dShape, pool: Pool2dShape) -> impl Strategy<Value = Case> {
    let len = |d: [usize; 4]| d.iter().product::<usize>();
    (
        prop::collection::vec(value(), len(conv.input_shape())),
        prop::collection::vec(value(), len(conv.weight_shape())),
        prop::option::of(prop::collection::vec(value(), conv.out_channels)),
    )
        .prop_map(move |(x, w, b)| Case { conv, pool, x, w, b })
}

fn check<T: Element>(c: &Case) {
    let cast = |v: &[f64]| v.iter().map(|&a| T::from_f64_lossy(a)).collect::<Vec<T>>();
    let (x, w, b) = (cast(&c.x), cast(&c.w), c.b.as_deref().map(cast));
    let (y, arg) = conv2d_relu_max_pool2d_forward(&c.conv, &c.pool, &x, &w, b.as_deref());
    let conv = conv2d_forward(&c.conv, &x, &w, b.as_deref());
    let (want_y, want_arg) = relu_max_pool2d_forward(&c.pool, &conv);
    let bits = |v: &[T]| v.iter().map(|a| a.to_f64_lossless().to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&y), bits(&want_y), "values");
    assert_eq!(arg, want_arg, "positions");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn fused_conv_relu_pool_is_the_three_steps_bit_for_bit(c in case()) {
        check::<f32>(&c);
        check::<f64>(&c);
    }
}

/// The course's pairing: a "valid" convolution with unit strides, then 2x2
/// windows with stride 2 (with at most 16 taps, the fused pass makes each
/// plane in phase order); planes of odd and even sides, on both sides of 16
/// taps (beyond, the part of the output the windows read, row by row).
fn valid_then_2x2_case() -> impl Strategy<Value = Case> {
    (1usize..=3, 1usize..=4, 1usize..=4, 1usize..=3, 1usize..=3, 0usize..=9, 0usize..=9).prop_flat_map(
        |(n, c, o, kh, kw, extra_h, extra_w)| {
            let conv =
                Conv2dShape::new([n, c, kh + 1 + extra_h, kw + 1 + extra_w], [o, c, kh, kw], Conv2dParams::valid());
            values_for(conv, Pool2dShape::new("test", conv.output_shape(), Pool2dParams::square(2)))
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn valid_conv_then_2x2_pooling_is_the_three_steps_bit_for_bit(c in valid_then_2x2_case()) {
        check::<f32>(&c);
        check::<f64>(&c);
    }
}

#[test]
fn large_batches_take_the_parallel_path_and_still_match() {
    // The course's first block on 64 images (9 taps, 26x26 planes: the
    // one-pass kernel) and its second on 37 (288 taps on 13x13: pooled
    // from each group's product of the 10x10 positions the windows read,
    // 5 images per product and a shorter last group; the unfused pass it
    // is checked against has 4 images per product and a last image alone,
    // whose bias must come after its product as in the others), both with
    // 2x2 pooling.
    let blocks = [([64, 1, 28, 28], [32, 1, 3, 3]), ([37, 32, 13, 13], [16, 32, 3, 3])];
    for (input, weight) in blocks {
        let conv = Conv2dShape::new(input, weight, Conv2dParams::valid());
        let pool = Pool2dShape::new("test", conv.output_shape(), Pool2dParams::square(2));
        let wave = |i: usize| ((i * 7919) % 1009) as f64 / 500.0 - 1.0;
        let len = |d: [usize; 4]| d.iter().product::<usize>();
        let c = Case {
            conv,
            pool,
            x: (0..len(conv.input_shape())).map(wave).collect(),
            w: (0..len(conv.weight_shape())).map(|i| wave(i + 3)).collect(),
            b: Some((0..weight[0]).map(|i| wave(i + 7)).collect()),
        };
        check::<f32>(&c);
        check::<f64>(&c);
    }
}

#[test]
fn an_image_has_the_same_bits_alone_and_inside_a_batch() {
    // 288 taps: more than the gemm's inner block, so where the bias enters
    // the sum shows in the bits. Alone, an image is a product of its own;
    // in the batch, it shares one with the others of its group.
    let batch = Conv2dShape::new([5, 32, 13, 13], [8, 32, 3, 3], Conv2dParams::valid());
    let alone = Conv2dShape::new([1, 32, 13, 13], [8, 32, 3, 3], Conv2dParams::valid());
    let wave = |i: usize| ((i * 7919) % 1009) as f32 / 500.0 - 1.0;
    let x: Vec<f32> = (0..5 * 32 * 169).map(wave).collect();
    let w: Vec<f32> = (0..8 * 288).map(|i| wave(i + 3) / 16.0).collect();
    let b: Vec<f32> = (0..8).map(|i| wave(i + 7)).collect();
    let together = conv2d_forward(&batch, &x, &w, Some(&b));
    let bits = |v: &[f32]| v.iter().map(|a| a.to_bits()).collect::<Vec<_>>();
    for (x_n, y_n) in x.chunks_exact(alone.image_len()).zip(together.chunks_exact(alone.out_image_len())) {
        assert_eq!(bits(&conv2d_forward(&alone, x_n, &w, Some(&b))), bits(y_n));
    }
}
