//! Shape operations (views whose backward is the inverse view) and the
//! broadcasting pair `broadcast_to` / `sum_to_shape`.

use crate::common::{any_tensor, axis, broadcastable_to, check_op, config, shape, tensor, Values};
use proptest::prelude::*;
use sinapse_tensor::Tensor;

/// A tensor of at least one dimension and one of its axes.
fn tensor_and_axis() -> impl Strategy<Value = (Tensor<f64>, isize)> {
    any_tensor(1, 4, Values::Smooth).prop_flat_map(|x| {
        let nd = x.ndim();
        (Just(x), axis(nd))
    })
}

/// The normalized index of a possibly negative axis.
fn dim_of(axis: isize, ndim: usize) -> usize {
    if axis < 0 {
        (axis + ndim as isize) as usize
    } else {
        axis as usize
    }
}

/// A tensor and another shape with as many elements: the dimensions
/// shuffled, some merged with their neighbour, maybe a 1 inserted.
fn tensor_and_reshape() -> impl Strategy<Value = (Tensor<f64>, Vec<usize>)> {
    shape(0, 4).prop_flat_map(|dims| {
        let nd = dims.len();
        let target =
            (Just(dims.clone()).prop_shuffle(), prop::collection::vec(any::<bool>(), nd), 0..=nd, any::<bool>())
                .prop_map(|(shuffled, merge, at, insert_one)| {
                    let mut out: Vec<usize> = Vec::new();
                    for (d, m) in shuffled.into_iter().zip(merge) {
                        match out.last_mut() {
                            Some(last) if m => *last *= d,
                            _ => out.push(d),
                        }
                    }
                    if insert_one {
                        out.insert(at.min(out.len()), 1);
                    }
                    out
                });
        (tensor(dims, Values::Smooth), target)
    })
}

/// A tensor and a `(start, end)` pair of axes with `start <= end`.
fn tensor_and_span() -> impl Strategy<Value = (Tensor<f64>, isize, isize)> {
    any_tensor(0, 4, Values::Smooth).prop_flat_map(|x| {
        let nd = x.ndim();
        if nd == 0 {
            return Just((x, 0, 0)).boxed();
        }
        (Just(x), 0..nd, 0..nd, any::<bool>(), any::<bool>())
            .prop_map(move |(x, a, b, neg_s, neg_e)| {
                let (s, e) = (a.min(b) as isize, a.max(b) as isize);
                let n = nd as isize;
                (x, if neg_s { s - n } else { s }, if neg_e { e - n } else { e })
            })
            .boxed()
    })
}

