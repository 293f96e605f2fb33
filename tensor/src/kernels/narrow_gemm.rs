//! Products with a narrow or a short result, read in place.
//!
//! Narrow, as dot products:
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
//!
//! Short (at most [`SHORT`] rows, `B`'s and `C`'s rows contiguous), as sums
//! of `B`'s rows: the weight gradient `G^T X` of such a layer, see
//! [`short_gemm`] (the perceptron's: 10.7 -> 7.7 us a step).

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

/// Most rows of `C` taken by [`short_gemm`] instead of matrixmultiply.
pub(crate) const SHORT: usize = 16;

/// Rows of `C` summed together in [`short_gemm`]: each value of `B` read
/// is used four times, and 4 x 4 registers of sums hide the add latency.
const ROW_BLOCK: usize = 4;

/// Whether [`short_gemm`] takes a product of these shapes and strides.
pub(crate) fn is_short<T>(a: &MatRef<'_, T>, b: &MatRef<'_, T>, c: &MatMut<'_, T>) -> bool {
    a.rows <= SHORT && b.col_stride == 1 && c.col_stride == 1
}

crate::widest_vectors! {
    /// `C <- alpha * A B + beta * C` (with `beta = 0`, `C`'s old values,
    /// even NaN, are ignored) for a product [`is_short`] accepts, whose
    /// matrices the caller checked to fit their slices: each row of `C` a
    /// sum of rows of `B`, `C[i, :] = sum over t in order of A[i, t] B[t, :]`,
    /// scaled. That is a dense layer's weight gradient `G^T X` onto few
    /// outputs, for which matrixmultiply would first copy the whole batch
    /// `X` into packed panels. Here four rows of `C` are summed at once over
    /// 64 columns, each block of `B`'s row read once for the four.
    pub(crate) fn short_gemm<T: Element>(
        alpha: T,
        a: MatRef<'_, T>,
        b: MatRef<'_, T>,
        beta: T,
        c: MatMut<'_, T>,
    ) {
        let (m, n) = (a.rows, b.cols);
        let MatMut { data, offset, row_stride, .. } = c;
        let mut start = 0;
        while start + 4 * LANES <= n {
            for i0 in (0..m).step_by(ROW_BLOCK) {
                let sums = row_block::<T, { 4 * LANES }>(&a, &b, i0, start);
                store_rows(&sums, alpha, beta, &mut data[offset + i0 * row_stride + start..], row_stride, m - i0);
            }
            start += 4 * LANES;
        }
        while start + LANES <= n {
            for i0 in (0..m).step_by(ROW_BLOCK) {
                let sums = row_block::<T, LANES>(&a, &b, i0, start);
                store_rows(&sums, alpha, beta, &mut data[offset + i0 * row_stride + start..], row_stride, m - i0);
            }
            start += LANES;
        }
        while start < n {
            for i0 in (0..m).step_by(ROW_BLOCK) {
                let sums = row_block::<T, 1>(&a, &b, i0, start);
                store_rows(&sums, alpha, beta, &mut data[offset + i0 * row_stride + start..], row_stride, m - i0);
            }
            start += 1;
        }
    }
}

/// `sums[r][l] = sum over t in order of A[i0 + r, t] * B[t, start + l]`
/// for the [`ROW_BLOCK`] rows from `i0` (rows past `A` count as zeros).
#[inline(always)]
fn row_block<T: Element, const L: usize>(
    a: &MatRef<'_, T>,
    b: &MatRef<'_, T>,
    i0: usize,
    start: usize,
) -> [[T; L]; ROW_BLOCK] {
    let mut sums = [[T::zero(); L]; ROW_BLOCK];
    for t in 0..a.cols {
        let coefficient = |r: usize| {
            let i = i0 + r;
            if i < a.rows {
                a.data[a.offset + i * a.row_stride + t * a.col_stride]
            } else {
                T::zero()
            }
        };
        let co: [T; ROW_BLOCK] = std::array::from_fn(coefficient);
        let Some(row) = b.data[b.offset + t * b.row_stride + start..].first_chunk::<L>() else {
            unreachable!("short_gemm: a whole block")
        };
        for r in 0..ROW_BLOCK {
            for l in 0..L {
                sums[r][l] += co[r] * row[l];
            }
        }
    }
    sums
}

