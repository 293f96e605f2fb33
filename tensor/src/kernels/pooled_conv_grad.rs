//! The gradients of a convolution whose output was max-pooled, taken
//! straight from the pooled gradient.
//!
//! In a CNN block `z = conv(x, w) + b`, `y = max_pool(relu(z))`, the
//! gradient reaching the convolution is `dz = scatter(g)`: zero everywhere
//! but at the position each pooling window chose, which receives that
//! window's `g` (already masked by the ReLU). With 2x2 windows that is one
//! position in four. The convolution's gradients are linear in `dz`, so they
//! are sums over the windows alone. With `(oh, ow)` the position chosen by
//! window `q` of plane `(n, o)`:
//!
//! - weight: `dw[o, c, i, j] = sum_{n, q} g[n, o, q] * x[n, c, oh*sh + i*dh - ph, ow*sw + j*dw - pw]`;
//! - input: `dx[n, c, oh*sh + i*dh - ph, ow*sw + j*dw - pw] += g[n, o, q] * w[o, c, i, j]`
//!   for every `(o, q)` (padding positions dropped);
//! - bias: `db[o] = sum_{n, q} g[n, o, q]`, the bias gradient of `g` itself.
//!
//! That is a quarter of the multiply-adds of the dense gradients, and the
//! convolution-sized `dz` is never written nor read. The results equal the
//! dense ones ([`conv2d_grad_weight`](super::conv2d::conv2d_grad_weight)
//! and [`conv2d_grad_input`](super::conv2d::conv2d_grad_input) of the
//! scattered gradient) up to the order of the additions.
//!
//! Both sums run on channels-last copies: each image as `xp [Hp, Wp, C]`
//! with its zero padding written out (`Hp = H + 2*ph`, `Wp = W + 2*pw`), the
//! weight as `[O, KH, KW, C]`. A window's taps along one kernel row are then
//! `KW*C` consecutive values of `xp` (with unit dilation; `KW` runs of `C`
//! otherwise), so each window is a few long vector multiply-adds instead of
//! `C*KH*KW` scattered scalars.

use crate::par::prelude::*;

use super::conv2d::{check_len, conv2d_grad_input};
use super::conv_shape::Conv2dShape;
use super::few_taps::FEW_TAPS;
use super::few_taps_pooled::grad_weight_few_taps_pooled;
use super::max_pool::max_pool2d_backward;
use super::parallel::{items_per_chunk, items_per_part, sum_parts_in_order};
use super::pool_shape::Pool2dShape;
use super::scratch::Scratch;
use crate::widest_vectors;
use crate::Element;

/// Tap runs shorter than this take the dense input gradient instead (one
/// AVX2 register of `f32`).
const SHORT_RUN: usize = 8;

/// Where a window's taps lie in a padded channels-last image.
struct TapLayout {
    /// For each convolution output position `p = oh*OW + ow`, the offset of
    /// its first tap: `(oh*sh*Wp + ow*sw)*C`.
    origins: Vec<usize>,
    /// Offset of each run of consecutive taps from the origin, in the order
    /// of the channels-last weight `[KH, KW, C]`.
    runs: Vec<usize>,
    /// Taps per run: `KW*C` with unit dilation, `C` otherwise.
    run_len: usize,
    /// Elements of one padded image, `Hp*Wp*C`.
    padded_len: usize,
}

impl TapLayout {
    fn new(s: &Conv2dShape) -> Self {
        let (sh, sw) = s.params.stride;
        let (dh, dw) = s.params.dilation;
        let c = s.in_channels;
        let wp = padded_w(s);
        let origins = (0..s.out_h).flat_map(|oh| (0..s.out_w).map(move |ow| (oh * sh * wp + ow * sw) * c)).collect();
        let (runs, run_len) = if dw == 1 {
            ((0..s.kernel_h).map(|i| i * dh * wp * c).collect(), s.kernel_w * c)
        } else {
            let runs = (0..s.kernel_h).flat_map(|i| (0..s.kernel_w).map(move |j| (i * dh * wp + j * dw) * c));
            (runs.collect(), c)
        };
        TapLayout { origins, runs, run_len, padded_len: padded_h(s) * wp * c }
    }

