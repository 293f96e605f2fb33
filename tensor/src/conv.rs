//! Convolutions on tensors: shape checks and contiguity around the slice
//! kernels, the specialised ones (`kernels/conv2d.rs`, `kernels/conv1d.rs`)
//! or, when [`kernel_choice`](crate::kernels::kernel_choice) says so, the
//! nested loops of [`reference::conv2d_loops`](crate::kernels::reference::conv2d_loops).
//!
//! The backward pass is split into one method per gradient, called on the
//! output gradient, so that a caller asks only for what it needs (an input
//! that does not require a gradient never pays for col2im).

use crate::kernels::conv1d::{conv1d_forward, conv1d_grad_input, conv1d_grad_weight};
use crate::kernels::conv2d::{conv2d_forward, conv2d_grad_input, conv2d_grad_weight, conv_grad_bias};
use crate::kernels::reference::conv2d_loops;
use crate::kernels::{use_reference, Conv1dParams, Conv1dShape, Conv2dParams, Conv2dShape};
use crate::{Element, Tensor};

/// The elements of a contiguous tensor (as made by [`Tensor::contiguous`]).
pub(crate) fn data<T: Element>(t: &Tensor<T>) -> &[T] {
    t.as_slice().expect("a contiguous tensor exposes its elements as a slice")
}

/// `shape` as an array of `D` dimensions, or a panic naming `op`, the operand
/// and the expected layout (e.g. `"[N, C, H, W]"`).
#[track_caller]
pub(crate) fn dims<const D: usize>(op: &str, what: &str, layout: &str, shape: &[usize]) -> [usize; D] {
    match shape.try_into() {
        Ok(dims) => dims,
        Err(_) => panic!("{op}: {what} must be {D}-D {layout}, got shape {shape:?}"),
    }
}

/// Checks that the bias is `[O]` for a weight with `O` filters.
#[track_caller]
fn check_bias(op: &str, bias: &[usize], weight: &[usize]) {
    assert!(bias == [weight[0]], "{op}: bias {bias:?} does not match the {} filters of weight {weight:?}", weight[0]);
}

/// Checks that an output gradient has the shape the forward pass produced.
#[track_caller]
fn check_grad_out(op: &str, grad_out: &[usize], expected: &[usize], input: &[usize], weight: &[usize]) {
    assert!(
        grad_out == expected,
        "{op}: grad_out {grad_out:?} is not the output shape {expected:?} of input {input:?} and weight {weight:?}"
    );
}

impl<T: Element> Tensor<T> {
    /// 2-D convolution, as computed by deep-learning frameworks:
    /// `y[n, o, oh, ow] = b[o] + sum_{c, i, j} w[o, c, i, j] * x[n, c, oh*sh + i*dh - ph, ow*sw + j*dw - pw]`.
    ///
    /// - `self`: input `[N, C, H, W]`;
    /// - `weight`: `[O, C, KH, KW]`;
    /// - `bias`: `[O]`, or `None`;
    /// - `params`: stride, padding (zeros), dilation; see [`Conv2dParams`];
    /// - returns `[N, O, OH, OW]` with `OH = (H + 2*ph - dh*(KH - 1) - 1) / sh + 1`
    ///   (likewise `OW`).
    ///
    /// This is a **cross-correlation**: the kernel is not flipped. The
    /// mathematical convolution `s_i = sum_k x_(i-k) w_k` flips it; the two
    /// differ only by reversing the kernel along both spatial axes, and a
    /// learned kernel absorbs that, which is why every framework computes
    /// the cheaper, easier-to-read form and still calls it convolution.
    ///
    /// Computed by im2col + gemm per image, images spread over threads for
    /// large batches (with the reference kernels selected, by the nested
    /// loops of [`reference::conv2d_loops`](crate::kernels::reference::conv2d_loops)). Non-contiguous operands are
    /// copied first.
    ///
    /// ```
    /// use sinapse_tensor::{Conv2dParams, Tensor};
    /// let x = Tensor::<f32>::ones(&[1, 1, 4, 4]);
    /// let w = Tensor::<f32>::ones(&[1, 1, 3, 3]);
    /// assert_eq!(x.conv2d(&w, None, Conv2dParams::valid()).shape(), &[1, 1, 2, 2]);
    /// assert_eq!(x.conv2d(&w, None, Conv2dParams::same(3, 3)).shape(), &[1, 1, 4, 4]);
    /// ```
    ///
    /// # Panics
    /// If an operand has the wrong number of dimensions, the channel counts
    /// differ, the bias is not `[O]` or the kernel does not fit; the message
    /// names `conv2d` and the shapes.
    #[track_caller]
    pub fn conv2d(&self, weight: &Tensor<T>, bias: Option<&Tensor<T>>, params: Conv2dParams) -> Tensor<T> {
        let shape = self.conv2d_shape(weight, bias, params);
        let (x, w, b) = (self.contiguous(), weight.contiguous(), bias.map(Tensor::contiguous));
        let y = if use_reference() {
            conv2d_loops::conv2d_forward(&shape, data(&x), data(&w), b.as_ref().map(data))
        } else {
            conv2d_forward(&shape, data(&x), data(&w), b.as_ref().map(data))
        };
        Tensor::from_vec_unchecked(y, &shape.output_shape())
    }

