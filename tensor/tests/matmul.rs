//! matmul equals the reference three loops (`kernels::reference::matmul`),
//! batch by batch, for transposed and strided operands: within 1e-10 in f64
//! and 1e-4 in f32 (matrixmultiply sums in another order).

mod strategies;

use proptest::prelude::*;
use sinapse_tensor::kernels::reference;
use sinapse_tensor::{Element, Tensor};
use strategies::*;

/// `[.., m, k] x [.., k, n]` with broadcast batch dimensions: each batch's
/// matrices read element by element, multiplied by the reference loops.
fn naive_matmul(a: &Tensor<f64>, b: &Tensor<f64>) -> (Vec<usize>, Vec<f64>) {
    let (ra, rb) = (a.ndim(), b.ndim());
    let (m, k, n) = (a.shape()[ra - 2], a.shape()[ra - 1], b.shape()[rb - 1]);
    let ba = &a.shape()[..ra - 2];
    let bb = &b.shape()[..rb - 2];
    let nb = ba.len().max(bb.len());
    let batch: Vec<usize> = (0..nb)
        .map(|d| {
            let x = if d + ba.len() >= nb { ba[d + ba.len() - nb] } else { 1 };
            let y = if d + bb.len() >= nb { bb[d + bb.len() - nb] } else { 1 };
            if x == 1 {
                y
            } else {
                x
            }
        })
        .collect();
    let mut out = Vec::new();
    for bidx in indices(&batch) {
        let ia = broadcast_index(&bidx, ba);
        let ib = broadcast_index(&bidx, bb);
        let matrix = |t: &Tensor<f64>, batch: &[usize], rows: usize, cols: usize| -> Vec<f64> {
            let mut v = Vec::with_capacity(rows * cols);
            for r in 0..rows {
                for c in 0..cols {
                    let mut at = batch.to_vec();
                    at.extend([r, c]);
                    v.push(t.get(&at));
                }
            }
            v
        };
        out.extend(reference::matmul::matmul(&matrix(a, &ia, m, k), &matrix(b, &ib, k, n), m, k, n));
    }
    let mut shape = batch;
    shape.extend([m, n]);
    (shape, out)
}

fn layout_of(shape: &[usize], mode: u8) -> Arrangement {
    match mode % 3 {
        0 => Arrangement::Contiguous,
        1 => Arrangement::Permuted({
            let mut p: Vec<usize> = (0..shape.len()).collect();
            let n = p.len();
            p.swap(n - 2, n - 1);
            p
        }),
        _ => Arrangement::Narrowed { dim: shape.len() - 1, before: 1, after: 2 },
    }
}

