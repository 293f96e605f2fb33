//! Stride, padding and dilation of a convolution, and the output size they
//! give.

/// How a 2-D kernel slides over its input: `(height, width)` pairs.
///
/// Output size along each axis:
/// `out = (in + 2*padding - dilation*(k - 1) - 1) / stride + 1` (floor division).
///
/// Padding adds `padding` zeros on *both* sides; dilation `d` spreads the
/// kernel taps `d` apart (`d = 1` is an ordinary kernel).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Conv2dParams {
    /// Step between neighbouring output positions, `(sh, sw)`, each at least 1.
    pub stride: (usize, usize),
    /// Zeros added before and after the input, `(ph, pw)`.
    pub padding: (usize, usize),
    /// Distance between kernel taps, `(dh, dw)`, each at least 1.
    pub dilation: (usize, usize),
}

impl Conv2dParams {
    /// Any stride, padding and dilation.
    pub fn new(stride: (usize, usize), padding: (usize, usize), dilation: (usize, usize)) -> Self {
        Conv2dParams { stride, padding, dilation }
    }

    /// "Valid" convolution: stride 1, no padding, no dilation, so the kernel
    /// only visits positions where it fits entirely: `out = in - k + 1`
    /// (a 4x4 input and a 3x3 kernel give 2x2).
    pub fn valid() -> Self {
        Conv2dParams { stride: (1, 1), padding: (0, 0), dilation: (1, 1) }
    }

    /// "Same" convolution for a `kernel_h x kernel_w` kernel: stride 1 and
    /// `(k - 1) / 2` zeros on each side, so an odd kernel keeps the size
    /// (`out = in`: a 4x4 input and a 3x3 kernel give 4x4).
    ///
    /// Padding is symmetric, so an even kernel cannot keep the size exactly:
    /// it gets `k/2 - 1` zeros per side and the output is one smaller than
    /// the input along that axis (`out = in - 1`). Keeping it would need one
    /// extra zero on one side only, which these parameters do not express.
    ///
    /// With a stride `s` set afterwards (`.with_stride`), an odd kernel gives
    /// `out = ceil(in / s)`.
    pub fn same(kernel_h: usize, kernel_w: usize) -> Self {
        Conv2dParams {
            stride: (1, 1),
            padding: (kernel_h.saturating_sub(1) / 2, kernel_w.saturating_sub(1) / 2),
            dilation: (1, 1),
        }
    }

    /// The same parameters with another stride.
    pub fn with_stride(self, stride: (usize, usize)) -> Self {
        Conv2dParams { stride, ..self }
    }

    /// The same parameters with another padding.
    pub fn with_padding(self, padding: (usize, usize)) -> Self {
        Conv2dParams { padding, ..self }
    }

    /// The same parameters with another dilation.
    pub fn with_dilation(self, dilation: (usize, usize)) -> Self {
        Conv2dParams { dilation, ..self }
    }

    /// Output `(height, width)` for an input of `input_hw` and a kernel of
    /// `kernel_hw`: `out = (in + 2*padding - dilation*(k - 1) - 1) / stride + 1`.
    ///
    /// # Panics
    /// If a stride, dilation or kernel size is 0, or the (dilated) kernel is
    /// larger than the padded input.
    #[track_caller]
    pub fn output_size(&self, input_hw: (usize, usize), kernel_hw: (usize, usize)) -> (usize, usize) {
        let (s, p, d) = (self.stride, self.padding, self.dilation);
        let h = expect_len("conv2d", conv_output_len("height", input_hw.0, kernel_hw.0, s.0, p.0, d.0), "");
        let w = expect_len("conv2d", conv_output_len("width", input_hw.1, kernel_hw.1, s.1, p.1, d.1), "");
        (h, w)
    }
}

impl Default for Conv2dParams {
    /// [`Conv2dParams::valid`].
    fn default() -> Self {
        Conv2dParams::valid()
    }
}

