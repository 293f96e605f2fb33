//! The weight gradient of a few-taps convolution (a first layer on grey
//! images, see [`few_taps`](super::few_taps)) whose output was max-pooled,
//! taken straight from the pooled gradient.
//!
//! The gradient reaching the convolution is zero but at the position each
//! pooling window chose (see [`pooled_conv_grad`](super::pooled_conv_grad)),
//! so the weight gradient is a sum over windows:
//!
//! `dW[o, t] = sum over images n and windows q of g[n, o, q] * col_n[t, at(n, o, q)]`
//!
//! with `col_n [K, P]` the image's column matrix and `at` the chosen
//! position. With the taps of each position side by side (`patches [P, K]`,
//! the transpose of `col_n`), a window adds `g * patches[at]` to the `K`
//! sums of its channel: one vector multiply-add of up to [`FEW_TAPS`] lanes
//! per window. The CNN's first layer has 169 windows per plane, against the
//! 9 dot products of 676 positions (and a plane of mostly zeros to write)
//! that the dense gradient of the scattered `dz` would take.

use super::conv_shape::Conv2dShape;
use super::few_taps::FEW_TAPS;
use super::im2col::im2col;
use super::scratch::Scratch;
use crate::widest_vectors;
use crate::Element;

/// A window's taps, read as one block of [`FEW_TAPS`] values (the lanes
/// past `K` belong to the next positions and are never used).
type Taps<T> = [T; FEW_TAPS];

widest_vectors! {
    /// `dw [O, K] += sum over the images of x and their windows of
    /// g * (taps of the chosen position)`, as in the module docs.
    ///
    /// - `grad`, `argmax`: the pooled gradient of whole images `[n, O, PH, PW]`
    ///   and the position (`oh*OW + ow`) each window chose;
    /// - `x`: the matching input images `[n, C, H, W]`, `C*KH*KW <= FEW_TAPS`;
    /// - `dw`: `[O, C*KH*KW]`, accumulated into.
    ///
    /// Each image's sums are made on their own and added to `dw` in image
    /// order, and each plane's windows are summed in a fixed order: the
    /// result depends on the sizes only.
    ///
    /// # Panics
    /// If a position is outside its plane.
    pub(crate) fn grad_weight_few_taps_pooled<T: Element>(
        s: &Conv2dShape,
        grad: &[T],
        argmax: &[u32],
        x: &[T],
        dw: &mut [T],
    ) {
        let (k, p, o_len) = (s.col_rows(), s.col_cols(), s.out_channels);
        assert!(k <= FEW_TAPS, "grad_weight_few_taps_pooled: {k} taps, more than {FEW_TAPS}");
        let images = x.len() / s.image_len().max(1);
        if images == 0 || k == 0 || o_len == 0 {
            return;
        }
        let windows = grad.len() / (images * o_len);
        let mut col = Scratch::take(k * p);
        // The last position's block reads FEW_TAPS - K values past the patches.
        let mut patches = Scratch::take(p * k + FEW_TAPS);
        patches[p * k..].fill(T::zero());
        for (n, x_n) in x.chunks_exact(s.image_len()).enumerate() {
            im2col(s, x_n, &mut col, p);
            to_patches(&col, k, &mut patches[..p * k]);
            for (o, dw_o) in dw.chunks_exact_mut(k).enumerate() {
                let at = (n * o_len + o) * windows;
                let sums = window_sums(&grad[at..at + windows], &argmax[at..at + windows], &patches, k, p);
                for (d, &v) in dw_o.iter_mut().zip(&sums) {
                    *d += v;
                }
            }
        }
    }
}

/// `patches [P, K] <- col [K, P]`.
#[inline(always)]
fn to_patches<T: Element>(col: &[T], k: usize, patches: &mut [T]) {
    let p = col.len() / k;
    for (t, row) in col.chunks_exact(p).enumerate() {
        for (d, &v) in patches[t..].iter_mut().step_by(k).zip(row) {
            *d = v;
        }
    }
}