    /// True when an image is its own padded channels-last copy (one
    /// channel, no padding): no copy needed.
    fn is_identity(s: &Conv2dShape) -> bool {
        s.in_channels == 1 && s.params.padding == (0, 0)
    }
}

fn padded_h(s: &Conv2dShape) -> usize {
    s.in_h + 2 * s.params.padding.0
}

fn padded_w(s: &Conv2dShape) -> usize {
    s.in_w + 2 * s.params.padding.1
}

/// `xp [Hp, Wp, C] <- image [C, H, W]`, zeros in the padding.
fn to_padded_channels_last<T: Element>(s: &Conv2dShape, image: &[T], xp: &mut [T]) {
    let (c_len, w, wp) = (s.in_channels, s.in_w, padded_w(s));
    let (ph, pw) = s.params.padding;
    xp.fill(T::zero());
    for (c, plane) in image.chunks_exact(s.in_h * w).enumerate() {
        for (h, row) in plane.chunks_exact(w).enumerate() {
            let start = ((h + ph) * wp + pw) * c_len + c;
            for (d, &v) in xp[start..].iter_mut().step_by(c_len).zip(row) {
                *d = v;
            }
        }
    }
}

/// `image [C, H, W] <- xp [Hp, Wp, C]`, the padding dropped.
fn from_padded_channels_last<T: Element>(s: &Conv2dShape, xp: &[T], image: &mut [T]) {
    let (c_len, w, wp) = (s.in_channels, s.in_w, padded_w(s));
    let (ph, pw) = s.params.padding;
    for (c, plane) in image.chunks_exact_mut(s.in_h * w).enumerate() {
        for (h, row) in plane.chunks_exact_mut(w).enumerate() {
            let start = ((h + ph) * wp + pw) * c_len + c;
            for (d, &v) in row.iter_mut().zip(xp[start..].iter().step_by(c_len)) {
                *d = v;
            }
        }
    }
}

/// `[O, C, KH, KW] -> [O, KH, KW, C]`.
fn weight_to_channels_last<T: Element>(s: &Conv2dShape, w: &[T]) -> Vec<T> {
    let (c_len, taps) = (s.in_channels, s.kernel_h * s.kernel_w);
    let mut out = crate::memory::overwritable(w.len(), T::zero());
    for (src, dst) in w.chunks_exact(s.col_rows()).zip(out.chunks_exact_mut(s.col_rows())) {
        for (c, kernel) in src.chunks_exact(taps).enumerate() {
            for (t, &v) in kernel.iter().enumerate() {
                dst[t * c_len + c] = v;
            }
        }
    }
    out
}

/// `[O, KH, KW, C] -> [O, C, KH, KW]`.
fn weight_from_channels_last<T: Element>(s: &Conv2dShape, wt: &[T]) -> Vec<T> {
    let (c_len, taps) = (s.in_channels, s.kernel_h * s.kernel_w);
    let mut out = crate::memory::overwritable(wt.len(), T::zero());
    for (src, dst) in wt.chunks_exact(s.col_rows()).zip(out.chunks_exact_mut(s.col_rows())) {
        for (c, kernel) in dst.chunks_exact_mut(taps).enumerate() {
            for (t, d) in kernel.iter_mut().enumerate() {
                *d = src[t * c_len + c];
            }
        }
    }
    out
}

/// The checks shared by both gradients: the pooling's input is the
/// convolution's output, and the pooled gradient and positions fit it.
#[track_caller]
fn check_pooled<T>(op: &str, s: &Conv2dShape, pool: &Pool2dShape, grad: &[T], argmax: &[u32]) {
    assert!(
        pool.input_shape() == s.output_shape(),
        "{op}: the pooling's input {:?} is not the convolution's output {:?}",
        pool.input_shape(),
        s.output_shape()
    );
    check_len(op, "pooled gradient", grad.len(), &pool.output_shape());
    check_len(op, "pooled positions", argmax.len(), &pool.output_shape());
}

