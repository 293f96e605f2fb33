//! Convolutions with few taps per output (a first layer on grey images:
//! `C*KH*KW = 1*3*3 = 9`), by direct sums instead of a gemm.
//!
//! As a gemm, such a layer has an inner dimension of 9: matrixmultiply
//! copies both operands into panels and runs its kernel over 9 steps per
//! tile, so packing and tile loads cost more than the arithmetic. Both
//! passes that would be products with `K = C*KH*KW` are written out here:
//!
//! - forward: `y_n[o, :] = b[o] + sum_t w[o, t] * col_n[t, :]`, a block of
//!   output positions kept in registers while the `t` rows stream from L1;
//! - weight gradient: `dW[o, t] += dy_n[o, :] . col_n[t, :]`, one dot
//!   product of two rows that sit in L1 (with the gemm, that packing took
//!   half the time of the CNN's first-layer weight gradient).

use super::conv_shape::Conv2dShape;
use super::im2col::im2col;
use super::max_pool::relu_max_pool_planes;
use super::phase_pool::PhaseLayout;
use super::pool_shape::Pool2dShape;
use super::scratch::Scratch;
use crate::widest_vectors;
use crate::Element;

/// Taps (`C*KH*KW`) up to which [`forward_few_taps`] and
/// [`grad_weight_few_taps`] replace the gemm.
pub(crate) const FEW_TAPS: usize = 16;

/// Output positions summed together in [`forward_few_taps`]: 64 `f32` are
/// eight AVX2 registers of accumulators (four AVX-512 ones), enough to hide
/// the add latency.
const FORWARD_LANES: usize = 64;

widest_vectors! {
    /// `y_n [O, OH*OW] = W [O, C*KH*KW] col_n (+ b[o])` for whole images, each
    /// output `(sum over t in order of w[o, t] * col_n[t, q]) + b[o]`, the
    /// bias added last as in the gemm path: the order of the sums depends on
    /// the sizes only.
    ///
    /// - `x`: whole input images `[n, C, H, W]`;
    /// - `weight`: `[O, C*KH*KW]`; `bias`: `[O]` or none;
    /// - `y`: `[n, O, OH, OW]`, every element overwritten.
    pub(crate) fn forward_few_taps<T: Element>(
        s: &Conv2dShape,
        x: &[T],
        weight: &[T],
        bias: Option<&[T]>,
        y: &mut [T],
    ) {
        let (k, p) = (s.col_rows(), s.col_cols());
        let mut col = Scratch::take(k * p);
        for (x_n, y_n) in x.chunks_exact(s.image_len()).zip(y.chunks_exact_mut(s.out_image_len())) {
            im2col(s, x_n, &mut col, p);
            for (o, (y_o, w_o)) in y_n.chunks_exact_mut(p).zip(weight.chunks_exact(k)).enumerate() {
                output_plane(&col, p, w_o, bias.map(|b| b[o]), y_o);
            }
        }
    }
}

/// One output plane `y_o[q] = (sum over t of w_o[t] * col[t * p + q]) + b`
/// from an image's column matrix `col [K, p]`.
#[inline(always)]
fn output_plane<T: Element>(col: &[T], p: usize, w_o: &[T], b: Option<T>, y_o: &mut [T]) {
    let mut blocks = y_o.chunks_exact_mut(FORWARD_LANES);
    for (i, block) in blocks.by_ref().enumerate() {
        let acc = taps_sum::<T, FORWARD_LANES>(col, p, i * FORWARD_LANES, w_o);
        write_block(block, &acc, b);
    }
    let tail = blocks.into_remainder();
    if !tail.is_empty() {
        // The last positions, summed in the same order.
        let start = p - tail.len();
        let mut acc = [T::zero(); FORWARD_LANES];
        for (t, &w_t) in w_o.iter().enumerate() {
            for (a, &v) in acc.iter_mut().zip(&col[t * p + start..(t + 1) * p]) {
                *a += w_t * v;
            }
        }
        write_block(tail, &acc, b);
    }
}

