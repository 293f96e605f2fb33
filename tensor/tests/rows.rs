//! Row lookups and their scatter-add, against plain loops, and the indices
//! read from a tensor.

use proptest::prelude::*;
use sinapse_tensor::{RowIndices, Tensor, TensorError};

fn table(rows: usize, width: usize) -> Tensor<f64> {
    Tensor::from_vec((0..rows * width).map(|i| i as f64 * 0.5 - 1.0).collect(), &[rows, width]).unwrap()
}

proptest! {
    /// `take_rows` copies row `idx[i]` to position `i`, also from a
    /// transposed (non-contiguous) table; `scatter_add_rows` of the result's
    /// gradient equals the loop over indices, and the pair is adjoint:
    /// `<take(x), g> = <x, scatter(g)>`.
    #[test]
    fn lookup_and_scatter_match_loops(rows in 1..6usize, width in 1..4usize, picks in prop::collection::vec(0..1000usize, 0..12)) {
        let idx: Vec<usize> = picks.iter().map(|p| p % rows).collect();
        let indices = RowIndices::new(idx.clone(), &[idx.len()]).unwrap();
        let x = table(width, rows).t(); // [rows, width], strided
        let y = x.take_rows(&indices);
        prop_assert_eq!(y.shape(), &[idx.len(), width]);
        for (i, &r) in idx.iter().enumerate() {
            for c in 0..width {
                prop_assert_eq!(y.get(&[i, c]), x.get(&[r, c]));
            }
        }
        let g = Tensor::from_vec((0..idx.len() * width).map(|i| (i * 7 % 5) as f64 - 2.0).collect(), &[idx.len(), width]).unwrap();
        let s = g.scatter_add_rows(&indices, rows);
        let mut expected = vec![0.0; rows * width];
        for (i, &r) in idx.iter().enumerate() {
            for c in 0..width {
                expected[r * width + c] += g.get(&[i, c]);
            }
        }
        prop_assert_eq!(s.to_vec(), expected);
        let lhs: f64 = y.to_vec().iter().zip(g.to_vec()).map(|(a, b)| a * b).sum();
        let rhs: f64 = x.to_vec().iter().zip(s.to_vec()).map(|(a, b)| a * b).sum();
        prop_assert!((lhs - rhs).abs() < 1e-9);
    }
}

#[test]
fn indices_keep_their_shape() {
    let indices = RowIndices::new(vec![0, 2, 1, 2, 0, 0], &[2, 3]).unwrap();
    let y = table(3, 4).take_rows(&indices);
    assert_eq!(y.shape(), &[2, 3, 4]);
    assert_eq!(y.scatter_add_rows(&indices, 3).shape(), &[3, 4]);
}

#[test]
#[should_panic(expected = "take_rows: index 3 is out of range for a table of shape [3, 2]")]
fn an_index_past_the_table_names_the_op() {
    table(3, 2).take_rows(&RowIndices::new(vec![1, 3], &[2]).unwrap());
}

#[test]
#[should_panic(expected = "scatter_add_rows: rows of shape [2, 2] do not match indices of shape [3]")]
fn scatter_rows_must_match_the_indices() {
    table(2, 2).scatter_add_rows(&RowIndices::new(vec![0, 1, 1], &[3]).unwrap(), 4);
}

#[test]
fn indices_from_a_tensor_are_whole_numbers() {
    let ok = Tensor::<f32>::from_vec(vec![0., 4., 2.], &[3, 1]).unwrap();
    let indices = RowIndices::from_tensor(&ok).unwrap();
    assert_eq!((indices.as_slice(), indices.shape()), (&[0, 4, 2][..], &[3, 1][..]));
    for (bad, position) in [(vec![1.0, -1.0], 1), (vec![0.5, 1.0], 0), (vec![2.0, f32::NAN], 1)] {
        let err = RowIndices::from_tensor(&Tensor::<f32>::from_vec(bad, &[2]).unwrap()).unwrap_err();
        assert!(matches!(err, TensorError::NotAnIndex { position: p, .. } if p == position), "{err}");
    }
    assert!(matches!(RowIndices::new(vec![0, 1], &[3]), Err(TensorError::LengthMismatch { .. })));
}
