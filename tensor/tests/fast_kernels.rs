//! The fast kernels as slice functions, reached through the tensor methods
//! that dispatch to them, with the fast kernels selected first (so a
//! `SINAPSE_KERNELS=reference` in the environment cannot turn a comparison
//! with the reference loops into a comparison of the loops with themselves).
//! Each takes and returns what the matching function of
//! `sinapse_tensor::kernels::reference` does.

// Each test file uses a part of these.
#![allow(dead_code)]

use sinapse_tensor::kernels::{Conv1dShape, Conv2dShape, Pool2dShape};
use sinapse_tensor::{set_kernel_choice, AvgPoolPadding, Element, KernelChoice, MaxPoolIndices, Tensor};

fn tensor<T: Element>(v: &[T], shape: &[usize]) -> Tensor<T> {
    set_kernel_choice(KernelChoice::Fast);
    Tensor::from_vec(v.to_vec(), shape).expect("a slice of the shape's length")
}

/// The fast 2-D convolution: `y = conv2d(x, w) + b`.
pub fn conv2d_forward<T: Element>(s: &Conv2dShape, x: &[T], w: &[T], b: Option<&[T]>) -> Vec<T> {
    let b = b.map(|b| tensor(b, &[b.len()]));
    tensor(x, &s.input_shape()).conv2d(&tensor(w, &s.weight_shape()), b.as_ref(), s.params).to_vec()
}

/// The fast 2-D convolution's input gradient from `dy`.
pub fn conv2d_grad_input<T: Element>(s: &Conv2dShape, dy: &[T], w: &[T]) -> Vec<T> {
    tensor(dy, &s.output_shape()).conv2d_grad_input(&tensor(w, &s.weight_shape()), &s.input_shape(), s.params).to_vec()
}

/// The fast 2-D convolution's weight gradient from `dy`.
pub fn conv2d_grad_weight<T: Element>(s: &Conv2dShape, dy: &[T], x: &[T]) -> Vec<T> {
    tensor(dy, &s.output_shape()).conv2d_grad_weight(&tensor(x, &s.input_shape()), &s.weight_shape(), s.params).to_vec()
}

/// The fast 2-D convolution's bias gradient: `dy` summed over batch and positions.
pub fn conv2d_grad_bias<T: Element>(s: &Conv2dShape, dy: &[T]) -> Vec<T> {
    tensor(dy, &s.output_shape()).conv2d_grad_bias().to_vec()
}

/// The fast 1-D convolution: `y = conv1d(x, w) + b`.
pub fn conv1d_forward<T: Element>(s: &Conv1dShape, x: &[T], w: &[T], b: Option<&[T]>) -> Vec<T> {
    let b = b.map(|b| tensor(b, &[b.len()]));
    tensor(x, &s.input_shape()).conv1d(&tensor(w, &s.weight_shape()), b.as_ref(), params_1d(s)).to_vec()
}

fn params_1d(s: &Conv1dShape) -> sinapse_tensor::Conv1dParams {
    let p = s.as_2d().params;
    sinapse_tensor::Conv1dParams::new(p.stride.1, p.padding.1, p.dilation.1)
}

/// The fast 1-D convolution's input gradient from `dy`.
pub fn conv1d_grad_input<T: Element>(s: &Conv1dShape, dy: &[T], w: &[T]) -> Vec<T> {
    tensor(dy, &s.output_shape())
        .conv1d_grad_input(&tensor(w, &s.weight_shape()), &s.input_shape(), params_1d(s))
        .to_vec()
}

/// The fast 1-D convolution's weight gradient from `dy`.
pub fn conv1d_grad_weight<T: Element>(s: &Conv1dShape, dy: &[T], x: &[T]) -> Vec<T> {
    tensor(dy, &s.output_shape())
        .conv1d_grad_weight(&tensor(x, &s.input_shape()), &s.weight_shape(), params_1d(s))
        .to_vec()
}

/// The fast 1-D convolution's bias gradient.
pub fn conv1d_grad_bias<T: Element>(s: &Conv1dShape, dy: &[T]) -> Vec<T> {
    tensor(dy, &s.output_shape()).conv1d_grad_bias().to_vec()
}