    /// The sizes of `self.conv2d(weight, bias, params)`, or a panic naming
    /// `conv2d` and the shapes.
    #[track_caller]
    pub(crate) fn conv2d_shape(
        &self,
        weight: &Tensor<T>,
        bias: Option<&Tensor<T>>,
        params: Conv2dParams,
    ) -> Conv2dShape {
        let x_dims = dims("conv2d", "input", "[N, C, H, W]", self.shape());
        let w_dims = dims("conv2d", "weight", "[O, C, KH, KW]", weight.shape());
        let shape = Conv2dShape::new(x_dims, w_dims, params);
        if let Some(b) = bias {
            check_bias("conv2d", b.shape(), weight.shape());
        }
        shape
    }

    /// Gradient of [`conv2d`](Self::conv2d) with respect to its input, called
    /// on the output gradient:
    /// `dx[n, c, ih, iw] = sum over (o, i, j, oh, ow) with oh*sh + i*dh - ph = ih, ow*sw + j*dw - pw = iw
    /// of w[o, c, i, j] * dy[n, o, oh, ow]`.
    ///
    /// - `self`: `dy`, `[N, O, OH, OW]`;
    /// - `weight`: `[O, C, KH, KW]`;
    /// - `input_shape`: the forward input's shape `[N, C, H, W]` (the output
    ///   size alone does not determine it);
    /// - returns `[N, C, H, W]`.
    ///
    /// # Panics
    /// If the shapes are not those of a valid `conv2d` whose output is `dy`.
    #[track_caller]
    pub fn conv2d_grad_input(&self, weight: &Tensor<T>, input_shape: &[usize], params: Conv2dParams) -> Tensor<T> {
        let op = "conv2d_grad_input";
        let shape = Conv2dShape::new(
            dims(op, "input", "[N, C, H, W]", input_shape),
            dims(op, "weight", "[O, C, KH, KW]", weight.shape()),
            params,
        );
        check_grad_out(op, self.shape(), &shape.output_shape(), input_shape, weight.shape());
        let (dy, w) = (self.contiguous(), weight.contiguous());
        let dx = if use_reference() {
            conv2d_loops::conv2d_grad_input(&shape, data(&dy), data(&w))
        } else {
            conv2d_grad_input(&shape, data(&dy), data(&w))
        };
        Tensor::from_vec_unchecked(dx, input_shape)
    }