widest_vectors! {
    /// [`forward_few_taps`] followed by ReLU and max pooling, one output plane
    /// at a time: each plane is made in a buffer that stays in L1 and pooled at
    /// once, so the convolution's output is never written to memory. Values
    /// and positions are bit-for-bit those of the three steps run one after
    /// the other (the same plane code, the same pooling scan).
    ///
    /// - `y`, `arg`: the pooled output `[n, O, PH, PW]` and its positions, every
    ///   element overwritten.
    pub(crate) fn forward_few_taps_relu_max_pool<T: Element>(
        s: &Conv2dShape,
        pool: &Pool2dShape,
        x: &[T],
        weight: &[T],
        bias: Option<&[T]>,
        y: &mut [T],
        arg: &mut [u32],
    ) {
        let (k, pooled) = (s.col_rows(), pool.out_plane_len());
        // With the course's 2x2 pooling each plane is made in phase order
        // and pooled a vector at a time; otherwise row by row.
        let phases = PhaseLayout::new(s, pool);
        let p = phases.as_ref().map_or(s.col_cols(), PhaseLayout::columns);
        let mut col = Scratch::take(k * p);
        let mut plane = Scratch::take(p);
        let mut split = Scratch::take(phases.as_ref().map_or(0, |ph| ph.phases_len(s)));
        let outs = y.chunks_exact_mut(s.out_channels * pooled).zip(arg.chunks_exact_mut(s.out_channels * pooled));
        for (x_n, (y_n, arg_n)) in x.chunks_exact(s.image_len()).zip(outs) {
            match &phases {
                Some(phases) => {
                    phases.split(s, x_n, &mut split);
                    phases.im2col(s, &split, &mut col, p);
                }
                None => im2col(s, x_n, &mut col, p),
            }
            let planes = y_n.chunks_exact_mut(pooled).zip(arg_n.chunks_exact_mut(pooled));
            for (o, (w_o, (y_o, arg_o))) in weight.chunks_exact(k).zip(planes).enumerate() {
                output_plane(&col, p, w_o, bias.map(|b| b[o]), &mut plane);
                match &phases {
                    Some(phases) => phases.relu_max_pool(&plane, y_o, arg_o),
                    None => relu_max_pool_planes(pool, &plane, y_o, arg_o),
                }
            }
        }
    }
}

/// `acc[l] = sum over t in order of w[t] * col[t * p + start + l]` for `L`
/// consecutive positions.
#[inline(always)]
fn taps_sum<T: Element, const L: usize>(col: &[T], p: usize, start: usize, w: &[T]) -> [T; L] {
    let mut acc = [T::zero(); L];
    for (t, &w_t) in w.iter().enumerate() {
        let at = t * p + start;
        let Some(row) = col[at..].first_chunk::<L>() else {
            unreachable!("forward_few_taps: a full block runs past its row")
        };
        for (a, &v) in acc.iter_mut().zip(row) {
            *a += w_t * v;
        }
    }
    acc
}

/// `out[l] = acc[l] + b`, or `acc[l]` without a bias.
#[inline(always)]
fn write_block<T: Element>(out: &mut [T], acc: &[T], b: Option<T>) {
    match b {
        Some(b) => out.iter_mut().zip(acc).for_each(|(y, &a)| *y = a + b),
        None => out.copy_from_slice(&acc[..out.len()]),
    }
}

widest_vectors! {
    /// `dw [O, C*KH*KW] += sum_n dy_n [O, OH*OW] col_n^T`, image by image, each
    /// entry one [`dot`]: the order of the sums depends on the sizes only.
    ///
    /// - `dy`: the output gradient of whole images `[n, O, OH, OW]`;
    /// - `x`: the matching input images `[n, C, H, W]`;
    /// - `dw`: `[O, C*KH*KW]`, accumulated into.
    pub(crate) fn grad_weight_few_taps<T: Element>(
        s: &Conv2dShape,
        dy: &[T],
        x: &[T],
        dw: &mut [T],
    ) {
        let (k, p) = (s.col_rows(), s.col_cols());
        let mut col = Scratch::take(k * p);
        for (x_n, dy_n) in x.chunks_exact(s.image_len()).zip(dy.chunks_exact(s.out_image_len())) {
            im2col(s, x_n, &mut col, p);
            for (dw_o, dy_o) in dw.chunks_exact_mut(k).zip(dy_n.chunks_exact(p)) {
                for (acc, col_t) in dw_o.iter_mut().zip(col.chunks_exact(p)) {
                    *acc += dot(dy_o, col_t);
                }
            }
        }
    }
}