/// The position window `at` chose, as an index into [`TapLayout::origins`],
/// or a panic: positions come from a max pooling of the convolution's
/// output, so one outside its plane is a caller's bug.
#[inline(always)]
#[track_caller]
fn origin(layout: &TapLayout, at: u32) -> usize {
    match layout.origins.get(at as usize) {
        Some(&o) => o,
        None => panic!(
            "max-pooled convolution gradient: position {at} is outside the {} positions of a plane",
            layout.origins.len()
        ),
    }
}

/// Weight gradient of a convolution from the gradient of its max-pooled
/// output (see the module docs):
/// `dw[o, c, i, j] = sum_{n, q} g[n, o, q] * x[n, c, oh*sh + i*dh - ph, ow*sw + j*dw - pw]`
/// with `(oh, ow)` the position `argmax[n, o, q]` decoded.
///
/// - `s`: the convolution; `pool`: the pooling of its output;
/// - `grad_pooled`, `argmax`: `[N, O, PH, PW]`, the pooled gradient and
///   the positions (`oh*OW + ow`) from the forward pooling;
/// - `input`: `[N, C, H, W]`; returns `[O, C, KH, KW]`.
///
/// The batch is cut into at most 8 parts by size alone and the parts'
/// sums added in order, so the result is the same on any thread count.
///
/// # Panics
/// If the shapes disagree or a position is outside its plane.
#[track_caller]
pub fn conv2d_grad_weight_pooled<T: Element>(
    s: &Conv2dShape,
    pool: &Pool2dShape,
    grad_pooled: &[T],
    argmax: &[u32],
    input: &[T],
) -> Vec<T> {
    let op = "conv2d_grad_weight_pooled";
    check_pooled(op, s, pool, grad_pooled, argmax);
    check_len(op, "input", input.len(), &s.input_shape());
    let k = s.col_rows();
    let dw_len = s.out_channels * k;
    let windows = s.out_channels * pool.out_plane_len();
    if s.batch == 0 || dw_len == 0 || windows == 0 {
        return crate::memory::filled(dw_len, T::zero());
    }
    let layout = TapLayout::new(s);
    let per = items_per_part(s.batch, windows * k);
    // A grey first layer's tap runs (`KW*C = 3` values) are too short for
    // vectors: its windows add whole patches of taps instead
    // (channels-first result, no transpose).
    let few_taps = k <= FEW_TAPS;
    let part = |((g, a), x): ((&[T], &[u32]), &[T])| {
        if few_taps {
            let mut dw = crate::memory::filled(dw_len, T::zero());
            grad_weight_few_taps_pooled(s, g, a, x, &mut dw);
            dw
        } else {
            grad_weight_part(s, &layout, g, a, x)
        }
    };
    let (g_step, x_step) = (per * windows, per * s.image_len());
    let parts: Vec<Vec<T>> = if per >= s.batch {
        vec![part(((grad_pooled, argmax), input))]
    } else {
        let grads = grad_pooled.par_chunks(g_step).zip(argmax.par_chunks(g_step));
        // `collect` keeps the parts in batch order whatever thread made them.
        grads.zip(input.par_chunks(x_step)).map(part).collect()
    };
    let dwt = sum_parts_in_order(parts);
    if few_taps {
        return dwt;
    }
    let dw = weight_from_channels_last(s, &dwt);
    crate::memory::give(dwt);
    dw
}

