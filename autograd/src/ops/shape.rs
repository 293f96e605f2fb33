//! Shape operations: views of the value, with the inverse view as backward.

use crate::profiler::OpTimer;
use crate::Var;
use sinapse_tensor::{Element, Tensor};

impl<T: Element> Var<T> {
    /// Same elements, new shape. Backward: reshape the gradient back.
    #[track_caller]
    pub fn reshape(&self, shape: &[usize]) -> Var<T> {
        if self.shape() == shape {
            return self.clone();
        }
        let from = self.shape().to_vec();
        let timer = OpTimer::start();
        Var::from_op_timed("reshape", &[self], timer, self.value().reshape(shape), move |_, g, _| {
            vec![Some(g.reshape(&from))]
        })
    }

    /// Merges dimensions `start ..= end`. Backward: reshape back.
    #[track_caller]
    pub fn flatten(&self, start: isize, end: isize) -> Var<T> {
        let shape = self.value().flatten(start, end).shape().to_vec();
        self.reshape(&shape)
    }

    /// Reorders dimensions. Backward: the inverse permutation.
    #[track_caller]
    pub fn permute(&self, perm: &[usize]) -> Var<T> {
        let timer = OpTimer::start();
        let value = self.value().permute(perm);
        let mut inverse = vec![0; perm.len()];
        for (i, &p) in perm.iter().enumerate() {
            inverse[p] = i;
        }
        Var::from_op_timed("permute", &[self], timer, value, move |_, g, _| vec![Some(g.permute(&inverse))])
    }

    /// Swaps two dimensions. Backward: swap them back.
    #[track_caller]
    pub fn transpose(&self, a: isize, b: isize) -> Var<T> {
        let timer = OpTimer::start();
        Var::from_op_timed("transpose", &[self], timer, self.value().transpose(a, b), move |_, g, _| {
            vec![Some(g.transpose(a, b))]
        })
    }

    /// Swaps the last two dimensions (matrix transpose).
    #[track_caller]
    pub fn t(&self) -> Var<T> {
        if self.shape().len() < 2 {
            return self.clone();
        }
        self.transpose(-2, -1)
    }

    /// Keeps `len` indices of `dim` from `start`. Backward: the gradient is
    /// placed back into zeros at the same indices.
    #[track_caller]
    pub fn narrow(&self, dim: isize, start: usize, len: usize) -> Var<T> {
        let timer = OpTimer::start();
        let value = self.value().narrow(dim, start, len);
        let full = self.shape()[norm(dim, self.shape().len())];
        Var::from_op_timed("narrow", &[self], timer, value, move |_, g, _| vec![Some(g.pad_dim(dim, start, full))])
    }

    /// Zeros with `self` written at `start..` along `dim` (size `full`), the
    /// adjoint of [`narrow`](Self::narrow). Backward: narrow.
    #[track_caller]
    pub fn pad_dim(&self, dim: isize, start: usize, full: usize) -> Var<T> {
        let timer = OpTimer::start();
        let value = self.value().pad_dim(dim, start, full);
        let len = self.shape()[norm(dim, self.shape().len())];
        Var::from_op_timed("pad_dim", &[self], timer, value, move |_, g, _| vec![Some(g.narrow(dim, start, len))])
    }

    /// The parts joined along `dim` (the other sizes must agree), as
    /// `torch.cat`. Written as a sum of [`pad_dim`](Self::pad_dim)s, so its
    /// backward (each part's slice of the gradient) and all higher orders
    /// come from theirs.
    ///
    /// # Panics
    /// With no parts, or parts whose shapes differ other than along `dim`.
    #[track_caller]
    pub fn cat(parts: &[&Var<T>], dim: isize) -> Var<T> {
        assert!(!parts.is_empty(), "cat: no parts to join");
        let rank = parts[0].shape().len();
        let d = norm(dim, rank);
        for p in parts {
            let (a, b) = (parts[0].shape(), p.shape());
            assert!(
                b.len() == rank && (0..rank).all(|i| i == d || a[i] == b[i]),
                "cat: shapes {a:?} and {b:?} differ outside dim {dim}"
            );
        }
        let full: usize = parts.iter().map(|p| p.shape()[d]).sum();
        let mut start = 0;
        let mut total: Option<Var<T>> = None;
        for p in parts {
            let placed = p.pad_dim(dim, start, full);
            start += p.shape()[d];
            total = Some(match total {
                None => placed,
                Some(t) => t.add(&placed),
            });
        }
        total.expect("at least one part")
    }

    /// Fixes `dim` at `index`, removing it. Backward: unsqueeze and pad.
    #[track_caller]
    pub fn select(&self, dim: isize, index: usize) -> Var<T> {
        let timer = OpTimer::start();
        let value = self.value().select(dim, index);
        let d = norm(dim, self.shape().len()) as isize;
        let full = self.shape()[d as usize];
        Var::from_op_timed("select", &[self], timer, value, move |_, g, _| {
            vec![Some(g.unsqueeze(d).pad_dim(d, index, full))]
        })
    }

    /// Removes a size-1 dimension. Backward: unsqueeze.
    #[track_caller]
    pub fn squeeze(&self, dim: isize) -> Var<T> {
        let timer = OpTimer::start();
        let value = self.value().squeeze(dim);
        let d = norm(dim, self.shape().len()) as isize;
        Var::from_op_timed("squeeze", &[self], timer, value, move |_, g, _| vec![Some(g.unsqueeze(d))])
    }

    /// Inserts a size-1 dimension. Backward: squeeze.
    #[track_caller]
    pub fn unsqueeze(&self, dim: isize) -> Var<T> {
        let timer = OpTimer::start();
        let value: Tensor<T> = self.value().unsqueeze(dim);
        let d = norm(dim, value.shape().len()) as isize;
        Var::from_op_timed("unsqueeze", &[self], timer, value, move |_, g, _| vec![Some(g.squeeze(d))])
    }
}

/// A possibly negative axis as an index (shapes were validated by the tensor op).
fn norm(dim: isize, ndim: usize) -> usize {
    if dim < 0 {
        (dim + ndim as isize) as usize
    } else {
        dim as usize
    }
}
