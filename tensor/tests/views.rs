//! Views equal a copying reference and share storage.

mod strategies;

use proptest::prelude::*;
use sinapse_tensor::Tensor;
use strategies::*;

/// The reference: read every element through `get` (the layout formula),
/// independently of the strided engine behind `to_vec`.
fn by_index(t: &Tensor<f64>) -> Vec<f64> {
    indices(t.shape()).iter().map(|i| t.get(i)).collect()
}

proptest! {
    // Under Miri, a few cases: it interprets every copy.
    #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 4 } else { 256 }))]

    #[test]
    fn to_vec_follows_the_layout(t in any_tensor::<f64>()) {
        prop_assert_eq!(t.to_vec(), by_index(&t));
        prop_assert_eq!(t.contiguous().to_vec(), by_index(&t));
        prop_assert!(t.contiguous().is_contiguous());
    }

    #[test]
    fn permute_and_transpose_match_reference(t in shape(4, 4).prop_filter("ndim>=2", |s| s.len() >= 2).prop_flat_map(tensor_of::<f64>)) {
        let nd = t.ndim();
        let perm: Vec<usize> = (0..nd).rev().collect();
        let p = t.permute(&perm);
        prop_assert!(p.shares_storage_with(&t));
        for idx in indices(p.shape()) {
            let src: Vec<usize> = (0..nd).map(|d| idx[perm.iter().position(|&q| q == d).unwrap()]).collect();
            prop_assert_eq!(p.get(&idx), t.get(&src));
        }
        let tt = t.t();
        for idx in indices(tt.shape()) {
            let mut src = idx.clone();
            src.swap(nd - 2, nd - 1);
            prop_assert_eq!(tt.get(&idx), t.get(&src));
        }
    }

    #[test]
    fn narrow_select_match_reference(t in nonempty_shape(4, 5).prop_flat_map(tensor_of::<f64>), dim in 0usize..4, a in 0usize..5, b in 0usize..5) {
        let dim = dim % t.ndim();
        let n = t.shape()[dim];
        let (start, len) = (a % n, b % (n - a % n + 1));
        let v = t.narrow(dim as isize, start, len);
        prop_assert!(v.shares_storage_with(&t));
        for idx in indices(v.shape()) {
            let mut src = idx.clone();
            src[dim] += start;
            prop_assert_eq!(v.get(&idx), t.get(&src));
        }
        let s = t.select(dim as isize, start);
        prop_assert!(s.shares_storage_with(&t));
        for idx in indices(s.shape()) {
            let mut src = idx.clone();
            src.insert(dim, start);
            prop_assert_eq!(s.get(&idx), t.get(&src));
        }
    }

    #[test]
    fn reshape_keeps_row_major_order(t in any_tensor::<f64>(), split in any::<bool>()) {
        let n = t.numel();
        let target = if split && n % 2 == 0 && n > 0 { vec![2, n / 2] } else { vec![n] };
        let r = t.reshape(&target);
        prop_assert_eq!(r.to_vec(), t.to_vec());
        // A view whenever the tensor was contiguous.
        if t.is_contiguous() {
            prop_assert!(r.shares_storage_with(&t));
        }
        if let Some(v) = t.try_view(&target) {
            prop_assert!(v.shares_storage_with(&t));
            prop_assert_eq!(v.to_vec(), t.to_vec());
        }
    }

    #[test]
    fn unsqueeze_squeeze_flatten(t in any_tensor::<f64>(), pos in 0usize..5) {
        let pos = (pos % (t.ndim() + 1)) as isize;
        let u = t.unsqueeze(pos);
        prop_assert!(u.shares_storage_with(&t));
        prop_assert_eq!(u.shape()[pos as usize], 1);
        prop_assert_eq!(u.to_vec(), t.to_vec());
        let s = u.squeeze(pos);
        prop_assert_eq!(s.shape(), t.shape());
        let f = t.flatten(0, -1);
        prop_assert_eq!(f.shape(), &[t.numel()][..]);
        prop_assert_eq!(f.to_vec(), t.to_vec());
    }

    #[test]
    fn broadcast_to_repeats_without_copy((a, b) in broadcast_pair(4, 4), vals in prop::collection::vec(-1.0f64..1.0, 1..64)) {
        // broadcast the smaller-rank / size-1 side up to the full shape
        let full = { let mut s = a.clone(); if b.len() > s.len() { s = b.clone(); } s };
        let small = if full == a { b } else { a };
        let small_t = arrange::<f64>(&small, &Arrangement::Contiguous, &vals);
        let full_shape: Vec<usize> = {
            let lead = full.len() - small.len();
            full.iter().enumerate().map(|(d, &n)| if d >= lead && small[d - lead] != 1 { small[d - lead] } else { n }).collect()
        };
        let bt = small_t.broadcast_to(&full_shape);
        prop_assert!(bt.shares_storage_with(&small_t));
        for idx in indices(&full_shape) {
            prop_assert_eq!(bt.get(&idx), small_t.get(&broadcast_index(&idx, &small)));
        }
        prop_assert_eq!(bt.to_vec(), by_index(&bt));
    }
}

