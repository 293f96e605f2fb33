//! Sums, means and maxima over axes.

use crate::op_def::{operators, Cost, OpDef};
use crate::Var;
use sinapse_tensor::{Element, Tensor};

operators! {
    /// [`Var::sum_axes`].
    pub static SUM: OpDef = OpDef {
        name: "sum",
        forward: "Σ over axes",
        backward: "dx = g broadcast over the summed axes",
        cost: Cost::Reduction,
    };
    /// [`Var::max`].
    pub static MAX: OpDef = OpDef {
        name: "max",
        forward: "max over one axis",
        backward: "dx = g at the first maximum of each group",
        cost: Cost::Reduction,
    };
}

/// The input shape with reduced axes set to 1, so a reduced gradient can be
/// broadcast back.
fn keepdim_shape(shape: &[usize], axes: &[isize]) -> Vec<usize> {
    let n = shape.len() as isize;
    let norm: Vec<usize> = axes.iter().map(|&a| (if a < 0 { a + n } else { a }) as usize).collect();
    shape.iter().enumerate().map(|(d, &s)| if norm.contains(&d) { 1 } else { s }).collect()
}

impl<T: Element> Var<T> {
    /// Sum over `axes`. Backward: `dx = g` broadcast over the summed axes.
    #[track_caller]
    pub fn sum_axes(&self, axes: &[isize], keepdim: bool) -> Var<T> {
        let kept = keepdim_shape(self.shape(), axes);
        let from = self.shape().to_vec();
        Var::from_op(
            &SUM,
            &[self],
            || self.value().sum_axes(axes, keepdim),
            move |_, g, _| vec![Some(g.reshape(&kept).broadcast_to(&from))],
        )
    }

    /// Sum over one axis.
    #[track_caller]
    pub fn sum(&self, axis: isize, keepdim: bool) -> Var<T> {
        self.sum_axes(&[axis], keepdim)
    }

    /// Sum of every element, as a 0-d variable.
    #[track_caller]
    pub fn sum_all(&self) -> Var<T> {
        let axes: Vec<isize> = (0..self.shape().len() as isize).collect();
        self.sum_axes(&axes, false)
    }

    /// Mean over `axes`: `sum / count`. Backward: `dx = g / count`, broadcast.
    #[track_caller]
    pub fn mean_axes(&self, axes: &[isize], keepdim: bool) -> Var<T> {
        let count: usize = keepdim_shape(self.shape(), axes)
            .iter()
            .zip(self.shape())
            .map(|(&k, &s)| if k == 1 { s } else { 1 })
            .product();
        self.sum_axes(axes, keepdim).mul_scalar(T::one() / T::from_usize(count.max(1)).unwrap())
    }

    /// Mean over one axis.
    #[track_caller]
    pub fn mean(&self, axis: isize, keepdim: bool) -> Var<T> {
        self.mean_axes(&[axis], keepdim)
    }

    /// Mean of every element, as a 0-d variable.
    #[track_caller]
    pub fn mean_all(&self) -> Var<T> {
        let axes: Vec<isize> = (0..self.shape().len() as isize).collect();
        self.mean_axes(&axes, false)
    }

    /// Maximum over one axis. Backward: the gradient goes to the first
    /// maximal element of each group (a subgradient at ties).
    #[track_caller]
    pub fn max(&self, axis: isize, keepdim: bool) -> Var<T> {
        let kept = keepdim_shape(self.shape(), &[axis]);
        Var::from_op(
            &MAX,
            &[self],
            || self.value().max(axis, keepdim),
            move |_, g, x| {
                let mask = Var::constant(first_argmax_mask(x[0].value(), axis));
                vec![Some(g.reshape(&kept).broadcast_to(x[0].shape()).mul(&mask))]
            },
        )
    }
}

/// 1 at the first maximum of each group along `axis`, 0 elsewhere.
fn first_argmax_mask<T: Element>(x: &Tensor<T>, axis: isize) -> Tensor<T> {
    let nd = x.shape().len();
    let d = if axis < 0 { (axis + nd as isize) as usize } else { axis as usize };
    let idx = x.argmax(axis);
    let other: Vec<usize> = x.shape().iter().enumerate().filter(|&(a, _)| a != d).map(|(_, &s)| s).collect();
    let mut k = 0usize;
    let mut mask_moved = vec![T::zero(); x.numel()];
    let n = x.shape()[d];
    for (r, &i) in idx.iter().enumerate() {
        mask_moved[r * n + i] = T::one();
        k += 1;
    }
    debug_assert_eq!(k, other.iter().product::<usize>());
    // mask_moved has the layout of x with `axis` moved last; move it back.
    let mut moved_shape = other;
    moved_shape.push(n);
    let mut inverse: Vec<usize> = (0..nd).collect();
    // position of original axis a in moved order
    let order: Vec<usize> = (0..nd).filter(|&a| a != d).chain([d]).collect();
    for (pos, &a) in order.iter().enumerate() {
        inverse[a] = pos;
    }
    Tensor::from_vec(mask_moved, &moved_shape).expect("sizes agree").permute(&inverse).contiguous()
}