    /// Gradient of [`conv2d`](Self::conv2d) with respect to its weight,
    /// called on the output gradient:
    /// `dw[o, c, i, j] = sum_{n, oh, ow} dy[n, o, oh, ow] * x[n, c, oh*sh + i*dh - ph, ow*sw + j*dw - pw]`.
    ///
    /// - `self`: `dy`, `[N, O, OH, OW]`;
    /// - `input`: the forward input `[N, C, H, W]`;
    /// - `weight_shape`: `[O, C, KH, KW]`;
    /// - returns `[O, C, KH, KW]`.
    ///
    /// The sum over the batch is grouped by sizes alone, so the result is
    /// bit-for-bit reproducible whatever the number of threads.
    ///
    /// # Panics
    /// If the shapes are not those of a valid `conv2d` whose output is `dy`.
    #[track_caller]
    pub fn conv2d_grad_weight(&self, input: &Tensor<T>, weight_shape: &[usize], params: Conv2dParams) -> Tensor<T> {
        let op = "conv2d_grad_weight";
        let shape = Conv2dShape::new(
            dims(op, "input", "[N, C, H, W]", input.shape()),
            dims(op, "weight", "[O, C, KH, KW]", weight_shape),
            params,
        );
        check_grad_out(op, self.shape(), &shape.output_shape(), input.shape(), weight_shape);
        let (dy, x) = (self.contiguous(), input.contiguous());
        let dw = if use_reference() {
            conv2d_loops::conv2d_grad_weight(&shape, data(&dy), data(&x))
        } else {
            conv2d_grad_weight(&shape, data(&dy), data(&x))
        };
        Tensor::from_vec_unchecked(dw, weight_shape)
    }

    /// Gradient of [`conv2d`](Self::conv2d) with respect to its bias, called
    /// on the output gradient: `db[o] = sum_{n, oh, ow} dy[n, o, oh, ow]`.
    ///
    /// - `self`: `dy`, `[N, O, OH, OW]`; returns `[O]`.
    ///
    /// # Panics
    /// If `dy` is not 4-D.
    #[track_caller]
    pub fn conv2d_grad_bias(&self) -> Tensor<T> {
        let [n, o, oh, ow] = dims("conv2d_grad_bias", "grad_out", "[N, O, OH, OW]", self.shape());
        let dy = self.contiguous();
        let db = if use_reference() {
            conv2d_loops::conv2d_grad_bias(data(&dy), [n, o, oh, ow])
        } else {
            conv_grad_bias(data(&dy), n, o, oh * ow)
        };
        Tensor::from_vec_unchecked(db, &[o])
    }

    /// 1-D convolution, as computed by deep-learning frameworks:
    /// `y[n, o, t] = b[o] + sum_{c, k} w[o, c, k] * x[n, c, t*s + k*d - p]`.
    ///
    /// - `self`: input `[N, C, L]`;
    /// - `weight`: `[O, C, K]`;
    /// - `bias`: `[O]`, or `None`;
    /// - returns `[N, O, OL]` with `OL = (L + 2*p - d*(K - 1) - 1) / s + 1`.
    ///
    /// This is a **cross-correlation** (no kernel flip). The course's
    /// convolution `s_i = sum_k x_(i-k) w_k` is this operation with the kernel
    /// reversed (`w'_k = w_(K-1-k)`) and, for the full output, padding `K - 1`.
    ///
    /// Runs the 2-D kernels on the height-1 view `[N, C, 1, L]`.
    ///
    /// # Panics
    /// As [`conv2d`](Self::conv2d), naming `conv1d`.
    #[track_caller]
    pub fn conv1d(&self, weight: &Tensor<T>, bias: Option<&Tensor<T>>, params: Conv1dParams) -> Tensor<T> {
        let x_dims = dims("conv1d", "input", "[N, C, L]", self.shape());
        let w_dims = dims("conv1d", "weight", "[O, C, K]", weight.shape());
        let shape = Conv1dShape::new(x_dims, w_dims, params);
        if let Some(b) = bias {
            check_bias("conv1d", b.shape(), weight.shape());
        }
        let (x, w, b) = (self.contiguous(), weight.contiguous(), bias.map(Tensor::contiguous));
        // [N, C, L] is laid out as [N, C, 1, L]: the reference loops take the 2-D shape.
        let y = if use_reference() {
            conv2d_loops::conv2d_forward(shape.as_2d(), data(&x), data(&w), b.as_ref().map(data))
        } else {
            conv1d_forward(&shape, data(&x), data(&w), b.as_ref().map(data))
        };
        Tensor::from_vec_unchecked(y, &shape.output_shape())
    }