#[test]
fn transposed_view_is_not_contiguous_and_copies_on_contiguous() {
    let a = Tensor::<f32>::from_vec((0..6).map(|x| x as f32).collect(), &[2, 3]).unwrap();
    let t = a.t();
    assert!(t.shares_storage_with(&a));
    assert!(!t.is_contiguous());
    assert_eq!(t.to_vec(), vec![0., 3., 1., 4., 2., 5.]);
    let c = t.contiguous();
    assert!(!c.shares_storage_with(&a));
    let c2 = a.contiguous();
    assert!(c2.shares_storage_with(&a), "contiguous() of a contiguous tensor must not copy");
    // reshape of a transposed view cannot be a view: it copies, as documented
    assert!(t.try_view(&[6]).is_none());
    assert_eq!(t.reshape(&[6]).to_vec(), vec![0., 3., 1., 4., 2., 5.]);
}

#[test]
#[should_panic(expected = "broadcast_to: shape [2, 3] cannot be broadcast to [3, 3]")]
fn bad_broadcast_names_shapes() {
    Tensor::<f32>::zeros(&[2, 3]).broadcast_to(&[3, 3]);
}

#[test]
#[should_panic(expected = "reshape: cannot view 6 elements of shape [2, 3] as shape [4]")]
fn bad_reshape_names_shapes() {
    Tensor::<f32>::zeros(&[2, 3]).reshape(&[4]);
}

#[test]
fn copy_on_write_protects_views() {
    let a = Tensor::<f64>::from_vec(vec![1., 2., 3., 4.], &[2, 2]).unwrap();
    let view = a.t();
    let mut b = a.clone();
    b.add_scaled_(10.0, &Tensor::ones(&[2, 2]));
    assert_eq!(b.to_vec(), vec![11., 12., 13., 14.]);
    assert_eq!(a.to_vec(), vec![1., 2., 3., 4.]);
    assert_eq!(view.to_vec(), vec![1., 3., 2., 4.]);
    // A sole owner is updated in place: same buffer address before and after.
    let mut c = Tensor::<f64>::zeros(&[3]);
    let before = c.data_mut().as_ptr();
    c.add_scaled_(2.0, &Tensor::ones(&[3]));
    assert_eq!(c.data_mut().as_ptr(), before);
    assert_eq!(c.to_vec(), vec![2., 2., 2.]);
}

#[test]
fn display_like_numpy() {
    let a = Tensor::<f32>::from_vec(vec![1., 2., 3., 4.], &[2, 2]).unwrap();
    assert_eq!(format!("{a:.1}"), "[[1.0, 2.0],\n [3.0, 4.0]]");
    assert_eq!(format!("{:?}", Tensor::<f64>::scalar(2.0)), "tensor(2.0000, shape=[], dtype=f64)");
    let big = Tensor::<f32>::zeros(&[2000]);
    let s = format!("{big:.0}");
    assert_eq!(s, "[0, 0, 0, ..., 0, 0, 0]");
}
