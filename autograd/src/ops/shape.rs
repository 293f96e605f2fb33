//! Shape operations: views of the value, with the inverse view as backward.

use crate::op_def::{operators, Cost, OpDef};
use crate::Var;
use sinapse_tensor::Element;

operators! {
    /// [`Var::reshape`].
    pub static RESHAPE: OpDef = OpDef {
        name: "reshape",
        forward: "x with a new shape, same elements in order",
        backward: "dx = reshape(g) to x's shape",
        cost: Cost::View,
    };
    /// [`Var::permute`].
    pub static PERMUTE: OpDef = OpDef {
        name: "permute",
        forward: "x with its axes reordered (a view)",
        backward: "dx = g permuted back",
        cost: Cost::View,
    };
    /// [`Var::transpose`].
    pub static TRANSPOSE: OpDef = OpDef {
        name: "transpose",
        forward: "x with two axes swapped (a view)",
        backward: "dx = g with the axes swapped back",
        cost: Cost::View,
    };
    /// [`Var::narrow`].
    pub static NARROW: OpDef = OpDef {
        name: "narrow",
        forward: "x[start .. start + len] along an axis (a view)",
        backward: "dx = pad_dim(g)",
        cost: Cost::View,
    };
    /// [`Var::pad_dim`].
    pub static PAD_DIM: OpDef = OpDef {
        name: "pad_dim",
        forward: "x placed at start in zeros of length full along an axis",
        backward: "dx = narrow(g)",
        cost: Cost::Copy,
    };
    /// [`Var::select`].
    pub static SELECT: OpDef = OpDef {
        name: "select",
        forward: "x[index] along an axis, the axis removed (a view)",
        backward: "dx = g placed at index in zeros",
        cost: Cost::View,
    };
    /// [`Var::squeeze`].
    pub static SQUEEZE: OpDef = OpDef {
        name: "squeeze",
        forward: "x without a size-1 axis",
        backward: "dx = unsqueeze(g)",
        cost: Cost::View,
    };
    /// [`Var::unsqueeze`].
    pub static UNSQUEEZE: OpDef = OpDef {
        name: "unsqueeze",
        forward: "x with a new size-1 axis",
        backward: "dx = squeeze(g)",
        cost: Cost::View,
    };
}

impl<T: Element> Var<T> {
    /// Same elements, new shape. Backward: reshape the gradient back.
    #[track_caller]
    pub fn reshape(&self, shape: &[usize]) -> Var<T> {
        if self.shape() == shape {
            return self.clone();
        }
        let from = self.shape().to_vec();
        Var::from_op(&RESHAPE, &[self], || self.value().reshape(shape), move |_, g, _| vec![Some(g.reshape(&from))])
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
        let forward = || self.value().permute(perm);
        let perm = perm.to_vec();
        Var::from_op(&PERMUTE, &[self], forward, move |_, g, _| {
            let mut inverse = vec![0; perm.len()];
            for (i, &p) in perm.iter().enumerate() {
                inverse[p] = i;
            }
            vec![Some(g.permute(&inverse))]
        })
    }

    /// Swaps two dimensions. Backward: swap them back.
    #[track_caller]
    pub fn transpose(&self, a: isize, b: isize) -> Var<T> {
        Var::from_op(&TRANSPOSE, &[self], || self.value().transpose(a, b), move |_, g, _| vec![Some(g.transpose(a, b))])
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
        Var::from_op(
            &NARROW,
            &[self],
            || self.value().narrow(dim, start, len),
            move |_, g, x| {
                let full = x[0].shape()[norm(dim, x[0].shape().len())];
                vec![Some(g.pad_dim(dim, start, full))]
            },
        )
    }

    /// Zeros with `self` written at `start..` along `dim` (size `full`), the
    /// adjoint of [`narrow`](Self::narrow). Backward: narrow.
    #[track_caller]
    pub fn pad_dim(&self, dim: isize, start: usize, full: usize) -> Var<T> {
        Var::from_op(
            &PAD_DIM,
            &[self],
            || self.value().pad_dim(dim, start, full),
            move |_, g, x| {
                let len = x[0].shape()[norm(dim, x[0].shape().len())];
                vec![Some(g.narrow(dim, start, len))]
            },
        )
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
        Var::from_op(
            &SELECT,
            &[self],
            || self.value().select(dim, index),
            move |_, g, x| {
                let d = norm(dim, x[0].shape().len());
                let full = x[0].shape()[d];
                vec![Some(g.unsqueeze(d as isize).pad_dim(d as isize, index, full))]
            },
        )
    }

    /// Removes a size-1 dimension. Backward: unsqueeze.
    #[track_caller]
    pub fn squeeze(&self, dim: isize) -> Var<T> {
        Var::from_op(
            &SQUEEZE,
            &[self],
            || self.value().squeeze(dim),
            move |_, g, x| vec![Some(g.unsqueeze(norm(dim, x[0].shape().len()) as isize))],
        )
    }

    /// Inserts a size-1 dimension. Backward: squeeze.
    #[track_caller]
    pub fn unsqueeze(&self, dim: isize) -> Var<T> {
        Var::from_op(
            &UNSQUEEZE,
            &[self],
            || self.value().unsqueeze(dim),
            move |z, g, _| vec![Some(g.squeeze(norm(dim, z.shape().len()) as isize))],
        )
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
