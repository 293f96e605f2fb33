//! Pooling on tensors: shape checks and contiguity around the slice
//! kernels, the specialised ones (`kernels/max_pool.rs`,
//! `kernels/avg_pool.rs`, `kernels/conv_relu_pool.rs`) or, when
//! [`kernel_choice`](crate::kernels::kernel_choice) says so, the loops of
//! [`kernels::reference`](crate::kernels::reference).

use crate::kernels::avg_pool::{avg_pool2d_backward, avg_pool2d_forward};
use crate::kernels::conv_relu_pool::conv2d_relu_max_pool2d_forward;
use crate::kernels::max_pool::{
    max_pool2d_backward, max_pool2d_forward, max_pool2d_gather, min_pool2d_forward, relu_max_pool2d_forward,
};
use crate::kernels::reference;
use crate::kernels::{use_reference, AvgPoolPadding, Conv2dParams, Pool2dParams, Pool2dShape};
use crate::{Element, Tensor};

/// Where each maximum of a [`Tensor::max_pool2d`] (or minimum of a
/// [`Tensor::min_pool2d`]) came from, kept for the backward pass: for every
/// output element, the flat index `ih * W + iw` of the chosen input element
/// within its own `(n, c)` plane. It also records
/// the input and output shapes, so the backward pass needs nothing else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaxPoolIndices {
    shape: Pool2dShape,
    argmax: Vec<u32>,
}

impl Drop for MaxPoolIndices {
    /// The indices are as large as the pooled output and made again every
    /// step: their buffer goes back to [`crate::memory`] like a tensor's.
    fn drop(&mut self) {
        crate::memory::give(std::mem::take(&mut self.argmax));
    }
}

impl MaxPoolIndices {
    /// Positions made elsewhere (saved, or written by hand in a test) for
    /// the pooling of sizes `shape`: `argmax` row-major over `[N, C, OH, OW]`,
    /// each `ih * W + iw` within its plane.
    ///
    /// # Panics
    /// If `argmax` does not have one position per output, or a position is
    /// outside its `[H, W]` plane.
    #[track_caller]
    pub fn from_positions(shape: Pool2dShape, argmax: Vec<u32>) -> Self {
        let outputs: usize = shape.output_shape().iter().product();
        assert!(
            argmax.len() == outputs,
            "MaxPoolIndices: {} positions for the {outputs} outputs of shape {:?}",
            argmax.len(),
            shape.output_shape()
        );
        let plane = shape.in_plane_len();
        if let Some(at) = argmax.iter().find(|&&at| at as usize >= plane) {
            panic!("MaxPoolIndices: position {at} is outside the {}x{} plane", shape.in_h, shape.in_w);
        }
        MaxPoolIndices { shape, argmax }
    }

    /// The pooled input's shape `[N, C, H, W]`.
    pub fn input_shape(&self) -> [usize; 4] {
        self.shape.input_shape()
    }

    /// The pooled output's shape `[N, C, OH, OW]`.
    pub fn output_shape(&self) -> [usize; 4] {
        self.shape.output_shape()
    }

    /// The positions, row-major over `[N, C, OH, OW]`; each is `ih * W + iw`.
    pub fn as_slice(&self) -> &[u32] {
        &self.argmax
    }

    /// The pooling's sizes.
    pub(crate) fn pool_shape(&self) -> &Pool2dShape {
        &self.shape
    }
}

/// A max-pool slice kernel: the pooled values and the position of each.
type MaxPoolKernel<T> = fn(&Pool2dShape, &[T]) -> (Vec<T>, Vec<u32>);

/// The reference form of `relu_max_pool2d`: the ReLU of every element
/// (`v if v > 0, else 0`, as [`Tensor::relu`]), then the reference max pooling.
fn reference_relu_max_pool<T: Element>(s: &Pool2dShape, x: &[T]) -> (Vec<T>, Vec<u32>) {
    let relu: Vec<T> = x.iter().map(|&v| if v > T::zero() { v } else { T::zero() }).collect();
    reference::max_pool::max_pool2d_forward(s, &relu)
}

/// `shape` as `[N, C, H, W]`, or a panic naming `op`.
#[track_caller]
fn dims4(op: &str, what: &str, shape: &[usize]) -> [usize; 4] {
    match shape.try_into() {
        Ok(dims) => dims,
        Err(_) => panic!("{op}: {what} must be 4-D [N, C, H, W], got shape {shape:?}"),
    }
}

