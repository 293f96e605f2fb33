//! The checked sizes of one convolution, computed once from the input and
//! weight shapes and shared by the forward and backward kernels.

use super::conv_params::{conv_output_len, Conv1dParams, Conv2dParams};

/// Every size of a 2-D convolution `input [N, C, H, W] * weight [O, C, KH, KW]
/// -> output [N, O, OH, OW]`, validated by [`Conv2dShape::new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Conv2dShape {
    /// `N`: images in the batch (may be 0).
    pub batch: usize,
    /// `C`: input channels (at least 1).
    pub in_channels: usize,
    /// `H`: input height (at least 1).
    pub in_h: usize,
    /// `W`: input width (at least 1).
    pub in_w: usize,
    /// `O`: output channels, i.e. filters (may be 0).
    pub out_channels: usize,
    /// `KH`: kernel height (at least 1).
    pub kernel_h: usize,
    /// `KW`: kernel width (at least 1).
    pub kernel_w: usize,
    /// `OH`: output height.
    pub out_h: usize,
    /// `OW`: output width.
    pub out_w: usize,
    /// Stride, padding and dilation.
    pub params: Conv2dParams,
}

impl Conv2dShape {
    /// Checks `input = [N, C, H, W]` against `weight = [O, C, KH, KW]` and
    /// computes the output size with [`Conv2dParams::output_size`].
    ///
    /// # Panics
    /// If the channel counts differ, `C`, `H` or `W` is 0, or the kernel does
    /// not fit; the message names `conv2d` and both shapes.
    #[track_caller]
    pub fn new(input: [usize; 4], weight: [usize; 4], params: Conv2dParams) -> Self {
        Self::checked("conv2d", "width", &input, &weight, input, weight, params)
    }

    /// [`Conv2dShape::new`] with `op`, the name of the last axis and the
    /// caller's own shapes in the messages (conv1d reports its 3-D shapes and
    /// a "length", not the 2-D view it runs on).
    #[track_caller]
    fn checked(
        op: &str,
        width_name: &str,
        shown_input: &[usize],
        shown_weight: &[usize],
        input: [usize; 4],
        weight: [usize; 4],
        params: Conv2dParams,
    ) -> Self {
        let [n, c, h, w] = input;
        let [o, wc, kh, kw] = weight;
        assert!(c == wc, "{op}: input {shown_input:?} has {c} channels but weight {shown_weight:?} expects {wc}");
        assert!(c >= 1, "{op}: input {shown_input:?} has no channels");
        assert!(h >= 1 && w >= 1, "{op}: input {shown_input:?} has an empty spatial axis");
        assert!(kh >= 1 && kw >= 1, "{op}: weight {shown_weight:?} has an empty kernel axis");
        let p = params;
        // For conv1d the height is the dummy 1 of the 2-D view and always fits.
        let oh = conv_output_len("height", h, kh, p.stride.0, p.padding.0, p.dilation.0);
        let ow = conv_output_len(width_name, w, kw, p.stride.1, p.padding.1, p.dilation.1);
        let (oh, ow) = match (oh, ow) {
            (Ok(oh), Ok(ow)) => (oh, ow),
            (Err(problem), _) | (_, Err(problem)) => {
                panic!("{op}: {problem} (input {shown_input:?}, weight {shown_weight:?})")
            }
        };
        Conv2dShape {
            batch: n,
            in_channels: c,
            in_h: h,
            in_w: w,
            out_channels: o,
            kernel_h: kh,
            kernel_w: kw,
            out_h: oh,
            out_w: ow,
            params,
        }
    }

    /// `[N, C, H, W]`.
    pub fn input_shape(&self) -> [usize; 4] {
        [self.batch, self.in_channels, self.in_h, self.in_w]
    }

    /// `[O, C, KH, KW]`.
    pub fn weight_shape(&self) -> [usize; 4] {
        [self.out_channels, self.in_channels, self.kernel_h, self.kernel_w]
    }

    /// `[N, O, OH, OW]`.
    pub fn output_shape(&self) -> [usize; 4] {
        [self.batch, self.out_channels, self.out_h, self.out_w]
    }

    /// `C * H * W`: elements of one input image.
    pub fn image_len(&self) -> usize {
        self.in_channels * self.in_h * self.in_w
    }

    /// `C * KH * KW`: rows of the column matrix, columns of the weight matrix.
    pub fn col_rows(&self) -> usize {
        self.in_channels * self.kernel_h * self.kernel_w
    }

    /// `OH * OW`: columns of the column matrix, output positions per image.
    pub fn col_cols(&self) -> usize {
        self.out_h * self.out_w
    }

    /// `O * OH * OW`: elements of one output image.
    pub fn out_image_len(&self) -> usize {
        self.out_channels * self.col_cols()
    }

    /// True for a 1x1 kernel with stride 1 and no padding: the image
    /// `[C, H*W]` already is the column matrix, so im2col is skipped.
    pub fn is_pointwise(&self) -> bool {
        let p = self.params;
        self.kernel_h == 1 && self.kernel_w == 1 && p.stride == (1, 1) && p.padding == (0, 0)
    }
}

/// Every size of a 1-D convolution `input [N, C, L] * weight [O, C, K]
/// -> output [N, O, OL]`, validated by [`Conv1dShape::new`].
///
/// The 1-D kernels run the 2-D ones on the view `[N, C, 1, L]` (same memory),
/// which is [`Conv1dShape::as_2d`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Conv1dShape {
    two_d: Conv2dShape,
}

impl Conv1dShape {
    /// Checks `input = [N, C, L]` against `weight = [O, C, K]`.
    ///
    /// # Panics
    /// As [`Conv2dShape::new`], with `conv1d` and the 3-D shapes in the message.
    #[track_caller]
    pub fn new(input: [usize; 3], weight: [usize; 3], params: Conv1dParams) -> Self {
        let [n, c, l] = input;
        let [o, wc, k] = weight;
        let two_d =
            Conv2dShape::checked("conv1d", "length", &input, &weight, [n, c, 1, l], [o, wc, 1, k], params.as_2d());
        Conv1dShape { two_d }
    }

    /// The 2-D view with height 1 that the kernels run on.
    pub fn as_2d(&self) -> &Conv2dShape {
        &self.two_d
    }

    /// `[N, C, L]`.
    pub fn input_shape(&self) -> [usize; 3] {
        let s = &self.two_d;
        [s.batch, s.in_channels, s.in_w]
    }

    /// `[O, C, K]`.
    pub fn weight_shape(&self) -> [usize; 3] {
        let s = &self.two_d;
        [s.out_channels, s.in_channels, s.kernel_w]
    }

    /// `[N, O, OL]`.
    pub fn output_shape(&self) -> [usize; 3] {
        let s = &self.two_d;
        [s.batch, s.out_channels, s.out_w]
    }
}
