//! Joining tensors along an axis, and its inverse of placing a tensor into
//! zeros (the gradient of a slice).

use crate::layout::Layout;
use crate::{Element, Tensor};

impl<T: Element> Tensor<T> {
    /// Concatenates `parts` along `dim`; all other dimensions must agree.
    #[track_caller]
    pub fn cat(parts: &[&Tensor<T>], dim: isize) -> Tensor<T> {
        assert!(!parts.is_empty(), "cat: no tensors to concatenate");
        let first = parts[0].shape();
        let d = Layout::axis("cat", dim, first);
        for p in parts {
            let same = p.ndim() == first.len()
                && p.shape().iter().zip(first).enumerate().all(|(a, (&x, &y))| a == d || x == y);
            assert!(
                same,
                "cat: shapes {:?} cannot be joined along dimension {d}",
                parts.iter().map(|p| p.shape().to_vec()).collect::<Vec<_>>()
            );
        }
        let mut shape = first.to_vec();
        shape[d] = parts.iter().map(|p| p.shape()[d]).sum();
        let outer: usize = shape[..d].iter().product();
        let after: usize = shape[d + 1..].iter().product();
        let out_inner = shape[d] * after;
        // The parts tile every row of the output: no fill first.
        let mut out = crate::memory::overwritable(outer * out_inner, T::zero());
        let mut offset = 0;
        for p in parts {
            let c = p.contiguous();
            let src = c.as_slice().expect("contiguous");
            let inner = p.shape()[d] * after;
            if inner > 0 {
                for o in 0..outer {
                    out[o * out_inner + offset..o * out_inner + offset + inner]
                        .copy_from_slice(&src[o * inner..(o + 1) * inner]);
                }
            }
            offset += inner;
        }
        Tensor::from_vec_unchecked(out, &shape)
    }

    /// A tensor of zeros whose dimension `dim` has size `full`, with `self`
    /// written at indices `start .. start + len`: the adjoint of
    /// [`narrow`](Self::narrow).
    #[track_caller]
    pub fn pad_dim(&self, dim: isize, start: usize, full: usize) -> Tensor<T> {
        let d = Layout::axis("pad_dim", dim, self.shape());
        let len = self.shape()[d];
        assert!(
            start + len <= full,
            "pad_dim: {len} entries at {start} do not fit in {full} (shape {:?})",
            self.shape()
        );
        let mut before = self.shape().to_vec();
        before[d] = start;
        let mut after = self.shape().to_vec();
        after[d] = full - start - len;
        Tensor::cat(&[&Tensor::zeros(&before), self, &Tensor::zeros(&after)], dim)
    }
}
