//! Matrix product as three loops: the definition, one output at a time.

use crate::Element;

/// Matrix product `C = A B`, `c[i, j] = sum_k a[i, k] * b[k, j]`, summed in
/// increasing `k`.
///
/// - `a`: `[m, k]`, row-major; `b`: `[k, n]`, row-major;
/// - returns `c`, `[m, n]`, row-major.
///
/// Its backward is two more products: `dA = dC B^T` and `dB = A^T dC`
/// ([`matmul_backward`]).
///
/// # Panics
/// If a slice's length disagrees with the sizes.
#[track_caller]
pub fn matmul<T: Element>(a: &[T], b: &[T], m: usize, k: usize, n: usize) -> Vec<T> {
    assert!(
        a.len() == m * k && b.len() == k * n,
        "reference matmul: operands of {} and {} elements are not [{m}, {k}] and [{k}, {n}]",
        a.len(),
        b.len()
    );
    let mut c = vec![T::zero(); m * n];
    for i in 0..m {
        for j in 0..n {
            let mut sum = T::zero();
            for p in 0..k {
                sum += a[i * k + p] * b[p * n + j];
            }
            c[i * n + j] = sum;
        }
    }
    c
}

/// `[rows, cols] -> [cols, rows]`, row-major both sides.
pub fn transpose<T: Element>(a: &[T], rows: usize, cols: usize) -> Vec<T> {
    assert!(a.len() == rows * cols, "reference transpose: {} elements are not [{rows}, {cols}]", a.len());
    let mut t = vec![T::zero(); a.len()];
    for i in 0..rows {
        for j in 0..cols {
            t[j * rows + i] = a[i * cols + j];
        }
    }
    t
}

/// Gradients of `C = A B` from `dC`: `dA = dC B^T`, `dB = A^T dC`.
///
/// - `a`: `[m, k]`; `b`: `[k, n]`; `dc`: `[m, n]`, all row-major;
/// - returns `(dA [m, k], dB [k, n])`.
#[track_caller]
pub fn matmul_backward<T: Element>(a: &[T], b: &[T], dc: &[T], m: usize, k: usize, n: usize) -> (Vec<T>, Vec<T>) {
    assert!(dc.len() == m * n, "reference matmul_backward: dC of {} elements is not [{m}, {n}]", dc.len());
    // [m, n] x [n, k] -> [m, k]
    let da = matmul(dc, &transpose(b, k, n), m, n, k);
    // [k, m] x [m, n] -> [k, n]
    let db = matmul(&transpose(a, m, k), dc, k, m, n);
    (da, db)
}
