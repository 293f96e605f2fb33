//! A convolution's output made in "phase" order, so that its 2x2 max
//! pooling (stride 2, the course's) is a loop over whole vectors.
//!
//! Pooled window `(i, j)` reads the four outputs `(2i + a, 2j + b)`,
//! `a, b` in `{0, 1}`: its top-left, top-right, bottom-left and
//! bottom-right. In the usual row-major plane those four sit at even and
//! odd columns of two rows, and a row of the CNN's first layer holds 13
//! windows: too few, and too interleaved, for vector registers (that
//! pooling took 60% of the layer's fused forward pass). Here the plane is
//! made as four blocks, one per phase `(a, b)`, each `PH x PW` in window
//! order; the pooling then compares four contiguous blocks lane by lane.
//!
//! The convolution only has to compute its columns in that order: its
//! column matrix has, for kernel tap `(c, ki, kj)` and phase `(a, b)`, the
//! values `x[c, 2i + a + ki, 2j + b + kj]` for `i < PH`, `j < PW`. With the
//! input split into its own four phases `x_pq[c, u, v] = x[c, 2u + p, 2v + q]`,
//! each row of `PW` of those is `PW` consecutive values of one input phase
//! (`p = (a + ki) % 2`, `u = i + (a + ki) / 2`, likewise `q`, `v`), so the
//! column matrix is built by the same run copies as [`im2col`](super::im2col).
//!
//! It applies to a "valid" convolution with unit strides and dilation
//! followed by a 2x2 pooling with stride 2 and no padding; the pooled
//! values and positions are bit for bit those of the row-major path. The
//! few-taps layers use it (the CNN's first block, batch 128: 0.78-0.81 ms
//! -> 0.43-0.45 ms). A gemm layer does not: for the second layer, 32
//! channels split into phases and runs of 5 values instead of 10 made its
//! column matrices slower to build than its pooling was (2.02 -> 2.84 ms).

use super::conv_shape::Conv2dShape;
use super::im2col::copy_runs;
use super::pool_shape::Pool2dShape;
use crate::Element;

/// How a convolution's output is made and pooled in phase order.
pub(crate) struct PhaseLayout {
    /// Windows per plane side, `(PH, PW)`.
    pooled: (usize, usize),
    /// Rows and columns of one input phase: `(H.div_ceil(2), W.div_ceil(2))`.
    half: (usize, usize),
    /// For each window `q = i*PW + j`, the position of its top-left output
    /// in the row-major output plane, `2i*OW + 2j`.
    top_left: Vec<u32>,
    /// Columns of the row-major output plane, `OW`.
    out_w: u32,
}

impl PhaseLayout {
    /// The layout for convolution `s` pooled by `pool`, or `None` when the
    /// pair is not one this applies to (see the module docs).
    pub(crate) fn new(s: &Conv2dShape, pool: &Pool2dShape) -> Option<Self> {
        let p = s.params;
        let valid_unit = p.stride == (1, 1) && p.dilation == (1, 1) && p.padding == (0, 0);
        let q = pool.params;
        let two_by_two = q.kernel == (2, 2) && q.stride == (2, 2) && q.padding == (0, 0);
        if !valid_unit || !two_by_two || pool.out_h == 0 || pool.out_w == 0 {
            return None;
        }
        let (ph, pw) = (pool.out_h, pool.out_w);
        let top_left = (0..ph).flat_map(|i| (0..pw).map(move |j| (2 * i * s.out_w + 2 * j) as u32)).collect();
        Some(PhaseLayout {
            pooled: (ph, pw),
            half: (s.in_h.div_ceil(2), s.in_w.div_ceil(2)),
            top_left,
            out_w: s.out_w as u32,
        })
    }

    /// Windows per plane, `PH*PW`.
    pub(crate) fn windows(&self) -> usize {
        self.pooled.0 * self.pooled.1
    }

    /// Columns of one image's column matrix (and values of one output
    /// plane) in phase order: `4*PH*PW`.
    pub(crate) fn columns(&self) -> usize {
        4 * self.windows()
    }

    /// Elements of one image split into phases, `C * 4 * half_h * half_w`.
    pub(crate) fn phases_len(&self, s: &Conv2dShape) -> usize {
        s.in_channels * 4 * self.half.0 * self.half.1
    }