/// The elements of a contiguous tensor (as made by [`Tensor::contiguous`]).
fn data<T: Element>(t: &Tensor<T>) -> &[T] {
    t.as_slice().expect("a contiguous tensor exposes its elements as a slice")
}

impl<T: Element> Tensor<T> {
    /// 2-D max pooling:
    /// `y[n, c, oh, ow] = max_{0 <= i < kh, 0 <= j < kw} x[n, c, oh*sh - ph + i, ow*sw - pw + j]`.
    ///
    /// - `self`: `[N, C, H, W]`;
    /// - `kernel`, `stride`, `padding`: `(height, width)` pairs; padding is
    ///   at most half the window;
    /// - returns `[N, C, OH, OW]` with `OH = (H + 2*ph - kh) / sh + 1` (likewise
    ///   `OW`), and the positions of the maxima for
    ///   [`max_pool2d_backward`](Self::max_pool2d_backward).
    ///
    /// Padding counts as `-inf`, so it is never selected. Ties go to the
    /// first maximum in row-major window order; NaN propagates.
    ///
    /// ```
    /// use sinapse_tensor::Tensor;
    /// let x = Tensor::<f32>::from_vec(vec![1., 5., 2., 0., 3., 4., 9., 8., 7., 6., 1., 2., 0., 1., 3., 3.], &[1, 1, 4, 4]).unwrap();
    /// let (y, _) = x.max_pool2d((2, 2), (2, 2), (0, 0));
    /// assert_eq!(y.to_vec(), vec![5., 9., 7., 3.]);
    /// ```
    ///
    /// # Panics
    /// If `self` is not 4-D or the window does not fit (message names
    /// `max_pool2d` and the shape).
    #[track_caller]
    pub fn max_pool2d(
        &self,
        kernel: (usize, usize),
        stride: (usize, usize),
        padding: (usize, usize),
    ) -> (Tensor<T>, MaxPoolIndices) {
        let kernel_fn = if use_reference() { reference::max_pool::max_pool2d_forward } else { max_pool2d_forward };
        self.max_pool_with("max_pool2d", Pool2dParams::new(kernel, stride, padding), kernel_fn)
    }

    /// 2-D min pooling, the mirror of [`max_pool2d`](Self::max_pool2d):
    /// `y[n, c, oh, ow] = min_{0 <= i < kh, 0 <= j < kw} x[n, c, oh*sh - ph + i, ow*sw - pw + j]`.
    ///
    /// - `self`: `[N, C, H, W]`;
    /// - `kernel`, `stride`, `padding`: `(height, width)` pairs; padding is
    ///   at most half the window and never chosen;
    /// - returns `[N, C, OH, OW]` and the positions of the minima; their
    ///   gradient is [`max_pool2d_backward`](Self::max_pool2d_backward) with
    ///   those positions.
    ///
    /// Ties go to the first minimum in row-major window order; NaN
    /// propagates. Computed as `-max_pool2d(-x)` in one pass (negation is
    /// exact, so the values are the minima bit for bit).
    ///
    /// ```
    /// use sinapse_tensor::Tensor;
    /// let x = Tensor::<f32>::from_vec(vec![1., 5., 2., 0., 3., 4., 9., 8.], &[1, 1, 2, 4]).unwrap();
    /// let (y, _) = x.min_pool2d((2, 2), (2, 2), (0, 0));
    /// assert_eq!(y.to_vec(), vec![1., 0.]);
    /// ```
    ///
    /// # Panics
    /// If `self` is not 4-D or the window does not fit (message names
    /// `min_pool2d` and the shape).
    #[track_caller]
    pub fn min_pool2d(
        &self,
        kernel: (usize, usize),
        stride: (usize, usize),
        padding: (usize, usize),
    ) -> (Tensor<T>, MaxPoolIndices) {
        let kernel_fn = if use_reference() { reference::min_pool::min_pool2d_forward } else { min_pool2d_forward };
        self.max_pool_with("min_pool2d", Pool2dParams::new(kernel, stride, padding), kernel_fn)
    }

