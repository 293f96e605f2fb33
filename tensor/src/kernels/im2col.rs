//! im2col and its adjoint col2im: the rearrangement that turns a convolution
//! into matrix products.
//!
//! The column matrix of an image `x [C, H, W]` has one row per kernel tap
//! `(c, i, j)` and one column per output position `(oh, ow)`:
//!
//! `col[(c*KH + i)*KW + j, oh*OW + ow] = x[c, oh*sh + i*dh - ph, ow*sw + j*dw - pw]`
//!
//! (0 where that falls in the padding). Rows are contiguous, so the gemm that
//! follows reads the buffer in order. Rows are `ld` elements apart, so the
//! column matrices of several images can sit side by side in one buffer
//! `[C*KH*KW, images * OH*OW]` and feed a single, wider gemm.

use std::ops::Range;

use super::conv_shape::Conv2dShape;
use crate::widest_vectors;
use crate::Element;

/// The output positions `o` in `0..out_len` whose input index
/// `o*stride + tap - pad` lies inside `0..in_len`; `tap` is the kernel tap's
/// offset `i * dilation`. Outside this range the tap reads padding.
#[inline]
fn valid_outputs(out_len: usize, in_len: usize, stride: usize, tap: usize, pad: usize) -> Range<usize> {
    if stride == 1 {
        // The same bounds without the two divisions (a 64-bit division
        // costs tens of cycles, and this runs for every row of a column
        // matrix).
        let lo = pad.saturating_sub(tap);
        let hi = (in_len + pad).saturating_sub(tap).min(out_len);
        return lo.min(hi)..hi;
    }
    // o*stride >= pad - tap
    let lo = if tap >= pad { 0 } else { (pad - tap).div_ceil(stride) };
    // o*stride < in_len + pad - tap
    let hi = if in_len + pad > tap { (in_len + pad - tap).div_ceil(stride) } else { 0 };
    let hi = hi.min(out_len);
    lo.min(hi)..hi
}

/// Checks that a column block of `s.col_rows()` rows of `cols` elements,
/// rows `ld` apart, fits in `len` elements.
#[track_caller]
fn check_block(op: &str, s: &Conv2dShape, cols: usize, len: usize, ld: usize) {
    let rows = s.col_rows();
    assert!(ld >= cols, "{op}: row stride {ld} is shorter than a row of {cols} columns");
    let needed = if rows == 0 { 0 } else { (rows - 1) * ld + cols };
    assert!(len >= needed, "{op}: column buffer of {len} elements, {rows} rows {ld} apart need {needed}");
}

/// Unfolds one image `x [C, H, W]` into the column block `col [C*KH*KW, OH*OW]`
/// whose rows start `ld` elements apart (`ld = OH*OW` for a dense matrix):
/// `col[((c*KH + i)*KW + j)*ld + oh*OW + ow] = x[c, oh*sh + i*dh - ph, ow*sw + j*dw - pw]`,
/// 0 in the padding. Every element of the block is written; the gaps
/// between rows are left alone.
///
/// # Panics
/// If `image` does not have the length the shape implies, `ld < OH*OW`,
/// or the block does not fit in `col`.
#[track_caller]
pub fn im2col<T: Element>(s: &Conv2dShape, image: &[T], col: &mut [T], ld: usize) {
    im2col_part(s, (s.out_h, s.out_w), image, col, ld)
}