/// `sum over windows w of g[w] * patches[at[w]*K .. at[w]*K + FEW_TAPS]`,
/// in four interleaved partial sums (windows `w % 4`; four independent
/// chains of vector adds hide their latency) added as `(s0 + s2) + (s1 + s3)`.
#[inline(always)]
fn window_sums<T: Element>(g: &[T], at: &[u32], patches: &[T], k: usize, p: usize) -> Taps<T> {
    let taps = |at: u32| -> &Taps<T> {
        let at = at as usize;
        match patches.get(at * k..).and_then(<[T]>::first_chunk::<FEW_TAPS>) {
            Some(block) if at < p => block,
            _ => panic!("max-pooled convolution gradient: position {at} is outside the {p} positions of a plane"),
        }
    };
    let add = |s: &mut Taps<T>, g: T, v: &Taps<T>| {
        for (s, &v) in s.iter_mut().zip(v) {
            *s += g * v;
        }
    };
    let (mut s0, mut s1, mut s2, mut s3) =
        ([T::zero(); FEW_TAPS], [T::zero(); FEW_TAPS], [T::zero(); FEW_TAPS], [T::zero(); FEW_TAPS]);
    let (g4, at4) = (g.chunks_exact(4), at.chunks_exact(4));
    let (g_tail, at_tail) = (g4.remainder(), at4.remainder());
    for (g, at) in g4.zip(at4) {
        add(&mut s0, g[0], taps(at[0]));
        add(&mut s1, g[1], taps(at[1]));
        add(&mut s2, g[2], taps(at[2]));
        add(&mut s3, g[3], taps(at[3]));
    }
    for ((s, &g), &at) in [&mut s0, &mut s1, &mut s2].into_iter().zip(g_tail).zip(at_tail) {
        add(s, g, taps(at));
    }
    std::array::from_fn(|l| (s0[l] + s2[l]) + (s1[l] + s3[l]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::instruction_sets::{at_level, for_each_level, Level};
    use crate::kernels::Conv2dParams;

    #[test]
    fn every_instruction_set_gives_the_same_bits_and_the_sum() {
        // 2 images, 3 channels, 7x35 positions; planes of 36 windows (blocks
        // of 4) or of 7 (a block and a tail of 3).
        let s = Conv2dShape::new([2, 1, 9, 37], [3, 1, 3, 3], Conv2dParams::valid());
        let (k, p) = (s.col_rows(), s.col_cols());
        let wave = |i: usize| ((i * 7919) % 1009) as f32 / 500.0 - 1.0;
        let x: Vec<f32> = (0..s.input_shape().iter().product()).map(wave).collect();
        for windows in [36, 7] {
            let g: Vec<f32> = (0..2 * 3 * windows).map(|i| wave(i + 13)).collect();
            let at: Vec<u32> = (0..g.len()).map(|i| ((i * 37) % p) as u32).collect();
            let mut portable = vec![0.5f32; 3 * k];
            at_level(Level::Baseline, || grad_weight_few_taps_pooled(&s, &g, &at, &x, &mut portable));
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            for (level, dispatched) in for_each_level(|| {
                let mut dw = vec![0.5f32; 3 * k];
                grad_weight_few_taps_pooled(&s, &g, &at, &x, &mut dw);
                dw
            }) {
                assert_eq!(bits(&portable), bits(&dispatched), "{level:?}");
            }
            let mut col = vec![0.0f32; k * p];
            let mut want = vec![0.5f64; 3 * k];
            for (n, x_n) in x.chunks_exact(s.image_len()).enumerate() {
                im2col(&s, x_n, &mut col, p);
                for o in 0..3 {
                    for w in 0..windows {
                        let i = (n * 3 + o) * windows + w;
                        for t in 0..k {
                            want[o * k + t] += g[i] as f64 * col[t * p + at[i] as usize] as f64;
                        }
                    }
                }
            }
            for (got, want) in portable.iter().zip(&want) {
                assert!((*got as f64 - want).abs() < 1e-4 * (1.0 + want.abs()), "{got} vs {want}");
            }
        }
    }

    #[test]
    #[should_panic(expected = "position 49 is outside the 49 positions")]
    fn a_position_past_the_plane_panics() {
        // 7x7 positions: 48 is the last one, 49 the first past the plane
        // (whose block would still be inside the buffer's slack).
        let s = Conv2dShape::new([1, 1, 9, 9], [1, 1, 3, 3], Conv2dParams::valid());
        let x = vec![0.0f32; 81];
        let mut dw = vec![0.0f32; 9];
        grad_weight_few_taps_pooled(&s, &[1.0], &[48], &x, &mut dw);
        grad_weight_few_taps_pooled(&s, &[1.0], &[49], &x, &mut dw);
    }
}
