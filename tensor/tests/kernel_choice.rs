//! `set_kernel_choice(Reference)` makes every dispatching tensor method,
//! fused forms included, return the bits of the reference loops. The choice
//! is global, so this file is its own test binary and its tests take a lock.

use std::sync::Mutex;

use sinapse_tensor::kernels::reference::{conv2d_loops, matmul, max_pool, min_pool};
use sinapse_tensor::kernels::{Conv2dShape, Pool2dShape};
use sinapse_tensor::{kernel_choice, seeded_rng, set_kernel_choice, Conv2dParams, KernelChoice, Pool2dParams, Tensor};

static CHOICE: Mutex<()> = Mutex::new(());

fn bits(t: &Tensor<f32>) -> Vec<u32> {
    t.to_vec().iter().map(|v| v.to_bits()).collect()
}

fn slice_bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn the_reference_choice_runs_the_reference_loops_everywhere() {
    let _lock = CHOICE.lock().unwrap_or_else(|e| e.into_inner());
    set_kernel_choice(KernelChoice::Reference);
    assert_eq!(kernel_choice(), KernelChoice::Reference);
    let mut rng = seeded_rng(7);
    // A CNN block with 18 taps and 2x2 pooling, and an odd-sized plane.
    let conv = Conv2dParams::new((1, 1), (1, 0), (1, 1));
    let x = Tensor::<f32>::rand_normal(&[3, 2, 9, 8], 0.0, 1.0, &mut rng);
    let w = Tensor::<f32>::rand_normal(&[4, 2, 3, 3], 0.0, 0.5, &mut rng);
    let b = Tensor::<f32>::rand_normal(&[4], 0.0, 0.5, &mut rng);
    let s = Conv2dShape::new([3, 2, 9, 8], [4, 2, 3, 3], conv);
    let (xs, ws, bs) = (x.to_vec(), w.to_vec(), b.to_vec());

    let y = x.conv2d(&w, Some(&b), conv);
    let want_y = conv2d_loops::conv2d_forward(&s, &xs, &ws, Some(&bs));
    assert_eq!(bits(&y), slice_bits(&want_y), "conv2d");
    let dy = Tensor::<f32>::rand_normal(y.shape(), 0.0, 1.0, &mut rng);
    let dys = dy.to_vec();
    assert_eq!(
        bits(&dy.conv2d_grad_input(&w, x.shape(), conv)),
        slice_bits(&conv2d_loops::conv2d_grad_input(&s, &dys, &ws))
    );
    assert_eq!(
        bits(&dy.conv2d_grad_weight(&x, w.shape(), conv)),
        slice_bits(&conv2d_loops::conv2d_grad_weight(&s, &dys, &xs))
    );
    assert_eq!(bits(&dy.conv2d_grad_bias()), slice_bits(&conv2d_loops::conv2d_grad_bias(&dys, s.output_shape())));

    // The fused block: reference convolution, ReLU, reference pooling.
    let pool = Pool2dParams::square(2);
    let ps = Pool2dShape::new("test", s.output_shape(), pool);
    let relu: Vec<f32> = want_y.iter().map(|&v| if v > 0.0 { v } else { 0.0 }).collect();
    let (want_p, want_arg) = max_pool::max_pool2d_forward(&ps, &relu);
    let (p, idx) = x.conv2d_relu_max_pool2d(&w, Some(&b), conv, pool);
    assert_eq!(bits(&p), slice_bits(&want_p), "conv2d_relu_max_pool2d");
    assert_eq!(idx.as_slice(), want_arg.as_slice());
    let (p2, idx2) = y.relu_max_pool2d((2, 2), (2, 2), (0, 0));
    assert_eq!((bits(&p2), idx2.as_slice()), (slice_bits(&want_p), want_arg.as_slice()), "relu_max_pool2d");

    // Its backward from the pooled gradient: the reference scatter, then the loops.
    let g = Tensor::<f32>::rand_normal(p.shape(), 0.0, 1.0, &mut rng);
    let dz = max_pool::max_pool2d_backward(&ps, &g.to_vec(), idx.as_slice());
    assert_eq!(bits(&g.max_pool2d_backward(&idx)), slice_bits(&dz), "max_pool2d_backward");
    let dw = g.conv2d_grad_weight_pooled(&idx, &x, w.shape(), conv);
    assert_eq!(bits(&dw), slice_bits(&conv2d_loops::conv2d_grad_weight(&s, &dz, &xs)), "pooled weight gradient");
    let dx = g.conv2d_grad_input_pooled(&idx, &w, x.shape(), conv);
    assert_eq!(bits(&dx), slice_bits(&conv2d_loops::conv2d_grad_input(&s, &dz, &ws)), "pooled input gradient");

    // Min pooling and matmul.
    let (m, _) = y.min_pool2d((3, 3), (2, 2), (1, 1));
    let ms = Pool2dShape::new("test", s.output_shape(), Pool2dParams::new((3, 3), (2, 2), (1, 1)));
    assert_eq!(bits(&m), slice_bits(&min_pool::min_pool2d_forward(&ms, &want_y).0), "min_pool2d");
    let a = Tensor::<f32>::rand_normal(&[5, 70], 0.0, 1.0, &mut rng);
    let c = Tensor::<f32>::rand_normal(&[70, 3], 0.0, 1.0, &mut rng);
    assert_eq!(bits(&a.matmul(&c)), slice_bits(&matmul::matmul(&a.to_vec(), &c.to_vec(), 5, 70, 3)), "matmul");
    // A transposed operand is read as the matrix it shows.
    let at = a.t().contiguous();
    assert_eq!(bits(&at.t().matmul(&c)), bits(&a.matmul(&c)), "matmul of a view");
    set_kernel_choice(KernelChoice::Fast);
}

#[test]
fn both_choices_compute_the_same_function() {
    let _lock = CHOICE.lock().unwrap_or_else(|e| e.into_inner());
    let mut rng = seeded_rng(8);
    let x = Tensor::<f32>::rand_normal(&[4, 3, 12, 12], 0.0, 1.0, &mut rng);
    let w = Tensor::<f32>::rand_normal(&[5, 3, 3, 3], 0.0, 0.5, &mut rng);
    let run = |choice| {
        set_kernel_choice(choice);
        assert_eq!(kernel_choice(), choice);
        let (y, _) = x.conv2d_relu_max_pool2d(&w, None, Conv2dParams::valid(), Pool2dParams::square(2));
        y.to_vec()
    };
    let (fast, reference) = (run(KernelChoice::Fast), run(KernelChoice::Reference));
    set_kernel_choice(KernelChoice::Fast);
    for (f, r) in fast.iter().zip(&reference) {
        assert!((f - r).abs() <= 1e-5 * (1.0 + r.abs()), "{f} vs {r}");
    }
}