    /// `phases [C, 2, 2, half_h, half_w] <- image [C, H, W]`:
    /// `phases[c, p, q, u, v] = x[c, 2u + p, 2v + q]`, 0 past the image.
    #[inline(always)]
    pub(crate) fn split<T: Element>(&self, s: &Conv2dShape, image: &[T], phases: &mut [T]) {
        let (hh, hw) = self.half;
        let (h, w) = (s.in_h, s.in_w);
        for (plane, out) in image.chunks_exact(h * w).zip(phases.chunks_exact_mut(4 * hh * hw)) {
            for (pq, phase) in out.chunks_exact_mut(hh * hw).enumerate() {
                let (p, q) = (pq / 2, pq % 2);
                for (u, row) in phase.chunks_exact_mut(hw).enumerate() {
                    let r = 2 * u + p;
                    if r >= h {
                        row.fill(T::zero());
                        continue;
                    }
                    let src = &plane[r * w..(r + 1) * w];
                    let taken = src.iter().skip(q).step_by(2);
                    let filled = row.iter_mut().zip(taken).map(|(d, &v)| *d = v).count();
                    row[filled..].fill(T::zero());
                }
            }
        }
    }

    /// The column matrix of one image in phase order, rows `ld` apart:
    /// `col[(c*KH + ki)*KW + kj, ((a*2 + b)*PH + i)*PW + j] = x[c, 2i + a + ki, 2j + b + kj]`,
    /// read from the image's `phases` (see [`split`](Self::split)).
    #[inline(always)]
    pub(crate) fn im2col<T: Element>(&self, s: &Conv2dShape, phases: &[T], col: &mut [T], ld: usize) {
        let (ph, pw) = self.pooled;
        let (hh, hw) = self.half;
        let block = ph * pw;
        let mut rows = col.chunks_mut(ld);
        for c in 0..s.in_channels {
            for (ki, kj) in (0..s.kernel_h).flat_map(|ki| (0..s.kernel_w).map(move |kj| (ki, kj))) {
                let row = rows.next().expect("phase im2col: one row per kernel tap");
                for (ab, dst) in row[..4 * block].chunks_exact_mut(block).enumerate() {
                    let (a, b) = (ab / 2, ab % 2);
                    let (p, u0) = ((a + ki) % 2, (a + ki) / 2);
                    let (q, v0) = ((b + kj) % 2, (b + kj) / 2);
                    let phase = ((c * 2 + p) * 2 + q) * hh * hw;
                    copy_runs(&phases[phase + u0 * hw + v0..], hw, dst, pw);
                }
            }
        }
    }

    /// ReLU and 2x2 max pooling of one output plane made in phase order
    /// (`plane`: four blocks of `PH*PW`); `y`, `arg`: `[PH*PW]`, positions
    /// in the row-major output plane. The same values and positions as the
    /// row-major pooling: each window is reduced as
    /// `max(max(tl, tr), max(bl, br))`, a `max` keeping its left operand
    /// unless the right one is strictly larger, which picks the first
    /// maximum in window order. The ReLU turns a NaN into 0, so no NaN
    /// reaches the comparisons (where the tree and the scan would differ).
    #[inline(always)]
    pub(crate) fn relu_max_pool<T: Element>(&self, plane: &[T], y: &mut [T], arg: &mut [u32]) {
        let n = self.windows();
        let relu = |v: T| if v > T::zero() { v } else { T::zero() };
        let (tl, rest) = plane[..4 * n].split_at(n);
        let (tr, rest) = rest.split_at(n);
        let (bl, br) = rest.split_at(n);
        let (y, arg, top_left) = (&mut y[..n], &mut arg[..n], &self.top_left[..n]);
        let w = self.out_w;
        for q in 0..n {
            let (a0, a1, b0, b1) = (relu(tl[q]), relu(tr[q]), relu(bl[q]), relu(br[q]));
            let (a_right, b_right) = (a1 > a0, b1 > b0);
            let a_max = if a_right { a1 } else { a0 };
            let b_max = if b_right { b1 } else { b0 };
            let lower = b_max > a_max;
            y[q] = if lower { b_max } else { a_max };
            let (row, right) = if lower { (w, b_right) } else { (0, a_right) };
            arg[q] = top_left[q] + row + right as u32;
        }
    }
}