widest_vectors! {
    /// [`im2col`] for the output positions `(oh, ow)` with `oh < rows`,
    /// `ow < cols` only (`part = (rows, cols)`, at most `(OH, OW)`), in the column
    /// `oh*cols + ow`: the column block of the part of the output that a
    /// caller reads, such as a pooling whose windows stop short of the last
    /// row and column.
    pub(crate) fn im2col_part<T: Element>(
        s: &Conv2dShape,
        part: (usize, usize),
        image: &[T],
        col: &mut [T],
        ld: usize,
    ) {
        assert_eq!(image.len(), s.image_len(), "im2col: image length");
        let (out_h, ow) = part;
        assert!(out_h <= s.out_h && ow <= s.out_w, "im2col: part {out_h}x{ow} of an {}x{} output", s.out_h, s.out_w);
        check_block("im2col", s, out_h * ow, col.len(), ld);
        let (sh, sw) = s.params.stride;
        let (ph, pw) = s.params.padding;
        let (dh, dw) = s.params.dilation;
        let (h, w) = (s.in_h, s.in_w);
        let mut rows = col.chunks_mut(ld).map(|row| &mut row[..out_h * ow]);
        if (sh, sw, ph, pw, dh, dw) == (1, 1, 0, 0, 1, 1) {
            // A "valid" convolution with unit strides: every row of the column
            // matrix is `OH` runs of `OW` consecutive input values.
            for plane_start in (0..s.in_channels).map(|c| c * h * w) {
                for (i, j) in (0..s.kernel_h).flat_map(|i| (0..s.kernel_w).map(move |j| (i, j))) {
                    let row = rows.next().expect("im2col: one row per kernel tap");
                    copy_runs(&image[plane_start + i * w + j..], w, row, ow);
                }
            }
            return;
        }
        for plane in image.chunks_exact(h * w) {
            for i in 0..s.kernel_h {
                let oh_valid = valid_outputs(out_h, h, sh, i * dh, ph);
                for j in 0..s.kernel_w {
                    let ow_valid = valid_outputs(ow, w, sw, j * dw, pw);
                    let row = rows.next().expect("im2col: one row per kernel tap");
                    for (oh, out_row) in row.chunks_exact_mut(ow).enumerate() {
                        if !oh_valid.contains(&oh) || ow_valid.is_empty() {
                            out_row.fill(T::zero());
                            continue;
                        }
                        let ih = oh * sh + i * dh - ph;
                        let in_row = &plane[ih * w..(ih + 1) * w];
                        out_row[..ow_valid.start].fill(T::zero());
                        out_row[ow_valid.end..].fill(T::zero());
                        let iw0 = ow_valid.start * sw + j * dw - pw;
                        let dst = &mut out_row[ow_valid.clone()];
                        if sw == 1 {
                            dst.copy_from_slice(&in_row[iw0..iw0 + dst.len()]);
                        } else {
                            for (d, &x) in dst.iter_mut().zip(in_row[iw0..].iter().step_by(sw)) {
                                *d = x;
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Elements moved by one fixed-size copy in [`copy_runs`]: 64 bytes of
/// `f32`, one AVX-512 register or two AVX2 ones.
const COPY_BLOCK: usize = 16;

/// `dst[r*len .. (r+1)*len] = src[r*step .. r*step + len]` for each run `r`
/// of `dst` (`dst.len()` a multiple of `len`).
///
/// Runs are short (11 values in the course's second convolution), and a
/// call to `memcpy` per run costs more than the copy itself. Runs are
/// copied instead in whole blocks of [`COPY_BLOCK`] values, each block one
/// load and one store of a fixed size: a block may spill past its run,
/// into the next run's place in `dst`, which is written afterwards. Where
/// a block would spill past `dst` or read past `src`, the copy is exact.
#[inline(always)]
pub(crate) fn copy_runs<T: Copy>(src: &[T], step: usize, dst: &mut [T], len: usize) {
    if len == 0 {
        return;
    }
    let runs = dst.len() / len;
    // Each run is copied as `blocks` whole blocks, `span` values, while
    // they fit in both slices; the last runs are copied exactly.
    let blocks = len.div_ceil(COPY_BLOCK);
    let span = blocks * COPY_BLOCK;
    let fits = |have: usize, stride: usize| if have < span { 0 } else { (have - span) / stride + 1 };
    let in_blocks = runs.min(fits(dst.len(), len)).min(fits(src.len(), step.max(1)));
    for r in 0..in_blocks {
        let from = &src[r * step..][..span];
        let to = &mut dst[r * len..][..span];
        for (d, s) in to.chunks_exact_mut(COPY_BLOCK).zip(from.chunks_exact(COPY_BLOCK)) {
            let (Some(d), Some(s)) = (d.first_chunk_mut::<COPY_BLOCK>(), s.first_chunk::<COPY_BLOCK>()) else {
                unreachable!("im2col: chunks of a block's size")
            };
            *d = *s;
        }
    }
    for r in in_blocks..runs {
        dst[r * len..(r + 1) * len].copy_from_slice(&src[r * step..r * step + len]);
    }
}

/// Folds the column block `col [C*KH*KW, OH*OW]` (rows `ld` apart) back
/// into `image [C, H, W]`, *adding* to it:
/// `image[c, ih, iw] += sum of col[(c, i, j), (oh, ow)]` over the taps that
/// read `(ih, iw)`; padding entries are dropped. This is the adjoint of
/// [`im2col`], which is what the input gradient needs. Zero `image` first
/// for a plain fold. The summation order is fixed, so results are
/// reproducible.
///
/// # Panics
/// If `image` does not have the length the shape implies, `ld < OH*OW`,
/// or the block does not fit in `col`.
pub fn col2im<T: Element>(s: &Conv2dShape, col: &[T], ld: usize, image: &mut [T]) {
    assert_eq!(image.len(), s.image_len(), "col2im: image length");
    check_block("col2im", s, s.col_cols(), col.len(), ld);
    let (sh, sw) = s.params.stride;
    let (ph, pw) = s.params.padding;
    let (dh, dw) = s.params.dilation;
    let (h, w, ow) = (s.in_h, s.in_w, s.out_w);
    let mut rows = col.chunks(ld).map(|row| &row[..s.col_cols()]);
    for plane in image.chunks_exact_mut(h * w) {
        for i in 0..s.kernel_h {
            let oh_valid = valid_outputs(s.out_h, h, sh, i * dh, ph);
            for j in 0..s.kernel_w {
                let ow_valid = valid_outputs(ow, w, sw, j * dw, pw);
                let row = rows.next().expect("col2im: one row per kernel tap");
                if ow_valid.is_empty() {
                    continue;
                }
                for oh in oh_valid.clone() {
                    let ih = oh * sh + i * dh - ph;
                    let in_row = &mut plane[ih * w..(ih + 1) * w];
                    let src = &row[oh * ow..(oh + 1) * ow][ow_valid.clone()];
                    let iw0 = ow_valid.start * sw + j * dw - pw;
                    if sw == 1 {
                        for (d, &g) in in_row[iw0..iw0 + src.len()].iter_mut().zip(src) {
                            *d += g;
                        }
                    } else {
                        for (d, &g) in in_row[iw0..].iter_mut().step_by(sw).zip(src) {
                            *d += g;
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{im2col, valid_outputs};
    use crate::kernels::{Conv2dParams, Conv2dShape};

    #[test]
    fn valid_unit_stride_blocks_are_the_definition_and_leave_the_gaps_alone() {
        // Runs of 1, 11 (the CNN's second layer), 16, 26 (its first) and 37
        // values: shorter than a copy block, one block, and blocks plus a tail.
        for (w, kw) in [(3, 3), (13, 3), (18, 3), (28, 3), (40, 4)] {
            let s = Conv2dShape::new([1, 3, 5, w], [2, 3, 2, kw], Conv2dParams::valid());
            let (rows, cols) = (s.col_rows(), s.col_cols());
            let image: Vec<f32> = (0..s.image_len()).map(|i| i as f32).collect();
            let ld = cols + 7;
            let mut col = vec![-1.0f32; rows * ld];
            im2col(&s, &image, &mut col, ld);
            for (t, row) in col.chunks(ld).enumerate() {
                let (c, i, j) = (t / (2 * kw), t / kw % 2, t % kw);
                for (q, &got) in row[..cols].iter().enumerate() {
                    let (oh, ow) = (q / s.out_w, q % s.out_w);
                    assert_eq!(got, image[(c * 5 + oh + i) * w + ow + j], "w {w}, tap {t}, position {q}");
                }
                assert!(row[cols..].iter().all(|&v| v == -1.0), "w {w}: the gap after row {t} was written");
            }
        }
    }

    /// Brute force: which outputs read inside the input.
    fn brute(out_len: usize, in_len: usize, stride: usize, tap: usize, pad: usize) -> Vec<usize> {
        (0..out_len)
            .filter(|&o| {
                let idx = (o * stride + tap) as isize - pad as isize;
                idx >= 0 && (idx as usize) < in_len
            })
            .collect()
    }

    #[test]
    fn valid_outputs_matches_brute_force() {
        for out_len in 1..6 {
            for in_len in 1..6 {
                for stride in 1..4 {
                    for tap in 0..7 {
                        for pad in 0..4 {
                            let r: Vec<usize> = valid_outputs(out_len, in_len, stride, tap, pad).collect();
                            assert_eq!(
                                r,
                                brute(out_len, in_len, stride, tap, pad),
                                "{out_len} {in_len} {stride} {tap} {pad}"
                            );
                        }
                    }
                }
            }
        }
    }
}