widest_vectors! {
    /// The channels-last weight gradient `[O, KH, KW, C]` summed over a run of
    /// whole images.
    fn grad_weight_part<T: Element>(
        s: &Conv2dShape,
        layout: &TapLayout,
        g: &[T],
        argmax: &[u32],
        x: &[T],
    ) -> Vec<T> {
        let k = s.col_rows();
        let mut dwt = crate::memory::filled(s.out_channels * k, T::zero());
        let windows = g.len() / (x.len() / s.image_len()).max(1);
        let plane = windows / s.out_channels;
        let identity = TapLayout::is_identity(s);
        let mut xp = Scratch::take(if identity { 0 } else { layout.padded_len });
        let mut terms = vec![(T::zero(), 0usize); plane];
        for (x_n, (g_n, a_n)) in
            x.chunks_exact(s.image_len()).zip(g.chunks_exact(windows).zip(argmax.chunks_exact(windows)))
        {
            let xp_n: &[T] = if identity {
                x_n
            } else {
                to_padded_channels_last(s, x_n, &mut xp);
                &xp[..layout.padded_len]
            };
            let planes = g_n.chunks_exact(plane).zip(a_n.chunks_exact(plane));
            for (dw_o, (g_o, a_o)) in dwt.chunks_exact_mut(k).zip(planes) {
                // dw_o[run r] += sum over the plane's windows of g * xp[origin + run_r ..]
                let open = open_windows(layout, g_o, a_o, &mut terms);
                for (dst, &run) in dw_o.chunks_exact_mut(layout.run_len).zip(&layout.runs) {
                    add_weighted_rows(&terms[..open], &xp_n[run..], dst);
                }
            }
        }
        dwt
    }
}

/// Gathers the open windows of a plane, `(g, origin of its position)`, at
/// the front of `terms` and returns how many there are. A window the ReLU
/// closed (or a zero gradient) adds nothing, so it is left out, without a
/// branch: every window is written just after the open ones, which only
/// grow past it when it is open. On real data whether a window is open is
/// close to a coin flip, and a branch on it mispredicts that often (the
/// CNN's second-layer weight gradient, 200 batches alternating: 0.75-0.84 s
/// without the branch against 0.82-0.86 with it, 4 times of 5 faster).
#[inline(always)]
fn open_windows<T: Element>(layout: &TapLayout, g: &[T], argmax: &[u32], terms: &mut [(T, usize)]) -> usize {
    let mut open = 0;
    for (&g, &at) in g.iter().zip(argmax) {
        terms[open] = (g, origin(layout, at));
        open += usize::from(g != T::zero());
    }
    open
}

/// `dst[l] += sum over (a, at) in terms, in order, of a * src[at + l]`
/// for every `l < dst.len()`: a few rows of `src` weighted and added up.
/// The sums of a block of lanes stay in registers over all the terms and
/// `dst` is written once, instead of once per term.
#[inline(always)]
fn add_weighted_rows<T: Element>(terms: &[(T, usize)], src: &[T], dst: &mut [T]) {
    let mut at = 0;
    while dst.len() - at >= 64 {
        add_block::<T, 64>(terms, src, at, &mut dst[at..at + 64]);
        at += 64;
    }
    // Narrower blocks leave fewer independent sums to hide the add latency:
    // one block of 32 before the blocks of 8.
    if dst.len() - at >= 32 {
        add_block::<T, 32>(terms, src, at, &mut dst[at..at + 32]);
        at += 32;
    }
    while dst.len() - at >= 8 {
        add_block::<T, 8>(terms, src, at, &mut dst[at..at + 8]);
        at += 8;
    }
    while at < dst.len() {
        add_block::<T, 1>(terms, src, at, &mut dst[at..at + 1]);
        at += 1;
    }
}

/// [`add_weighted_rows`] for the `L` lanes from `start`.
#[inline(always)]
fn add_block<T: Element, const L: usize>(terms: &[(T, usize)], src: &[T], start: usize, dst: &mut [T]) {
    let mut acc = [T::zero(); L];
    for &(a, at) in terms {
        let Some(row) = src[at + start..].first_chunk::<L>() else {
            panic!("max-pooled convolution gradient: a tap run ends past its image");
        };
        for (s, &v) in acc.iter_mut().zip(row) {
            *s += a * v;
        }
    }
    for (d, &s) in dst.iter_mut().zip(&acc) {
        *d += s;
    }
}