proptest! {
    // Under Miri, a few cases: it interprets every multiply-add.
    #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 4 } else { 128 }))]

    #[test]
    fn matmul_2d_equals_triple_loop(m in 0usize..9, k in 0usize..9, n in 0usize..9, ma in 0u8..3, mb in 0u8..3,
        vals in prop::collection::vec(-2.0f64..2.0, 1..100)) {
        let a = arrange::<f64>(&[m, k], &layout_of(&[m, k], ma), &vals);
        let b = arrange::<f64>(&[k, n], &layout_of(&[k, n], mb), &vals[vals.len() / 2..]);
        let c = a.matmul(&b);
        let (shape, want) = naive_matmul(&a, &b);
        prop_assert_eq!(c.shape(), &shape[..]);
        for (x, y) in c.to_vec().iter().zip(&want) {
            prop_assert!((x - y).abs() < 1e-10);
        }
    }

    #[test]
    fn batched_matmul_broadcasts_batches(batch_a in shape(2, 3), drop in 0usize..3, m in 1usize..5, k in 1usize..5, n in 1usize..5,
        ma in 0u8..3, mb in 0u8..3, vals in prop::collection::vec(-2.0f64..2.0, 1..100)) {
        // b's batch: a suffix of a's, with some dims set to 1
        let batch_b: Vec<usize> = batch_a.iter().skip(drop.min(batch_a.len())).enumerate()
            .map(|(i, &d)| if i % 2 == 1 { 1 } else { d }).collect();
        let mut sa = batch_a.clone(); sa.extend([m, k]);
        let mut sb = batch_b.clone(); sb.extend([k, n]);
        let a = arrange::<f64>(&sa, &layout_of(&sa, ma), &vals);
        let b = arrange::<f64>(&sb, &layout_of(&sb, mb), &vals[1..]);
        let (shape, want) = naive_matmul(&a, &b);
        let c = a.matmul(&b);
        prop_assert_eq!(c.shape(), &shape[..]);
        for (x, y) in c.to_vec().iter().zip(&want) {
            prop_assert!((x - y).abs() < 1e-10);
        }
    }

    #[test]
    fn f32_matmul_close_to_f64(m in 1usize..20, k in 1usize..20, n in 1usize..20, vals in prop::collection::vec(-1.0f64..1.0, 1..50)) {
        let a = arrange::<f64>(&[m, k], &Arrangement::Contiguous, &vals);
        let b = arrange::<f64>(&[n, k], &Arrangement::Contiguous, &vals[vals.len() / 3..]).t();
        let c64 = a.matmul(&b);
        let c32 = a.cast::<f32>().matmul(&b.cast::<f32>());
        for (x, y) in c32.to_vec().iter().zip(c64.to_vec()) {
            prop_assert!((x.to_f64_lossless() - y).abs() < 1e-4);
        }
    }
}

#[test]
fn vector_operands() {
    let a = Tensor::<f32>::from_vec(vec![1., 2., 3., 4., 5., 6.], &[2, 3]).unwrap();
    let v = Tensor::<f32>::from_vec(vec![1., 0., -1.], &[3]).unwrap();
    let av = a.matmul(&v);
    assert_eq!(av.shape(), &[2]);
    assert_eq!(av.to_vec(), vec![-2., -2.]);
    let w = Tensor::<f32>::from_vec(vec![1., 1.], &[2]).unwrap();
    assert_eq!(w.matmul(&a).to_vec(), vec![5., 7., 9.]);
}

#[test]
#[should_panic(expected = "matmul: inner dimensions differ: [2, 3] x [2, 3] (3 vs 2)")]
fn mismatched_inner_dimension_panics() {
    let a = Tensor::<f32>::zeros(&[2, 3]);
    let _ = a.matmul(&a);
}

#[test]
fn large_products_are_split_across_threads_without_changing_bits() {
    // Under Miri the split threshold is low (see `PARALLEL_MULADDS`), so
    // smaller products still split in two and more blocks.
    let (m, k, n) = if cfg!(miri) { (64, 24, 72) } else { (300, 200, 260) };
    let a = Tensor::<f32>::from_fn(&[m, k], |i| ((i[0] * 31 + i[1] * 17) % 13) as f32 * 0.37 - 2.0);
    let b = Tensor::<f32>::from_fn(&[k, n], |i| ((i[0] * 7 + i[1] * 11) % 19) as f32 * 0.21 - 1.5);
    let run = |threads: usize, x: &Tensor<f32>, y: &Tensor<f32>| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| x.matmul(y)).to_vec()
    };
    // Split by rows (m >= n) and by columns (a wide product), transposed operands too.
    assert_eq!(run(1, &a, &b), run(3, &a, &b));
    assert_eq!(run(1, &b.t(), &a.t()), run(4, &b.t(), &a.t()));
    let naive = Tensor::<f32>::from_fn(&[m, n], |i| (0..k).map(|p| a.get(&[i[0], p]) * b.get(&[p, i[1]])).sum());
    let got = run(2, &a, &b);
    for (x, y) in got.iter().zip(naive.to_vec()) {
        assert!((x - y).abs() < 1e-2 * (1.0 + y.abs()), "{x} vs {y}");
    }
}
