//! Products with a narrow result, as dot products read in place:
//! `C [m, n] = alpha * A B + beta * C` with at most [`NARROW`] columns,
//! `A`'s rows and `B`'s columns contiguous. That is a dense layer's
//! forward pass `X W^T` onto few outputs (the perceptron's 10 classes):
//! `B = W^T` is a transposed view whose columns are the rows of `W`.
//!
//! matrixmultiply first copies both operands into packed panels. For the
//! perceptron's `[64, 784] x [784, 10]` that copy is the whole batch (200
//! KB), and its kernel then works on tiles wider than the 10 columns: the
//! product took 22 us of a 47 us training step. Here each `C[i, j]` is one
//! dot product of row `i` of `A` with column `j` of `B`, and four columns
//! share each read of the row.

use super::gemm::{MatMut, MatRef};
use crate::Element;

/// Most columns of `C` taken by [`narrow_gemm`] instead of matrixmultiply.
pub(crate) const NARROW: usize = 16;

/// Lanes of each dot product's partial sums: one AVX-512 register of `f32`.
const LANES: usize = 16;

/// Whether [`narrow_gemm`] takes a product of these shapes and strides.
pub(crate) fn is_narrow<T>(a: &MatRef<'_, T>, b: &MatRef<'_, T>) -> bool {
    b.cols <= NARROW && a.col_stride == 1 && b.row_stride == 1
}

crate::widest_vectors! {
    /// `C <- alpha * A B + beta * C` (with `beta = 0`, `C`'s old values,
    /// even NaN, are ignored) for a product [`is_narrow`] accepts, whose
    /// matrices the caller checked to fit their slices. Each element is
    /// `alpha * d + beta * c`, `d` summed over 16 interleaved lanes added
    /// up in a fixed tree: the result depends on the sizes only.
    pub(crate) fn narrow_gemm<T: Element>(
        alpha: T,
        a: MatRef<'_, T>,
        b: MatRef<'_, T>,
        beta: T,
        c: MatMut<'_, T>,
    ) {
        let (m, k, n) = (a.rows, a.cols, b.cols);
        let column = |j: usize| &b.data[b.offset + j * b.col_stride..][..k];
        let MatMut { data, offset, row_stride, col_stride, .. } = c;
        for i in 0..m {
            let row = &a.data[a.offset + i * a.row_stride..][..k];
            let mut store = |j: usize, d: T| {
                let at = offset + i * row_stride + j * col_stride;
                data[at] = if beta == T::zero() { alpha * d } else { alpha * d + beta * data[at] };
            };
            let mut j = 0;
            while j + 4 <= n {
                let sums = dots(row, [column(j), column(j + 1), column(j + 2), column(j + 3)]);
                for (t, d) in sums.into_iter().enumerate() {
                    store(j + t, d);
                }
                j += 4;
            }
            while j < n {
                let [d] = dots(row, [column(j)]);
                store(j, d);
                j += 1;
            }
        }
    }
}

/// `[row . cols[0], ..., row . cols[J-1]]`, each over [`LANES`]
/// interleaved partial sums (`s[l]` takes the terms `l, l + 16, ...`) added
/// up as a tree of halves (16 -> 8 -> 4 -> 1).
#[inline(always)]
fn dots<T: Element, const J: usize>(row: &[T], cols: [&[T]; J]) -> [T; J] {
    let k = row.len();
    let mut acc = [[T::zero(); LANES]; J];
    let mut at = 0;
    while at + LANES <= k {
        let x = block_at(row, at);
        for j in 0..J {
            fma_block(&mut acc[j], x, block_at(cols[j], at));
        }
        at += LANES;
    }
    if at < k {
        // The last values as one more block, padded with zeros (indexing
        // the sums by a variable lane would keep them in memory).
        let padded = |v: &[T]| -> [T; LANES] {
            let mut p = [T::zero(); LANES];
            p[..k - at].copy_from_slice(&v[at..k]);
            p
        };
        let x = padded(row);
        for j in 0..J {
            fma_block(&mut acc[j], &x, &padded(cols[j]));
        }
    }
    acc.map(|s| {
        let s8: [T; 8] = std::array::from_fn(|l| s[l] + s[l + 8]);
        let s4: [T; 4] = std::array::from_fn(|l| s8[l] + s8[l + 4]);
        (s4[0] + s4[2]) + (s4[1] + s4[3])
    })
}

/// `s[l] += x[l] * y[l]` for every lane.
#[inline(always)]
fn fma_block<T: Element>(s: &mut [T; LANES], x: &[T; LANES], y: &[T; LANES]) {
    for l in 0..LANES {
        s[l] += x[l] * y[l];
    }
}

/// The [`LANES`] values of `v` from `at`.
#[inline(always)]
fn block_at<T>(v: &[T], at: usize) -> &[T; LANES] {
    match v[at..].first_chunk::<LANES>() {
        Some(block) => block,
        None => unreachable!("narrow_gemm: a whole block"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::instruction_sets::for_each_level;

    #[test]
    fn every_level_gives_the_same_bits_and_the_product() {
        let wave = |i: usize| ((i * 7919) % 1009) as f32 / 500.0 - 1.0;
        // k: below one block, whole blocks, blocks and a tail; n: the
        // groups of four and single columns.
        for (m, k, n) in [(3, 5, 1), (4, 16, 4), (5, 37, 10), (2, 784, 16), (1, 1, 3)] {
            let a: Vec<f32> = (0..m * k).map(wave).collect();
            // B as the transposed view of an n x k matrix: its columns are rows.
            let w: Vec<f32> = (0..n * k).map(|i| wave(i + 3)).collect();
            let c0: Vec<f32> = (0..m * n).map(|i| wave(i + 7)).collect();
            for (alpha, beta) in [(1.0, 0.0), (0.5, 1.0), (2.0, -0.5)] {
                let run = || {
                    let mut c = if beta == 0.0 { vec![f32::NAN; m * n] } else { c0.clone() };
                    let b = MatRef::row_major(&w, n, k).t();
                    narrow_gemm(alpha, MatRef::row_major(&a, m, k), b, beta, MatMut::row_major(&mut c, m, n));
                    c
                };
                let results = for_each_level(run);
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                for (level, c) in &results {
                    assert_eq!(bits(c), bits(&results[0].1), "{level:?}, {m}x{k}x{n}");
                }
                for i in 0..m {
                    for j in 0..n {
                        let d: f64 = (0..k).map(|t| a[i * k + t] as f64 * w[j * k + t] as f64).sum();
                        let want =
                            alpha as f64 * d + if beta == 0.0 { 0.0 } else { beta as f64 * c0[i * n + j] as f64 };
                        let got = results[0].1[i * n + j] as f64;
                        assert!(
                            (got - want).abs() < 1e-4 * (1.0 + want.abs()),
                            "{m}x{k}x{n} ({i}, {j}): {got} vs {want}"
                        );
                    }
                }
            }
        }
    }
}