/// Input gradient of a convolution from the gradient of its max-pooled
/// output (see the module docs): each window adds `g[n, o, q] * w[o]` to
/// the input patch its chosen position read,
/// `dx[n, c, oh*sh + i*dh - ph, ow*sw + j*dw - pw] += g[n, o, q] * w[o, c, i, j]`.
///
/// - `s`: the convolution; `pool`: the pooling of its output;
/// - `grad_pooled`, `argmax`: `[N, O, PH, PW]`;
/// - `weight`: `[O, C, KH, KW]`; returns `[N, C, H, W]`.
///
/// Each image is summed on its own in a fixed order (channel by channel,
/// window by window), so the result does not depend on the threads.
///
/// # Panics
/// If the shapes disagree or a position is outside its plane.
#[track_caller]
pub fn conv2d_grad_input_pooled<T: Element>(
    s: &Conv2dShape,
    pool: &Pool2dShape,
    grad_pooled: &[T],
    argmax: &[u32],
    weight: &[T],
) -> Vec<T> {
    let op = "conv2d_grad_input_pooled";
    check_pooled(op, s, pool, grad_pooled, argmax);
    check_len(op, "weight", weight.len(), &s.weight_shape());
    let windows = s.out_channels * pool.out_plane_len();
    if s.batch == 0 || s.image_len() == 0 || windows == 0 {
        return crate::memory::filled(s.input_shape().iter().product(), T::zero());
    }
    let layout = TapLayout::new(s);
    if layout.run_len < SHORT_RUN {
        // Runs too short for vectors (a grey first layer, 3 taps each):
        // the dense input gradient of the scattered gradient is faster.
        let dz = max_pool2d_backward(pool, grad_pooled, argmax);
        let dx = conv2d_grad_input(s, &dz, weight);
        crate::memory::give(dz);
        return dx;
    }
    // Every element is written by the copy out of the padded image.
    let mut dx = crate::memory::overwritable(s.input_shape().iter().product(), T::zero());
    let wt = weight_to_channels_last(s, weight);
    let per = items_per_chunk(s.batch, windows * s.col_rows());
    let chunk = |(dx, (g, a)): (&mut [T], (&[T], &[u32]))| grad_input_chunk(s, &layout, &wt, g, a, dx);
    let (g_step, x_step) = (per * windows, per * s.image_len());
    if per >= s.batch {
        chunk((&mut dx, (grad_pooled, argmax)));
    } else {
        let grads = grad_pooled.par_chunks(g_step).zip(argmax.par_chunks(g_step));
        dx.par_chunks_mut(x_step).zip(grads).for_each(chunk);
    }
    crate::memory::give(wt);
    dx
}

