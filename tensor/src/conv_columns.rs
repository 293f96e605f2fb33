//! Column matrices kept from a convolution's forward pass for its weight
//! gradient.
//!
//! Training a convolution runs im2col over the batch twice: in the forward
//! pass (`y = W col + b`) and again for the weight gradient
//! (`dW = sum_n dy_n col_n^T`), on the same input. For the CNN's second
//! layer that is 128 images of `[288, 121]` columns per step, rebuilt from
//! runs of 11 elements. [`Tensor::conv2d_keeping_columns`] keeps the first
//! copy (18 MB at that size) until the backward pass reads it.

use crate::kernels::conv2d::{
    columns_len, conv2d_forward_keeping_columns, conv2d_grad_weight_from_columns, keeps_columns,
};
use crate::kernels::{Conv2dParams, Conv2dShape};
use crate::{Element, Tensor};

/// The im2col column matrices of every image of a convolution's input, as
/// built by its forward pass ([`Tensor::conv2d_keeping_columns`]), for
/// [`Tensor::conv2d_grad_weight_from_columns`].
#[derive(Clone, Debug)]
pub struct ConvColumns<T: Element> {
    columns: Tensor<T>,
    shape: Conv2dShape,
}

impl<T: Element> ConvColumns<T> {
    /// Bytes held: `N * C*KH*KW * OH*OW` elements.
    pub fn bytes(&self) -> usize {
        self.columns.numel() * std::mem::size_of::<T>()
    }
}

impl<T: Element> Tensor<T> {
    /// [`conv2d`](Self::conv2d), also returning the column matrices it
    /// built, when the weight gradient would build them again: not for a
    /// pointwise kernel (the image is its own column matrix) nor for one
    /// with at most 16 taps (`C*KH*KW`, summed directly without them).
    /// The output is the same, bit for bit.
    ///
    /// # Panics
    /// As [`conv2d`](Self::conv2d).
    #[track_caller]
    pub fn conv2d_keeping_columns(
        &self,
        weight: &Tensor<T>,
        bias: Option<&Tensor<T>>,
        params: Conv2dParams,
    ) -> (Tensor<T>, Option<ConvColumns<T>>) {
        let shape = self.conv2d_shape(weight, bias, params);
        if !keeps_columns(&shape) {
            return (self.conv2d(weight, bias, params), None);
        }
        let (x, w, b) = (self.contiguous(), weight.contiguous(), bias.map(Tensor::contiguous));
        let mut columns = crate::memory::overwritable(columns_len(&shape), T::zero());
        let y = conv2d_forward_keeping_columns(&shape, slice(&x), slice(&w), b.as_ref().map(slice), &mut columns);
        let y = Tensor::from_vec_unchecked(y, &shape.output_shape());
        let columns = Tensor::from_vec_unchecked(columns, &[columns_len(&shape)]);
        (y, Some(ConvColumns { columns, shape }))
    }

    /// [`conv2d_grad_weight`](Self::conv2d_grad_weight) from the columns
    /// kept by [`conv2d_keeping_columns`](Self::conv2d_keeping_columns)
    /// instead of the input: the same bits, without a second im2col.
    ///
    /// - `self`: `dy`, the output gradient of that forward pass;
    /// - returns the weight's shape `[O, C, KH, KW]`.
    ///
    /// # Panics
    /// If `dy` does not have that forward pass's output shape.
    #[track_caller]
    pub fn conv2d_grad_weight_from_columns(&self, columns: &ConvColumns<T>) -> Tensor<T> {
        let s = &columns.shape;
        assert!(
            self.shape() == s.output_shape(),
            "conv2d_grad_weight: grad_out {:?} is not the output shape {:?} of the forward pass whose columns were kept",
            self.shape(),
            s.output_shape()
        );
        let dy = self.contiguous();
        let dw = conv2d_grad_weight_from_columns(s, slice(&dy), slice(&columns.columns));
        Tensor::from_vec_unchecked(dw, &s.weight_shape())
    }
}

/// The elements of a contiguous tensor.
fn slice<T: Element>(t: &Tensor<T>) -> &[T] {
    t.as_slice().expect("a contiguous tensor exposes its elements as a slice")
}
