//! Window, stride and padding of a 2-D pooling, and the checked sizes they
//! give for one input.

use std::ops::Range;

/// A pooling window sliding over each `(n, c)` plane: `(height, width)` pairs.
///
/// Output size along each axis: `out = (in + 2*padding - kernel) / stride + 1`
/// (floor division).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Pool2dParams {
    /// Window size `(kh, kw)`, each at least 1.
    pub kernel: (usize, usize),
    /// Step between windows `(sh, sw)`, each at least 1.
    pub stride: (usize, usize),
    /// Padding `(ph, pw)` on both sides, at most half the window.
    pub padding: (usize, usize),
}

impl Pool2dParams {
    /// Any window, stride and padding.
    pub fn new(kernel: (usize, usize), stride: (usize, usize), padding: (usize, usize)) -> Self {
        Pool2dParams { kernel, stride, padding }
    }

    /// Non-overlapping `k x k` windows, no padding (stride = window): the
    /// usual "2x2 pooling" halves each side.
    pub fn square(k: usize) -> Self {
        Pool2dParams { kernel: (k, k), stride: (k, k), padding: (0, 0) }
    }
}

/// What an average-pooling window divides by where it hangs over the
/// padding (PyTorch's `count_include_pad`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AvgPoolPadding {
    /// Padded positions count as zeros in the divisor: every window divides
    /// by `kh * kw` (`count_include_pad = true`, PyTorch's default).
    #[default]
    Counted,
    /// Only the real input elements count: a border window divides by the
    /// number of elements it covers (`count_include_pad = false`).
    Excluded,
}

/// Every size of a 2-D pooling `input [N, C, H, W] -> output [N, C, OH, OW]`,
/// validated by [`Pool2dShape::new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Pool2dShape {
    /// `N`: images in the batch.
    pub batch: usize,
    /// `C`: channels.
    pub channels: usize,
    /// `H`: input height (at least 1).
    pub in_h: usize,
    /// `W`: input width (at least 1).
    pub in_w: usize,
    /// `OH`: output height.
    pub out_h: usize,
    /// `OW`: output width.
    pub out_w: usize,
    /// Window, stride and padding.
    pub params: Pool2dParams,
}

impl Pool2dShape {
    /// Checks `input = [N, C, H, W]` against the window and computes
    /// `out = (in + 2*padding - kernel) / stride + 1` per axis. `op` names the
    /// operation in panic messages.
    ///
    /// Padding may be at most half the window (as in PyTorch): then every
    /// window overlaps the input, so a max always has a real element to pick
    /// and an average always covers one.
    ///
    /// # Panics
    /// If `H` or `W` is 0, a window or stride size is 0, the padding exceeds
    /// half the window, or the window is larger than the padded input.
    #[track_caller]
    pub fn new(op: &str, input: [usize; 4], params: Pool2dParams) -> Self {
        let [n, c, h, w] = input;
        let Pool2dParams { kernel: (kh, kw), stride: (sh, sw), padding: (ph, pw) } = params;
        assert!(h >= 1 && w >= 1, "{op}: input {input:?} has an empty spatial axis");
        assert!(kh >= 1 && kw >= 1, "{op}: window {kh}x{kw} is empty (input {input:?})");
        assert!(sh >= 1 && sw >= 1, "{op}: stride {sh}x{sw} must be at least 1 (input {input:?})");
        assert!(
            2 * ph <= kh && 2 * pw <= kw,
            "{op}: padding {ph}x{pw} is more than half the window {kh}x{kw} (input {input:?})"
        );
        assert!(
            kh <= h + 2 * ph && kw <= w + 2 * pw,
            "{op}: window {kh}x{kw} does not fit input {input:?} padded by {ph}x{pw}"
        );
        Pool2dShape {
            batch: n,
            channels: c,
            in_h: h,
            in_w: w,
            out_h: (h + 2 * ph - kh) / sh + 1,
            out_w: (w + 2 * pw - kw) / sw + 1,
            params,
        }
    }

    /// `[N, C, H, W]`.
    pub fn input_shape(&self) -> [usize; 4] {
        [self.batch, self.channels, self.in_h, self.in_w]
    }

    /// `[N, C, OH, OW]`.
    pub fn output_shape(&self) -> [usize; 4] {
        [self.batch, self.channels, self.out_h, self.out_w]
    }

    /// `N * C`: the number of independent planes.
    pub fn planes(&self) -> usize {
        self.batch * self.channels
    }

    /// `H * W`: elements of one input plane.
    pub fn in_plane_len(&self) -> usize {
        self.in_h * self.in_w
    }

    /// `OH * OW`: elements of one output plane.
    pub fn out_plane_len(&self) -> usize {
        self.out_h * self.out_w
    }

    /// The input rows covered by output row `oh`, padding cut off (never
    /// empty, thanks to the padding limit).
    #[inline]
    pub fn rows_of(&self, oh: usize) -> Range<usize> {
        window(oh, self.params.stride.0, self.params.kernel.0, self.params.padding.0, self.in_h)
    }

    /// The input columns covered by output column `ow`, padding cut off.
    #[inline]
    pub fn cols_of(&self, ow: usize) -> Range<usize> {
        window(ow, self.params.stride.1, self.params.kernel.1, self.params.padding.1, self.in_w)
    }
}

/// Input indices `o*stride - pad .. o*stride - pad + kernel`, clipped to `0..len`.
#[inline]
fn window(o: usize, stride: usize, kernel: usize, pad: usize, len: usize) -> Range<usize> {
    let start = (o * stride).saturating_sub(pad);
    let end = (o * stride + kernel).saturating_sub(pad).min(len);
    start..end
}
