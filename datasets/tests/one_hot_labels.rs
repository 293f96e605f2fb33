//! One-hot labels: classes numbered from 0 (the course numbers them from
//! 1), an out-of-range label refused with the same message as
//! `sinapse_nn::loss::one_hot`, and files whose labels could reach that
//! panic refused when they are read.

mod common;

use common::idx;
use sinapse_datasets::{one_hot, IdxError, IdxLabels};

#[test]
fn one_hot_labels_course_classes_are_numbered_from_zero() {
    // The course's classes 1 and 10 of K = 10 are labels 0 and 9 here.
    let rows = one_hot(&[0, 9], 10);
    assert_eq!(rows.len(), 20);
    assert_eq!((rows[0], rows[19]), (1.0, 1.0));
    assert_eq!(rows.iter().sum::<f32>(), 2.0);
    let err = std::panic::catch_unwind(|| one_hot(&[3, 10, 1], 10)).unwrap_err();
    let message = err.downcast_ref::<String>().expect("a formatted message");
    assert_eq!(message, "one_hot: label 10 at index 1 is not below the 10 classes (classes are numbered from 0)");
}

#[test]
fn one_hot_labels_course_files_with_a_label_of_k_are_refused_when_read() {
    // The course's numbering (1..=10) written to a file: label 10 at index 2.
    let bytes = idx(&[3], &[1, 2, 10]);
    let e = IdxLabels::from_bytes(bytes.clone(), 10).unwrap_err();
    assert!(matches!(e, IdxError::LabelOutOfRange { index: 2, label: 10, classes: 10 }), "{e:?}");
    assert_eq!(e.to_string(), "label 10 at index 2 is not below the 10 classes");
    // With one class more, the same file is accepted.
    assert_eq!(IdxLabels::from_bytes(bytes, 11).unwrap().as_slice(), [1, 2, 10]);
}