/// `sum_i a[i] * b[i]` over 32 interleaved partial sums (four sets of 8:
/// four independent chains of vector adds, which hide their latency; one
/// set ran at a quarter of the multiply rate), added up in a fixed order.
#[inline(always)]
fn dot<T: Element>(a: &[T], b: &[T]) -> T {
    const LANES: usize = 8;
    let mut s0 = [T::zero(); LANES];
    let mut s1 = [T::zero(); LANES];
    let mut s2 = [T::zero(); LANES];
    let mut s3 = [T::zero(); LANES];
    let (a_blocks, b_blocks) = (a.chunks_exact(4 * LANES), b.chunks_exact(4 * LANES));
    let (a_tail, b_tail) = (a_blocks.remainder(), b_blocks.remainder());
    let fma = |s: &mut [T; LANES], x: &[T], y: &[T]| {
        for ((s, &u), &v) in s.iter_mut().zip(x).zip(y) {
            *s += u * v;
        }
    };
    for (x, y) in a_blocks.zip(b_blocks) {
        let (x01, x23) = x.split_at(2 * LANES);
        let (y01, y23) = y.split_at(2 * LANES);
        fma(&mut s0, &x01[..LANES], &y01[..LANES]);
        fma(&mut s1, &x01[LANES..], &y01[LANES..]);
        fma(&mut s2, &x23[..LANES], &y23[..LANES]);
        fma(&mut s3, &x23[LANES..], &y23[LANES..]);
    }
    for ((s, &u), &v) in s0.iter_mut().chain(&mut s1).chain(&mut s2).chain(&mut s3).zip(a_tail).zip(b_tail) {
        *s += u * v;
    }
    let l: [T; LANES] = std::array::from_fn(|i| (s0[i] + s2[i]) + (s1[i] + s3[i]));
    ((l[0] + l[4]) + (l[1] + l[5])) + ((l[2] + l[6]) + (l[3] + l[7]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::instruction_sets::{at_level, for_each_level, Level};
    use crate::kernels::Conv2dParams;

    #[test]
    fn forward_is_the_same_on_every_instruction_set_and_is_the_sum() {
        // 37 - 2 = 35 columns per row, 7 rows: 245 positions, 7 full blocks and a tail.
        let s = Conv2dShape::new([2, 1, 9, 37], [5, 1, 3, 3], Conv2dParams::valid());
        let wave = |i: usize| ((i * 7919) % 1009) as f32 / 500.0 - 1.0;
        let x: Vec<f32> = (0..s.input_shape().iter().product()).map(wave).collect();
        let w: Vec<f32> = (0..5 * 9).map(|i| wave(i + 5)).collect();
        let b: Vec<f32> = (0..5).map(|i| wave(i + 11)).collect();
        let out_len: usize = s.output_shape().iter().product();
        for bias in [Some(&b[..]), None] {
            let mut portable = vec![f32::NAN; out_len];
            at_level(Level::Baseline, || forward_few_taps(&s, &x, &w, bias, &mut portable));
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            for (level, dispatched) in for_each_level(|| {
                let mut y = vec![f32::NAN; out_len];
                forward_few_taps(&s, &x, &w, bias, &mut y);
                y
            }) {
                assert_eq!(bits(&portable), bits(&dispatched), "{level:?}");
            }
            let (k, p) = (s.col_rows(), s.col_cols());
            let mut col = vec![0.0f32; k * p];
            for (x_n, y_n) in x.chunks_exact(s.image_len()).zip(portable.chunks_exact(s.out_image_len())) {
                im2col(&s, x_n, &mut col, p);
                for (o, y_o) in y_n.chunks_exact(p).enumerate() {
                    for (q, &got) in y_o.iter().enumerate() {
                        let sum: f64 = (0..k).map(|t| w[o * k + t] as f64 * col[t * p + q] as f64).sum();
                        let want = sum + bias.map_or(0.0, |b| b[o] as f64);
                        assert!((got as f64 - want).abs() < 1e-5 * (1.0 + want.abs()), "{got} vs {want}");
                    }
                }
            }
        }
    }

    #[test]
    fn every_instruction_set_gives_the_same_bits() {
        let s = Conv2dShape::new([3, 1, 9, 37], [4, 1, 3, 3], Conv2dParams::valid());
        let wave = |i: usize| ((i * 7919) % 1009) as f32 / 500.0 - 1.0;
        let x: Vec<f32> = (0..s.input_shape().iter().product()).map(wave).collect();
        let dy: Vec<f32> = (0..s.output_shape().iter().product()).map(|i| wave(i + 13)).collect();
        let mut portable = vec![0.5f32; 4 * 9];
        at_level(Level::Baseline, || grad_weight_few_taps(&s, &dy, &x, &mut portable));
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for (level, dispatched) in for_each_level(|| {
            let mut dw = vec![0.5f32; 4 * 9];
            grad_weight_few_taps(&s, &dy, &x, &mut dw);
            dw
        }) {
            assert_eq!(bits(&portable), bits(&dispatched), "{level:?}");
        }
        // And both are the sums they claim to be.
        let (k, p) = (s.col_rows(), s.col_cols());
        let mut col = vec![0.0f32; k * p];
        let mut want = vec![0.5f64; 4 * 9];
        for (dy_n, x_n) in dy.chunks_exact(s.out_image_len()).zip(x.chunks_exact(s.image_len())) {
            im2col(&s, x_n, &mut col, p);
            for (o, dy_o) in dy_n.chunks_exact(p).enumerate() {
                for (t, col_t) in col.chunks_exact(p).enumerate() {
                    want[o * k + t] += dy_o.iter().zip(col_t).map(|(&a, &b)| a as f64 * b as f64).sum::<f64>();
                }
            }
        }
        for (got, want) in portable.iter().zip(&want) {
            assert!((*got as f64 - want).abs() < 1e-4 * (1.0 + want.abs()), "{got} vs {want}");
        }
    }
}