    /// [`max_pool2d`](Self::max_pool2d) of [`relu`](Self::relu)`(self)`, in
    /// one pass that never writes `relu(self)`: what a `ReLU` layer followed
    /// by a `MaxPool2d` layer computes (Keras's `Conv2D(activation="relu")`
    /// then `MaxPooling2D`).
    ///
    /// Values and positions are bit-for-bit those of
    /// `self.relu().max_pool2d(kernel, stride, padding)`. The input gradient
    /// is the [`max_pool2d_backward`](Self::max_pool2d_backward) of
    /// `dy * [y > 0]` (the chosen element passed the ReLU exactly when the
    /// pooled value is positive).
    ///
    /// ```
    /// use sinapse_tensor::Tensor;
    /// let x = Tensor::<f32>::from_vec(vec![-1., -5., 2., 0., -3., -4., 9., 8.], &[1, 1, 2, 4]).unwrap();
    /// let (y, _) = x.relu_max_pool2d((2, 2), (2, 2), (0, 0));
    /// assert_eq!(y.to_vec(), vec![0., 9.]);
    /// ```
    ///
    /// # Panics
    /// As [`max_pool2d`](Self::max_pool2d), naming `relu_max_pool2d`.
    #[track_caller]
    pub fn relu_max_pool2d(
        &self,
        kernel: (usize, usize),
        stride: (usize, usize),
        padding: (usize, usize),
    ) -> (Tensor<T>, MaxPoolIndices) {
        let kernel_fn = if use_reference() { reference_relu_max_pool } else { relu_max_pool2d_forward };
        self.max_pool_with("relu_max_pool2d", Pool2dParams::new(kernel, stride, padding), kernel_fn)
    }

    /// `max_pool2d(relu(conv2d(self, weight, bias)))` in one pass: the first
    /// block of a CNN (Keras's `Conv2D(activation="relu")` then
    /// `MaxPooling2D`).
    ///
    /// Values and positions are bit-for-bit those of
    /// `self.conv2d(weight, bias, conv).relu_max_pool2d(..)`. For a
    /// convolution with at most 16 taps per output (`C*KH*KW`: the first
    /// layer on grey images has 9), each output plane is made in a buffer
    /// that stays in L1 and pooled at once; for one computed by gemm, each
    /// plane is pooled from its group's product while that is in cache. So
    /// the convolution's output, the largest tensor of the course's CNN, is
    /// never written; a pointwise convolution runs the two steps.
    ///
    /// ```
    /// use sinapse_tensor::{Conv2dParams, Pool2dParams, Tensor};
    /// let x = Tensor::<f32>::ones(&[1, 1, 6, 6]);
    /// let w = Tensor::<f32>::ones(&[2, 1, 3, 3]);
    /// let (y, _) = x.conv2d_relu_max_pool2d(&w, None, Conv2dParams::valid(), Pool2dParams::square(2));
    /// assert_eq!(y.shape(), &[1, 2, 2, 2]);
    /// assert_eq!(y.to_vec(), vec![9.0; 8]);
    /// ```
    ///
    /// # Panics
    /// As [`conv2d`](Self::conv2d) and [`max_pool2d`](Self::max_pool2d).
    #[track_caller]
    pub fn conv2d_relu_max_pool2d(
        &self,
        weight: &Tensor<T>,
        bias: Option<&Tensor<T>>,
        conv: Conv2dParams,
        pool: Pool2dParams,
    ) -> (Tensor<T>, MaxPoolIndices) {
        let conv_shape = self.conv2d_shape(weight, bias, conv);
        let pool_shape = Pool2dShape::new("conv2d_relu_max_pool2d", conv_shape.output_shape(), pool);
        if use_reference() {
            // The three steps, each by its reference loops.
            return self.conv2d(weight, bias, conv).relu_max_pool2d(pool.kernel, pool.stride, pool.padding);
        }
        let (x, w, b) = (self.contiguous(), weight.contiguous(), bias.map(Tensor::contiguous));
        let (y, argmax) =
            conv2d_relu_max_pool2d_forward(&conv_shape, &pool_shape, data(&x), data(&w), b.as_ref().map(data));
        (Tensor::from_vec_unchecked(y, &pool_shape.output_shape()), MaxPoolIndices { shape: pool_shape, argmax })
    }

