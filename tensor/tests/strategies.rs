//! Proptest strategies shared by the tensor property tests: random shapes
//! (including size-1 and empty dimensions) and tensors that are deliberately
//! non-contiguous views (permuted, narrowed, stepped through a larger buffer).

#![allow(dead_code)]

use proptest::prelude::*;
use sinapse_tensor::{Element, Tensor};

/// A shape of `0..=max_dims` dimensions, each of size `0..=max_size`.
pub fn shape(max_dims: usize, max_size: usize) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..=max_size, 0..=max_dims)
}

/// A shape of `1..=max_dims` dimensions, each of size `1..=max_size` (no empties).
pub fn nonempty_shape(max_dims: usize, max_size: usize) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1..=max_size, 1..=max_dims)
}

/// How a test tensor is laid out over its buffer.
#[derive(Clone, Debug)]
pub enum Arrangement {
    /// Plain row-major.
    Contiguous,
    /// Built in another dimension order, then permuted into place.
    Permuted(Vec<usize>),
    /// Cut out of a larger tensor (extra entries before and after on one dimension).
    Narrowed {
        /// The dimension cut.
        dim: usize,
        /// Entries dropped before the view.
        before: usize,
        /// Entries dropped after the view.
        after: usize,
    },
}

fn arrangement(ndim: usize) -> BoxedStrategy<Arrangement> {
    if ndim == 0 {
        return Just(Arrangement::Contiguous).boxed();
    }
    let perm = Just((0..ndim).collect::<Vec<_>>()).prop_shuffle().prop_map(Arrangement::Permuted);
    let narrow =
        (0..ndim, 0..3usize, 0..3usize).prop_map(|(dim, before, after)| Arrangement::Narrowed { dim, before, after });
    prop_oneof![Just(Arrangement::Contiguous), perm, narrow].boxed()
}

/// A tensor of exactly `shape`, laid out by `arr`, with values from `values`
/// (cycled).
pub fn arrange<T: Element>(shape: &[usize], arr: &Arrangement, values: &[f64]) -> Tensor<T> {
    let value = |i: usize| T::from_f64_lossy(if values.is_empty() { 0.5 } else { values[i % values.len()] });
    match arr {
        Arrangement::Contiguous => {
            let n: usize = shape.iter().product();
            Tensor::from_vec((0..n).map(value).collect(), shape).unwrap()
        }
        Arrangement::Permuted(perm) => {
            // base has shape[perm^-1]; permuting by perm gives `shape`.
            let mut base_shape = vec![0; shape.len()];
            for (i, &p) in perm.iter().enumerate() {
                base_shape[p] = shape[i];
            }
            let n: usize = shape.iter().product();
            let base = Tensor::from_vec((0..n).map(value).collect(), &base_shape).unwrap();
            base.permute(perm)
        }
        Arrangement::Narrowed { dim, before, after } => {
            let mut big = shape.to_vec();
            big[*dim] += before + after;
            let n: usize = big.iter().product();
            let base = Tensor::from_vec((0..n).map(value).collect(), &big).unwrap();
            base.narrow(*dim as isize, *before, shape[*dim])
        }
    }
}

/// A random tensor of `shape` in a random arrangement, values in [-2, 2].
pub fn tensor_of<T: Element>(shape: Vec<usize>) -> impl Strategy<Value = Tensor<T>> {
    let n: usize = shape.iter().product::<usize>().max(1);
    let nd = shape.len();
    (arrangement(nd), prop::collection::vec(-2.0f64..2.0, n))
        .prop_map(move |(arr, vals)| arrange::<T>(&shape, &arr, &vals))
}

/// A random tensor of random shape (up to 4 dims of up to 4).
pub fn any_tensor<T: Element>() -> impl Strategy<Value = Tensor<T>> {
    shape(4, 4).prop_flat_map(tensor_of::<T>)
}

/// Two shapes that broadcast together: `b` is `a` with some dimensions set
/// to 1 and some leading dimensions dropped (in random order of roles).
pub fn broadcast_pair(max_dims: usize, max_size: usize) -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    shape(max_dims, max_size).prop_flat_map(|a| {
        let n = a.len();
        (Just(a), prop::collection::vec(any::<bool>(), n), 0..=n, any::<bool>()).prop_map(|(a, ones, drop, swap)| {
            let b: Vec<usize> = a.iter().zip(&ones).skip(drop).map(|(&d, &one)| if one { 1 } else { d }).collect();
            if swap {
                (b, a)
            } else {
                (a, b)
            }
        })
    })
}

/// All multi-indices of `shape` in row-major order.
pub fn indices(shape: &[usize]) -> Vec<Vec<usize>> {
    let n: usize = shape.iter().product();
    let mut out = Vec::with_capacity(n);
    let mut idx = vec![0; shape.len()];
    for _ in 0..n {
        out.push(idx.clone());
        for d in (0..shape.len()).rev() {
            idx[d] += 1;
            if idx[d] < shape[d] {
                break;
            }
            idx[d] = 0;
        }
    }
    out
}

/// Maps an index of the broadcast shape `out` to an index of `shape`.
pub fn broadcast_index(idx: &[usize], shape: &[usize]) -> Vec<usize> {
    let lead = idx.len() - shape.len();
    shape.iter().enumerate().map(|(d, &n)| if n == 1 { 0 } else { idx[lead + d] }).collect()
}