/// `C[r, l] <- alpha * sums[r][l] (+ beta * C[r, l])` for the first `rows`
/// rows of a block (`out` starts at its first element, rows `row_stride` apart).
#[inline(always)]
fn store_rows<T: Element, const L: usize>(
    sums: &[[T; L]; ROW_BLOCK],
    alpha: T,
    beta: T,
    out: &mut [T],
    row_stride: usize,
    rows: usize,
) {
    for (r, s) in sums.iter().enumerate().take(rows) {
        for (o, &v) in out[r * row_stride..][..L].iter_mut().zip(s) {
            *o = if beta == T::zero() { alpha * v } else { alpha * v + beta * *o };
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

    type Kernel = fn(f32, MatRef<'_, f32>, MatRef<'_, f32>, f32, MatMut<'_, f32>);

    /// `A [m, k]` and `B [k, n]` as views of `a` and `b`, in the layout the
    /// kernel under test takes.
    type Views = for<'a> fn(&'a [f32], &'a [f32], (usize, usize, usize)) -> (MatRef<'a, f32>, MatRef<'a, f32>);

    /// For a few `alpha`, `beta`: every level gives the baseline's bits, and
    /// the baseline is `alpha * A B + beta * C` within f32 rounding (with
    /// `beta = 0`, `C` starts as NaN).
    fn check(kernel: Kernel, views: Views, (m, k, n): (usize, usize, usize)) {
        let wave = |i: usize| ((i * 7919) % 1009) as f32 / 500.0 - 1.0;
        let a: Vec<f32> = (0..m * k).map(wave).collect();
        let b: Vec<f32> = (0..k * n).map(|i| wave(i + 3)).collect();
        let c0: Vec<f32> = (0..m * n).map(|i| wave(i + 7)).collect();
        let (a_view, b_view) = views(&a, &b, (m, k, n));
        let at =
            |v: &MatRef<'_, f32>, i: usize, j: usize| v.data[v.offset + i * v.row_stride + j * v.col_stride] as f64;
        for (alpha, beta) in [(1.0, 0.0), (0.5, 1.0), (2.0, -0.5)] {
            let results = for_each_level(|| {
                let mut c = if beta == 0.0 { vec![f32::NAN; m * n] } else { c0.clone() };
                kernel(alpha, a_view, b_view, beta, MatMut::row_major(&mut c, m, n));
                c
            });
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            for (level, c) in &results {
                assert_eq!(bits(c), bits(&results[0].1), "{level:?}, {m}x{k}x{n}");
            }
            for i in 0..m {
                for j in 0..n {
                    let d: f64 = (0..k).map(|t| at(&a_view, i, t) * at(&b_view, t, j)).sum();
                    let want = alpha as f64 * d + if beta == 0.0 { 0.0 } else { beta as f64 * c0[i * n + j] as f64 };
                    let got = results[0].1[i * n + j] as f64;
                    assert!((got - want).abs() < 1e-4 * (1.0 + want.abs()), "{m}x{k}x{n} ({i}, {j}): {got} vs {want}");
                }
            }
        }
    }

    #[test]
    fn narrow_products_are_the_same_on_every_level_and_the_product() {
        // A row-major, B the transposed view of an n x k matrix (W^T).
        let views: Views = |a, b, (m, k, n)| (MatRef::row_major(a, m, k), MatRef::row_major(b, n, k).t());
        // k: below one block, whole blocks, blocks and a tail; n: the
        // groups of four and single columns.
        for sizes in [(3, 5, 1), (4, 16, 4), (5, 37, 10), (2, 784, 16), (1, 1, 3)] {
            check(narrow_gemm, views, sizes);
        }
    }

    #[test]
    fn short_products_are_the_same_on_every_level_and_the_product() {
        // A the transposed view of a k x m matrix (a gradient G^T), B row-major.
        let views: Views = |a, b, (m, k, n)| (MatRef::row_major(a, k, m).t(), MatRef::row_major(b, k, n));
        // m: a block of rows and a partial one; n: blocks of 64 and 16
        // columns and single ones. Under Miri, which interprets every
        // multiply-add, the perceptron-sized product is left out: the others
        // already cover each kind of block.
        let sizes = [(1, 3, 5), (3, 4, 64), (10, 64, 784), (16, 7, 130), (2, 1, 1), (5, 9, 97)];
        for sizes in sizes.into_iter().filter(|&(_, _, n)| !cfg!(miri) || n < 784) {
            check(short_gemm, views, sizes);
        }
    }
}