    /// Gradient of [`conv1d`](Self::conv1d) with respect to its input, called
    /// on the output gradient:
    /// `dx[n, c, l] = sum over (o, k, t) with t*s + k*d - p = l of w[o, c, k] * dy[n, o, t]`.
    ///
    /// - `self`: `dy`, `[N, O, OL]`; `weight`: `[O, C, K]`;
    /// - `input_shape`: `[N, C, L]`; returns `[N, C, L]`.
    ///
    /// # Panics
    /// If the shapes are not those of a valid `conv1d` whose output is `dy`.
    #[track_caller]
    pub fn conv1d_grad_input(&self, weight: &Tensor<T>, input_shape: &[usize], params: Conv1dParams) -> Tensor<T> {
        let op = "conv1d_grad_input";
        let shape = Conv1dShape::new(
            dims(op, "input", "[N, C, L]", input_shape),
            dims(op, "weight", "[O, C, K]", weight.shape()),
            params,
        );
        check_grad_out(op, self.shape(), &shape.output_shape(), input_shape, weight.shape());
        let (dy, w) = (self.contiguous(), weight.contiguous());
        let dx = if use_reference() {
            conv2d_loops::conv2d_grad_input(shape.as_2d(), data(&dy), data(&w))
        } else {
            conv1d_grad_input(&shape, data(&dy), data(&w))
        };
        Tensor::from_vec_unchecked(dx, input_shape)
    }

    /// Gradient of [`conv1d`](Self::conv1d) with respect to its weight,
    /// called on the output gradient:
    /// `dw[o, c, k] = sum_{n, t} dy[n, o, t] * x[n, c, t*s + k*d - p]`.
    ///
    /// - `self`: `dy`, `[N, O, OL]`; `input`: `[N, C, L]`;
    /// - `weight_shape`: `[O, C, K]`; returns `[O, C, K]`.
    ///
    /// Bit-for-bit reproducible, as [`conv2d_grad_weight`](Self::conv2d_grad_weight).
    ///
    /// # Panics
    /// If the shapes are not those of a valid `conv1d` whose output is `dy`.
    #[track_caller]
    pub fn conv1d_grad_weight(&self, input: &Tensor<T>, weight_shape: &[usize], params: Conv1dParams) -> Tensor<T> {
        let op = "conv1d_grad_weight";
        let shape = Conv1dShape::new(
            dims(op, "input", "[N, C, L]", input.shape()),
            dims(op, "weight", "[O, C, K]", weight_shape),
            params,
        );
        check_grad_out(op, self.shape(), &shape.output_shape(), input.shape(), weight_shape);
        let (dy, x) = (self.contiguous(), input.contiguous());
        let dw = if use_reference() {
            conv2d_loops::conv2d_grad_weight(shape.as_2d(), data(&dy), data(&x))
        } else {
            conv1d_grad_weight(&shape, data(&dy), data(&x))
        };
        Tensor::from_vec_unchecked(dw, weight_shape)
    }

    /// Gradient of [`conv1d`](Self::conv1d) with respect to its bias, called
    /// on the output gradient: `db[o] = sum_{n, t} dy[n, o, t]`.
    ///
    /// - `self`: `dy`, `[N, O, OL]`; returns `[O]`.
    ///
    /// # Panics
    /// If `dy` is not 3-D.
    #[track_caller]
    pub fn conv1d_grad_bias(&self) -> Tensor<T> {
        let [n, o, ol] = dims("conv1d_grad_bias", "grad_out", "[N, O, OL]", self.shape());
        let dy = self.contiguous();
        let db = if use_reference() {
            conv2d_loops::conv2d_grad_bias(data(&dy), [n, o, 1, ol])
        } else {
            conv_grad_bias(data(&dy), n, o, ol)
        };
        Tensor::from_vec_unchecked(db, &[o])
    }
}