op_checks! {
    list CHECKED;
    #![proptest_config(config(48))]

    /// A reshape to the same shape records nothing; a leading 1 makes it
    /// a real one.
    #[test]
    fn reshape((x, target) in tensor_and_reshape()) {
        let target = if target == x.shape() { [&[1], &target[..]].concat() } else { target };
        check_op("reshape", |v| v[0].reshape(&target), &[x])?;
    }

    #[test]
    fn flatten((x, start, end) in tensor_and_span()) {
        check_op("flatten", |v| v[0].flatten(start, end), &[x])?;
    }

    #[test]
    fn permute((x, perm) in any_tensor(0, 4, Values::Smooth).prop_flat_map(|x| {
        let nd = x.ndim();
        (Just(x), Just((0..nd).collect::<Vec<_>>()).prop_shuffle())
    })) {
        check_op("permute", |v| v[0].permute(&perm), &[x])?;
    }

    #[test]
    fn transpose((x, a, b) in any_tensor(1, 4, Values::Smooth).prop_flat_map(|x| {
        let nd = x.ndim();
        (Just(x), axis(nd), axis(nd))
    })) {
        check_op("transpose", |v| v[0].transpose(a, b), &[x])?;
    }

    #[test]
    fn t(x in any_tensor(0, 4, Values::Smooth)) {
        check_op("t", |v| v[0].t(), &[x])?;
    }

    #[test]
    fn narrow(((x, dim), start, len) in tensor_and_axis().prop_flat_map(|(x, dim)| {
        let size = x.shape()[dim_of(dim, x.ndim())];
        let starts = (0..size).prop_flat_map(move |start| (Just(start), 1..=size - start));
        (Just((x, dim)), starts).prop_map(|(xd, (start, len))| (xd, start, len))
    })) {
        check_op("narrow", |v| v[0].narrow(dim, start, len), &[x])?;
    }

    #[test]
    fn pad_dim((x, dim) in tensor_and_axis(), start in 0..=2usize, extra in 0..=2usize) {
        let full = x.shape()[dim_of(dim, x.ndim())] + start + extra;
        check_op("pad_dim", |v| v[0].pad_dim(dim, start, full), &[x])?;
    }

    #[test]
    fn cat(((x, dim), sizes) in tensor_and_axis().prop_flat_map(|(x, dim)| {
        (Just((x, dim)), proptest::collection::vec(1..=3usize, 1..=2))
    }).prop_flat_map(|((x, dim), sizes)| {
        let d = dim_of(dim, x.ndim());
        let others: Vec<BoxedStrategy<Tensor<f64>>> = sizes.iter().map(|&n| {
            let mut s = x.shape().to_vec();
            s[d] = n;
            tensor(s, Values::Smooth)
        }).collect();
        (Just((x, dim)), others)
    })) {
        let mut inputs = vec![x];
        inputs.extend(sizes);
        let vars: Vec<sinapse_autograd::Var<f64>> = inputs.iter().map(|t| sinapse_autograd::Var::constant(t.clone())).collect();
        let joined = sinapse_autograd::Var::cat(&vars.iter().collect::<Vec<_>>(), dim);
        prop_assert_eq!(joined.value().to_vec(), Tensor::cat(&inputs.iter().collect::<Vec<_>>(), dim).to_vec());
        check_op("cat", |v| sinapse_autograd::Var::cat(&v.iter().collect::<Vec<_>>(), dim), &inputs)?;
    }

    #[test]
    fn select(((x, dim), index) in tensor_and_axis().prop_flat_map(|(x, dim)| {
        let size = x.shape()[dim_of(dim, x.ndim())];
        (Just((x, dim)), 0..size)
    })) {
        check_op("select", |v| v[0].select(dim, index), &[x])?;
    }

    #[test]
    fn squeeze((x, dim) in shape(0, 3).prop_flat_map(|base| {
        let nd = base.len();
        (Just(base), 0..=nd, any::<bool>())
    }).prop_flat_map(|(base, at, neg)| {
        let mut s = base.clone();
        s.insert(at, 1);
        let dim = if neg { at as isize - s.len() as isize } else { at as isize };
        (tensor(s, Values::Smooth), Just(dim))
    })) {
        check_op("squeeze", |v| v[0].squeeze(dim), &[x])?;
    }

    #[test]
    fn unsqueeze((x, dim) in any_tensor(0, 3, Values::Smooth).prop_flat_map(|x| {
        let n = x.ndim() as isize + 1;
        (Just(x), -n..n)
    })) {
        check_op("unsqueeze", |v| v[0].unsqueeze(dim), &[x])?;
    }

    #[test]
    fn broadcast_to((x, to) in broadcastable_to(3).prop_filter("same shape: nothing to broadcast", |(s, b)| s != b).prop_flat_map(|(small, big)| (tensor(small, Values::Smooth), Just(big)))) {
        check_op("broadcast_to", |v| v[0].broadcast_to(&to), &[x])?;
    }

    #[test]
    fn sum_to_shape((x, to) in broadcastable_to(3).prop_filter("same shape: nothing to sum", |(s, b)| s != b).prop_flat_map(|(small, big)| (tensor(big, Values::Smooth), Just(small)))) {
        check_op("sum_to_shape", |v| v[0].sum_to_shape(&to), &[x])?;
    }
}