    /// Shape checks (messages naming `op`) and contiguity around a max-pool
    /// slice kernel, which returns the values and the positions.
    #[track_caller]
    fn max_pool_with(&self, op: &str, params: Pool2dParams, kernel: MaxPoolKernel<T>) -> (Tensor<T>, MaxPoolIndices) {
        let shape = Pool2dShape::new(op, dims4(op, "input", self.shape()), params);
        let x = self.contiguous();
        let (y, argmax) = kernel(&shape, data(&x));
        (Tensor::from_vec_unchecked(y, &shape.output_shape()), MaxPoolIndices { shape, argmax })
    }

    /// Gradient of [`max_pool2d`](Self::max_pool2d), called on the output
    /// gradient: `dx[n, c, p] = sum of dy[n, c, oh, ow] over the outputs whose
    /// maximum was at position p` (zero elsewhere).
    ///
    /// - `self`: `dy`, `[N, C, OH, OW]`;
    /// - `indices`: from the forward pass (it knows the input shape);
    /// - returns `[N, C, H, W]`.
    ///
    /// # Panics
    /// If `dy` does not have the forward output's shape.
    #[track_caller]
    pub fn max_pool2d_backward(&self, indices: &MaxPoolIndices) -> Tensor<T> {
        let expected = indices.output_shape();
        assert!(
            self.shape() == expected,
            "max_pool2d_backward: grad_out {:?} is not the pooled output shape {expected:?} of input {:?}",
            self.shape(),
            indices.input_shape()
        );
        let dy = self.contiguous();
        let dx = if use_reference() {
            reference::max_pool::max_pool2d_backward(&indices.shape, data(&dy), &indices.argmax)
        } else {
            max_pool2d_backward(&indices.shape, data(&dy), &indices.argmax)
        };
        Tensor::from_vec_unchecked(dx, &indices.input_shape())
    }

    /// Reads `self` at the positions of the maxima of a
    /// [`max_pool2d`](Self::max_pool2d):
    /// `y[n, c, oh, ow] = x[n, c, argmax[n, c, oh, ow]]`.
    ///
    /// - `self`: shaped like the pooled input, `[N, C, H, W]`;
    /// - returns `[N, C, OH, OW]`.
    ///
    /// This is the adjoint of [`max_pool2d_backward`](Self::max_pool2d_backward)
    /// (what differentiating the backward pass needs). On the pooled input
    /// itself it returns the pooled output.
    ///
    /// # Panics
    /// If `self` does not have the pooled input's shape.
    #[track_caller]
    pub fn max_pool2d_gather(&self, indices: &MaxPoolIndices) -> Tensor<T> {
        let expected = indices.input_shape();
        assert!(
            self.shape() == expected,
            "max_pool2d_gather: tensor {:?} is not the pooled input shape {expected:?}",
            self.shape()
        );
        let x = self.contiguous();
        let y = max_pool2d_gather(&indices.shape, data(&x), &indices.argmax);
        Tensor::from_vec_unchecked(y, &indices.output_shape())
    }

    /// 2-D average pooling, padding counted in the divisor:
    /// `y[n, c, oh, ow] = (1 / (kh*kw)) * sum_{0 <= i < kh, 0 <= j < kw} x[n, c, oh*sh - ph + i, ow*sw - pw + j]`,
    /// padded positions being 0.
    ///
    /// - `self`: `[N, C, H, W]`;
    /// - `kernel`, `stride`, `padding`: `(height, width)` pairs; padding is
    ///   at most half the window;
    /// - returns `[N, C, OH, OW]` with `OH = (H + 2*ph - kh) / sh + 1`.
    ///
    /// Every window divides by `kh * kw`, also where it covers padding
    /// (PyTorch's default, `count_include_pad = true`): a border window that
    /// covers one input `4` and three padded zeros averages to `1`.
    ///
    /// # Panics
    /// If `self` is not 4-D or the window does not fit (message names
    /// `avg_pool2d` and the shape).
    #[track_caller]
    pub fn avg_pool2d(&self, kernel: (usize, usize), stride: (usize, usize), padding: (usize, usize)) -> Tensor<T> {
        self.avg_pool2d_with(Pool2dParams::new(kernel, stride, padding), AvgPoolPadding::Counted)
    }

