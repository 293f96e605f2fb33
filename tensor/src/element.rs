//! The element types a [`Tensor`](crate::Tensor) can hold: `f32` and `f64`.
//!
//! [`Element`] gathers the arithmetic the kernels need (from `num-traits`) and
//! picks the matching `matrixmultiply` routine (`sgemm` for `f32`, `dgemm` for
//! `f64`), so every generic kernel reaches the right BLAS-like code without a
//! run-time branch.

use num_traits::{Float, FromPrimitive, NumAssign, ToPrimitive};
use std::fmt::{Debug, Display};
use std::iter::Sum;

/// A floating-point scalar that tensors can store.
///
/// Implemented for `f32` and `f64` only: the convolution and matmul kernels
/// are written for IEEE floats, and `gemm` dispatches to matrixmultiply's
/// `sgemm`/`dgemm`.
///
/// The trait is sealed: it cannot be implemented outside this crate. Safe
/// code in the kernels calls [`Element::gemm`] and trusts it to touch only
/// the elements its strides describe, so a foreign implementation could turn
/// a safe call into memory corruption; and adding a method here stays a
/// compatible change.
pub trait Element:
    sealed::Sealed
    + Float
    + FromPrimitive
    + ToPrimitive
    + NumAssign
    + Sum
    + Copy
    + Default
    + Send
    + Sync
    + Debug
    + Display
    + 'static
{
    /// Short name used in messages and checkpoints (`"f32"`, `"f64"`).
    const DTYPE: &'static str;

    /// Converts from `f64`, rounding to the nearest representable value.
    fn from_f64_lossy(x: f64) -> Self;

    /// Converts to `f64` exactly (for `f32`) or unchanged (for `f64`).
    fn to_f64_lossless(self) -> f64;

    /// The error function `erf(x) = (2/√π) ∫_0^x e^(-t²) dt`, which the
    /// standard library lacks (from the `libm` crate, a port of musl's).
    fn erf(self) -> Self;

    /// General matrix multiply: `C <- alpha * A * B + beta * C`.
    ///
    /// `A` is `m x k`, `B` is `k x n`, `C` is `m x n`; each is given by a
    /// pointer to its first element and its row and column strides, counted
    /// in elements (they may be zero or any layout; `C` must not alias `A` or
    /// `B` and must have no two elements at the same address).
    ///
    /// # Safety
    /// Every element address `ptr + i*rs + j*cs` for the stated sizes must be
    /// in bounds of a live allocation; `C` must be writable and not aliased.
    #[allow(clippy::too_many_arguments)]
    unsafe fn gemm(
        m: usize,
        k: usize,
        n: usize,
        alpha: Self,
        a: *const Self,
        rsa: isize,
        csa: isize,
        b: *const Self,
        rsb: isize,
        csb: isize,
        beta: Self,
        c: *mut Self,
        rsc: isize,
        csc: isize,
    );
}

/// The private supertrait that seals [`Element`]: only this crate can name
/// it, so only this crate can implement it.
mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

impl Element for f32 {
    const DTYPE: &'static str = "f32";

    fn from_f64_lossy(x: f64) -> Self {
        x as f32
    }

    fn to_f64_lossless(self) -> f64 {
        self as f64
    }

    fn erf(self) -> Self {
        libm::erff(self)
    }

    unsafe fn gemm(
        m: usize,
        k: usize,
        n: usize,
        alpha: Self,
        a: *const Self,
        rsa: isize,
        csa: isize,
        b: *const Self,
        rsb: isize,
        csb: isize,
        beta: Self,
        c: *mut Self,
        rsc: isize,
        csc: isize,
    ) {
        // SAFETY: the caller guarantees the pointer/stride contract above,
        // which is exactly matrixmultiply's contract.
        unsafe { matrixmultiply::sgemm(m, k, n, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc) }
    }
}

impl Element for f64 {
    const DTYPE: &'static str = "f64";

    fn from_f64_lossy(x: f64) -> Self {
        x
    }

    fn to_f64_lossless(self) -> f64 {
        self
    }

    fn erf(self) -> Self {
        libm::erf(self)
    }

    unsafe fn gemm(
        m: usize,
        k: usize,
        n: usize,
        alpha: Self,
        a: *const Self,
        rsa: isize,
        csa: isize,
        b: *const Self,
        rsb: isize,
        csb: isize,
        beta: Self,
        c: *mut Self,
        rsc: isize,
        csc: isize,
    ) {
        // SAFETY: the caller guarantees the pointer/stride contract above,
        // which is exactly matrixmultiply's contract.
        unsafe { matrixmultiply::dgemm(m, k, n, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc) }
    }
}