widest_vectors! {
    /// [`conv2d_grad_input_pooled`] over a run of whole images.
    fn grad_input_chunk<T: Element>(
        s: &Conv2dShape,
        layout: &TapLayout,
        wt: &[T],
        g: &[T],
        argmax: &[u32],
        dx: &mut [T],
    ) {
        let (k, len) = (s.col_rows(), layout.run_len);
        let windows = g.len() / (dx.len() / s.image_len()).max(1);
        let plane = windows / s.out_channels;
        let positions = layout.origins.len();
        let mut dxp = Scratch::take(layout.padded_len);
        let dxp = &mut dxp[..layout.padded_len];
        // The open windows of an image bucketed by chosen position: `terms`
        // holds `(g, offset of w[o] in wt)`, those of position p at
        // `terms[first[p]..first[p + 1]]`, channels in order.
        let mut first = vec![0usize; positions + 1];
        let mut next = vec![0usize; positions];
        let mut terms = vec![(T::zero(), 0usize); windows];
        for (dx_n, (g_n, a_n)) in
            dx.chunks_exact_mut(s.image_len()).zip(g.chunks_exact(windows).zip(argmax.chunks_exact(windows)))
        {
            first.fill(0);
            for (&g, &at) in g_n.iter().zip(a_n) {
                if g != T::zero() {
                    origin(layout, at); // checks the position
                    first[at as usize + 1] += 1;
                }
            }
            for p in 0..positions {
                first[p + 1] += first[p];
            }
            next.copy_from_slice(&first[..positions]);
            for (o, (g_o, a_o)) in g_n.chunks_exact(plane).zip(a_n.chunks_exact(plane)).enumerate() {
                for (&g, &at) in g_o.iter().zip(a_o) {
                    if g != T::zero() {
                        terms[next[at as usize]] = (g, o * k);
                        next[at as usize] += 1;
                    }
                }
            }
            // dxp[origin_p + run_r ..] += sum over the position's windows of g * wt[o, run r]
            dxp.fill(T::zero());
            for (p, &base) in layout.origins.iter().enumerate() {
                let here = &terms[first[p]..first[p + 1]];
                if here.is_empty() {
                    continue;
                }
                for (r, &run) in layout.runs.iter().enumerate() {
                    add_weighted_rows(here, &wt[r * len..], &mut dxp[base + run..base + run + len]);
                }
            }
            from_padded_channels_last(s, dxp, dx_n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::instruction_sets::{at_level, for_each_level, Level};
    use crate::kernels::{Conv2dParams, Pool2dParams};

    #[test]
    fn every_instruction_set_gives_the_same_bits() {
        // 4 channels, 3x3 taps: runs of 12 (a block of 8 and 4 single lanes),
        // and padding, so the channels-last copies have borders.
        let s = Conv2dShape::new([2, 4, 9, 10], [3, 4, 3, 3], Conv2dParams::new((1, 1), (1, 1), (1, 1)));
        let pool = Pool2dShape::new("test", s.output_shape(), Pool2dParams::square(2));
        let wave = |i: usize| ((i * 7919) % 1009) as f32 / 500.0 - 1.0;
        let x: Vec<f32> = (0..s.input_shape().iter().product()).map(wave).collect();
        let w: Vec<f32> = (0..s.weight_shape().iter().product()).map(|i| wave(i + 5)).collect();
        let out: usize = pool.output_shape().iter().product();
        let g: Vec<f32> = (0..out).map(|i| wave(i + 9)).collect();
        let argmax: Vec<u32> = (0..out).map(|i| ((i * 37) % s.col_cols()) as u32).collect();
        let layout = TapLayout::new(&s);
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let portable = at_level(Level::Baseline, || grad_weight_part(&s, &layout, &g, &argmax, &x));
        for (level, dispatched) in for_each_level(|| grad_weight_part(&s, &layout, &g, &argmax, &x)) {
            assert_eq!(bits(&portable), bits(&dispatched), "weight gradient, {level:?}");
        }
        let wt = weight_to_channels_last(&s, &w);
        let mut portable = vec![f32::NAN; x.len()];
        at_level(Level::Baseline, || grad_input_chunk(&s, &layout, &wt, &g, &argmax, &mut portable));
        for (level, dispatched) in for_each_level(|| {
            let mut dx = vec![f32::NAN; x.len()];
            grad_input_chunk(&s, &layout, &wt, &g, &argmax, &mut dx);
            dx
        }) {
            assert_eq!(bits(&portable), bits(&dispatched), "input gradient, {level:?}");
        }
        assert!(portable.iter().all(|v| v.is_finite()), "every element written");
    }

    #[test]
    fn channels_last_copies_round_trip() {
        let s = Conv2dShape::new([1, 3, 4, 5], [2, 3, 2, 2], Conv2dParams::new((1, 1), (2, 1), (1, 1)));
        let x: Vec<f64> = (0..60).map(f64::from).collect();
        let mut xp = vec![f64::NAN; TapLayout::new(&s).padded_len];
        to_padded_channels_last(&s, &x, &mut xp);
        assert_eq!(xp.iter().filter(|v| **v != 0.0).count(), 59, "every value once, zeros around");
        let mut back = vec![f64::NAN; 60];
        from_padded_channels_last(&s, &xp, &mut back);
        assert_eq!(back, x);
        let w: Vec<f64> = (0..24).map(f64::from).collect();
        assert_eq!(weight_from_channels_last(&s, &weight_to_channels_last(&s, &w)), w);
    }
}
