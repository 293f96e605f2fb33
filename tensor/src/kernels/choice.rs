//! Which kernels the tensor methods run: the fast ones, or the reference
//! loops of [`reference`](super::reference).
//!
//! The choice is read once from the environment variable
//! `SINAPSE_KERNELS` (`reference`, or `fast`, the default) and can be
//! changed at any time with [`set_kernel_choice`]. Each convolution,
//! pooling or matrix product asks it with one relaxed atomic load, so the
//! fast path costs nothing measurable.

use std::sync::atomic::{AtomicU8, Ordering};

/// The kernels behind [`Tensor::conv2d`](crate::Tensor::conv2d), the
/// pooling methods, [`Tensor::matmul`](crate::Tensor::matmul) and every
/// fused form of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KernelChoice {
    /// The specialised kernels: im2col into packed panels, fused blocks,
    /// threads and the widest vectors the CPU has.
    Fast,
    /// The loops of [`kernels::reference`](super::reference), one output
    /// at a time, on one thread; fused blocks run as their separate steps.
    Reference,
}

/// 0: not read yet; otherwise `1 + choice as u8`.
static CHOICE: AtomicU8 = AtomicU8::new(0);

const FAST: u8 = 1;
const REFERENCE: u8 = 2;

/// The kernels in use: the last [`set_kernel_choice`], else
/// `SINAPSE_KERNELS` from the environment (`reference` selects the
/// reference loops; anything else, or nothing, the fast kernels).
pub fn kernel_choice() -> KernelChoice {
    match CHOICE.load(Ordering::Relaxed) {
        FAST => KernelChoice::Fast,
        REFERENCE => KernelChoice::Reference,
        _ => {
            let from_env = match std::env::var("SINAPSE_KERNELS") {
                Ok(v) if v.eq_ignore_ascii_case("reference") => KernelChoice::Reference,
                _ => KernelChoice::Fast,
            };
            // A concurrent `set_kernel_choice` wins over the environment.
            let _ = CHOICE.compare_exchange(0, encode(from_env), Ordering::Relaxed, Ordering::Relaxed);
            kernel_choice()
        }
    }
}

/// Selects the kernels for every later call, in every thread (a test that
/// compares both, or a program that wants the reference loops without the
/// environment variable).
pub fn set_kernel_choice(choice: KernelChoice) {
    CHOICE.store(encode(choice), Ordering::Relaxed);
}

fn encode(choice: KernelChoice) -> u8 {
    match choice {
        KernelChoice::Fast => FAST,
        KernelChoice::Reference => REFERENCE,
    }
}

/// True when the reference loops are selected: the one test at the top of
/// each dispatching tensor method.
#[inline]
pub(crate) fn use_reference() -> bool {
    kernel_choice() == KernelChoice::Reference
}