/// How a 1-D kernel slides over its input.
///
/// Output length: `out = (in + 2*padding - dilation*(k - 1) - 1) / stride + 1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Conv1dParams {
    /// Step between neighbouring output positions, at least 1.
    pub stride: usize,
    /// Zeros added before and after the input.
    pub padding: usize,
    /// Distance between kernel taps, at least 1.
    pub dilation: usize,
}

impl Conv1dParams {
    /// Any stride, padding and dilation.
    pub fn new(stride: usize, padding: usize, dilation: usize) -> Self {
        Conv1dParams { stride, padding, dilation }
    }

    /// Stride 1, no padding, no dilation: `out = in - k + 1`.
    pub fn valid() -> Self {
        Conv1dParams { stride: 1, padding: 0, dilation: 1 }
    }

    /// Stride 1 and `(k - 1) / 2` zeros on each side: `out = in` for an odd
    /// kernel, `out = in - 1` for an even one (see [`Conv2dParams::same`]).
    pub fn same(kernel: usize) -> Self {
        Conv1dParams { stride: 1, padding: kernel.saturating_sub(1) / 2, dilation: 1 }
    }

    /// The same parameters with another stride.
    pub fn with_stride(self, stride: usize) -> Self {
        Conv1dParams { stride, ..self }
    }

    /// The same parameters with another padding.
    pub fn with_padding(self, padding: usize) -> Self {
        Conv1dParams { padding, ..self }
    }

    /// The same parameters with another dilation.
    pub fn with_dilation(self, dilation: usize) -> Self {
        Conv1dParams { dilation, ..self }
    }

    /// Output length for an input of length `input` and a kernel of `kernel`
    /// taps: `out = (in + 2*padding - dilation*(k - 1) - 1) / stride + 1`.
    ///
    /// # Panics
    /// As [`Conv2dParams::output_size`].
    #[track_caller]
    pub fn output_len(&self, input: usize, kernel: usize) -> usize {
        let len = conv_output_len("length", input, kernel, self.stride, self.padding, self.dilation);
        expect_len("conv1d", len, "")
    }

    /// The equivalent 2-D parameters for an input of height 1: the 1-D axis
    /// becomes the width, the height gets stride 1, no padding, dilation 1.
    pub fn as_2d(&self) -> Conv2dParams {
        Conv2dParams { stride: (1, self.stride), padding: (0, self.padding), dilation: (1, self.dilation) }
    }
}

impl Default for Conv1dParams {
    /// [`Conv1dParams::valid`].
    fn default() -> Self {
        Conv1dParams::valid()
    }
}

/// `out = (in + 2*pad - dil*(k - 1) - 1) / stride + 1` along one axis, or
/// what is wrong with the sizes of that axis (named `axis` in the message).
pub(crate) fn conv_output_len(
    axis: &str,
    input: usize,
    kernel: usize,
    stride: usize,
    pad: usize,
    dil: usize,
) -> Result<usize, String> {
    if stride == 0 || dil == 0 {
        return Err(format!("stride ({stride}) and dilation ({dil}) along the {axis} must be at least 1"));
    }
    if kernel == 0 {
        return Err(format!("kernel {axis} must be at least 1"));
    }
    let span = dil * (kernel - 1) + 1;
    let padded = input + 2 * pad;
    if span > padded {
        return Err(format!(
            "kernel {axis} {kernel} with dilation {dil} spans {span}, but the input {axis} {input} \
             padded by {pad} on each side is only {padded}"
        ));
    }
    Ok((padded - span) / stride + 1)
}

/// The length in `len`, or a panic at the caller's call site with
/// `"{op}: {problem}{context}"`.
#[track_caller]
pub(crate) fn expect_len(op: &str, len: Result<usize, String>, context: &str) -> usize {
    match len {
        Ok(n) => n,
        Err(problem) => panic!("{op}: {problem}{context}"),
    }
}