fn indices_parts<T: Element>((y, idx): (Tensor<T>, MaxPoolIndices)) -> (Vec<T>, Vec<u32>) {
    (y.to_vec(), idx.as_slice().to_vec())
}

/// The fast max pooling: values and the position of each maximum.
pub fn max_pool2d_forward<T: Element>(s: &Pool2dShape, x: &[T]) -> (Vec<T>, Vec<u32>) {
    let p = s.params;
    indices_parts(tensor(x, &s.input_shape()).max_pool2d(p.kernel, p.stride, p.padding))
}

/// The fast min pooling: values and the position of each minimum.
pub fn min_pool2d_forward<T: Element>(s: &Pool2dShape, x: &[T]) -> (Vec<T>, Vec<u32>) {
    let p = s.params;
    indices_parts(tensor(x, &s.input_shape()).min_pool2d(p.kernel, p.stride, p.padding))
}

/// The fused `max_pool2d(relu(x))`: values and positions.
pub fn relu_max_pool2d_forward<T: Element>(s: &Pool2dShape, x: &[T]) -> (Vec<T>, Vec<u32>) {
    let p = s.params;
    indices_parts(tensor(x, &s.input_shape()).relu_max_pool2d(p.kernel, p.stride, p.padding))
}

/// The fast max pooling's input gradient: `dy` scattered to the recorded positions.
pub fn max_pool2d_backward<T: Element>(s: &Pool2dShape, dy: &[T], argmax: &[u32]) -> Vec<T> {
    let indices = MaxPoolIndices::from_positions(*s, argmax.to_vec());
    tensor(dy, &s.output_shape()).max_pool2d_backward(&indices).to_vec()
}

/// The fast average pooling.
pub fn avg_pool2d_forward<T: Element>(s: &Pool2dShape, x: &[T], padding: AvgPoolPadding) -> Vec<T> {
    tensor(x, &s.input_shape()).avg_pool2d_with(s.params, padding).to_vec()
}

/// The fast average pooling's input gradient from `dy`.
pub fn avg_pool2d_backward<T: Element>(s: &Pool2dShape, dy: &[T], padding: AvgPoolPadding) -> Vec<T> {
    tensor(dy, &s.output_shape()).avg_pool2d_backward_with(&s.input_shape(), s.params, padding).to_vec()
}

/// The fused block `max_pool2d(relu(conv2d(x, w, b)))`: values and positions.
pub fn conv2d_relu_max_pool2d_forward<T: Element>(
    conv: &Conv2dShape,
    pool: &Pool2dShape,
    x: &[T],
    w: &[T],
    b: Option<&[T]>,
) -> (Vec<T>, Vec<u32>) {
    let b = b.map(|b| tensor(b, &[b.len()]));
    let (x, w) = (tensor(x, &conv.input_shape()), tensor(w, &conv.weight_shape()));
    indices_parts(x.conv2d_relu_max_pool2d(&w, b.as_ref(), conv.params, pool.params))
}

/// The fused block's weight gradient from the pooled gradient `g`.
pub fn conv2d_grad_weight_pooled<T: Element>(
    conv: &Conv2dShape,
    pool: &Pool2dShape,
    g: &[T],
    argmax: &[u32],
    x: &[T],
) -> Vec<T> {
    let indices = MaxPoolIndices::from_positions(*pool, argmax.to_vec());
    let x = tensor(x, &conv.input_shape());
    tensor(g, &pool.output_shape()).conv2d_grad_weight_pooled(&indices, &x, &conv.weight_shape(), conv.params).to_vec()
}

/// The fused block's input gradient from the pooled gradient `g`.
pub fn conv2d_grad_input_pooled<T: Element>(
    conv: &Conv2dShape,
    pool: &Pool2dShape,
    g: &[T],
    argmax: &[u32],
    w: &[T],
) -> Vec<T> {
    let indices = MaxPoolIndices::from_positions(*pool, argmax.to_vec());
    let w = tensor(w, &conv.weight_shape());
    tensor(g, &pool.output_shape()).conv2d_grad_input_pooled(&indices, &w, &conv.input_shape(), conv.params).to_vec()
}