    /// 2-D average pooling with a choice of divisor at the border:
    /// `y[n, c, oh, ow] = (1 / d) * sum of x[n, c, ih, iw] over the window`,
    /// `d = kh*kw` for [`AvgPoolPadding::Counted`] (as
    /// [`avg_pool2d`](Self::avg_pool2d)), or the number of real input
    /// elements the window covers for [`AvgPoolPadding::Excluded`]
    /// (PyTorch's `count_include_pad = false`).
    ///
    /// - `self`: `[N, C, H, W]`; `params`: window, stride, padding;
    /// - returns `[N, C, OH, OW]`.
    ///
    /// ```
    /// use sinapse_tensor::{AvgPoolPadding, Pool2dParams, Tensor};
    /// let x = Tensor::<f64>::from_vec(vec![4., 8., 12., 16.], &[1, 1, 2, 2]).unwrap();
    /// let p = Pool2dParams::new((2, 2), (2, 2), (1, 1));
    /// // Each window holds one input value and three padded positions.
    /// assert_eq!(x.avg_pool2d_with(p, AvgPoolPadding::Counted).to_vec(), vec![1., 2., 3., 4.]);
    /// assert_eq!(x.avg_pool2d_with(p, AvgPoolPadding::Excluded).to_vec(), vec![4., 8., 12., 16.]);
    /// ```
    ///
    /// # Panics
    /// If `self` is not 4-D or the window does not fit (message names
    /// `avg_pool2d` and the shape).
    #[track_caller]
    pub fn avg_pool2d_with(&self, params: Pool2dParams, padding: AvgPoolPadding) -> Tensor<T> {
        let input = dims4("avg_pool2d", "input", self.shape());
        let shape = Pool2dShape::new("avg_pool2d", input, params);
        let x = self.contiguous();
        let y = if use_reference() {
            reference::avg_pool::avg_pool2d_forward(&shape, data(&x), padding)
        } else {
            avg_pool2d_forward(&shape, data(&x), padding)
        };
        Tensor::from_vec_unchecked(y, &shape.output_shape())
    }

    /// Gradient of [`avg_pool2d`](Self::avg_pool2d), called on the output
    /// gradient: `dx[n, c, ih, iw] = (1 / (kh*kw)) * sum of dy[n, c, oh, ow]
    /// over the windows that contain (ih, iw)`.
    ///
    /// - `self`: `dy`, `[N, C, OH, OW]`;
    /// - `input_shape`: the forward input's `[N, C, H, W]`;
    /// - `kernel`, `stride`, `padding`: as in the forward call;
    /// - returns `[N, C, H, W]`.
    ///
    /// # Panics
    /// If `dy` does not have the shape the forward call produced.
    #[track_caller]
    pub fn avg_pool2d_backward(
        &self,
        input_shape: &[usize],
        kernel: (usize, usize),
        stride: (usize, usize),
        padding: (usize, usize),
    ) -> Tensor<T> {
        self.avg_pool2d_backward_with(input_shape, Pool2dParams::new(kernel, stride, padding), AvgPoolPadding::Counted)
    }

    /// Gradient of [`avg_pool2d_with`](Self::avg_pool2d_with), called on the
    /// output gradient:
    /// `dx[n, c, ih, iw] = sum of dy[n, c, oh, ow] / d(oh, ow) over the windows that contain (ih, iw)`,
    /// `d` the forward divisor.
    ///
    /// - `self`: `dy`, `[N, C, OH, OW]`;
    /// - `input_shape`: the forward input's `[N, C, H, W]`;
    /// - `params`, `padding`: as in the forward call;
    /// - returns `[N, C, H, W]`.
    ///
    /// # Panics
    /// If `dy` does not have the shape the forward call produced.
    #[track_caller]
    pub fn avg_pool2d_backward_with(
        &self,
        input_shape: &[usize],
        params: Pool2dParams,
        padding: AvgPoolPadding,
    ) -> Tensor<T> {
        let op = "avg_pool2d_backward";
        let shape = Pool2dShape::new(op, dims4(op, "input", input_shape), params);
        let expected = shape.output_shape();
        assert!(
            self.shape() == expected,
            "{op}: grad_out {:?} is not the pooled output shape {expected:?} of input {input_shape:?}",
            self.shape()
        );
        let dy = self.contiguous();
        let dx = if use_reference() {
            reference::avg_pool::avg_pool2d_backward(&shape, data(&dy), padding)
        } else {
            avg_pool2d_backward(&shape, data(&dy), padding)
        };
        Tensor::from_vec_unchecked(dx, input_shape)
    }
}
