//! One kernel body, compiled for each vector instruction set of x86-64 and
//! chosen at run time.
//!
//! The hot loops of the convolution kernels are plain Rust over slices and
//! fixed-size arrays, which LLVM turns into vector code. Compiled for the
//! x86-64 baseline they get SSE2's 4-wide `f32` registers; a CPU with AVX2
//! has 8-wide ones and one with AVX-512 16-wide ones, but a program built
//! for the baseline cannot use them unless a function is compiled with them
//! enabled. [`widest_vectors!`](crate::widest_vectors) writes that function twice more (with AVX2,
//! with AVX-512) around the same body and calls the widest version the CPU
//! runs.
//!
//! Every version performs the body's operations in the body's order (Rust
//! never fuses a multiply and an add, nor reorders float sums, on its own),
//! so all give the same bits; [`for_each_level`] lets a test check that.
//!
//! On wasm32 there is no run-time detection (an engine rejects a module
//! using instructions it lacks), so only [`Level::Baseline`] exists: built
//! with `-C target-feature=+simd128` it is the 128-bit WebAssembly SIMD
//! version of the body, otherwise the scalar one.
//!
//! An operator written outside this crate can use the same macro,
//! `sinapse_tensor::widest_vectors!`.

use std::cell::Cell;

/// A vector instruction set a kernel can be compiled for, narrowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// The target's baseline (SSE2 on x86-64; on wasm32, SIMD128 when the
    /// build enables `+simd128`).
    Baseline,
    /// AVX2: 256-bit registers.
    Avx2,
    /// AVX-512 Foundation: 512-bit registers.
    Avx512,
}

thread_local! {
    /// The widest level this thread may use: [`Level::Avx512`] unless a
    /// test lowered it with [`for_each_level`].
    static CAP: Cell<Level> = const { Cell::new(Level::Avx512) };
}

/// The widest level the CPU supports and this thread may use.
///
/// Under Miri it is always [`Level::Baseline`]: the interpreter checks
/// every access of the portable body, and the wider versions are that same
/// body compiled with more registers, so nothing is lost by not calling
/// them there.
#[inline]
pub fn widest() -> Level {
    let cap = CAP.with(Cell::get);
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    {
        if cap >= Level::Avx512 && std::arch::is_x86_feature_detected!("avx512f") {
            return Level::Avx512;
        }
        if cap >= Level::Avx2 && std::arch::is_x86_feature_detected!("avx2") {
            return Level::Avx2;
        }
    }
    let _ = cap;
    Level::Baseline
}

/// Runs `f` with the kernels of this thread capped at `level` (they run
/// the widest version the CPU has up to `level`): for a test comparing a
/// kernel's versions, `at_level(Level::Baseline, ..)` being the portable
/// one. Kernels called from rayon's workers inside `f` are not capped:
/// call the single-threaded entry points.
pub fn at_level<R>(level: Level, f: impl FnOnce() -> R) -> R {
    let before = CAP.with(|c| c.replace(level));
    let result = f();
    CAP.with(|c| c.set(before));
    result
}

/// Runs `f` once per level this CPU supports, narrowest first, with the
/// kernels of this thread capped at that level (see [`at_level`]), and
/// returns each level with what `f` gave: for a test that every version of
/// a kernel gives the same bits.
pub fn for_each_level<R>(mut f: impl FnMut() -> R) -> Vec<(Level, R)> {
    let levels = [Level::Baseline, Level::Avx2, Level::Avx512];
    let supported = levels.into_iter().filter(|&level| at_level(level, widest) == level);
    supported.map(|level| (level, at_level(level, &mut f))).collect()
}

/// Defines a kernel from its portable body: a function with the given
/// signature and body, compiled for the baseline, AVX2 and AVX-512, that
/// runs the widest version the CPU has (see the module docs of
/// `sinapse_tensor::kernels::instruction_sets`). The body is written once;
/// each version gets its own copy of it, inlined.
///
/// ```
/// sinapse_tensor::widest_vectors! {
///     /// `y[i] += a * x[i]`.
///     pub fn axpy<T: sinapse_tensor::Element>(a: T, x: &[T], y: &mut [T]) {
///         for (y, &x) in y.iter_mut().zip(x) {
///             *y += a * x;
///         }
///     }
/// }
///
/// let mut y = vec![1.0f32; 3];
/// axpy(2.0, &[1.0, 2.0, 3.0], &mut y);
/// assert_eq!(y, [3.0, 5.0, 7.0]);
/// ```
#[macro_export]
macro_rules! widest_vectors {
    (
        $(#[$attr:meta])*
        $vis:vis fn $name:ident $(<$t:ident: $bound:path>)? ($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block
    ) => {
        $(#[$attr])*
        $vis fn $name $(<$t: $bound>)? ($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn body $(<$t: $bound>)? ($($arg: $ty),*) $(-> $ret)? $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f")]
                fn avx512 $(<$t: $bound>)? ($($arg: $ty),*) $(-> $ret)? {
                    body($($arg),*)
                }
                #[target_feature(enable = "avx2")]
                fn avx2 $(<$t: $bound>)? ($($arg: $ty),*) $(-> $ret)? {
                    body($($arg),*)
                }
                match $crate::kernels::instruction_sets::widest() {
                    // SAFETY: `widest` returned this level only after the
                    // CPU reported AVX-512F.
                    $crate::kernels::instruction_sets::Level::Avx512 => return unsafe { avx512($($arg),*) },
                    // SAFETY: `widest` returned this level only after the
                    // CPU reported AVX2.
                    $crate::kernels::instruction_sets::Level::Avx2 => return unsafe { avx2($($arg),*) },
                    $crate::kernels::instruction_sets::Level::Baseline => {}
                }
            }
            body($($arg),*)
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_baseline_always_runs_and_levels_come_narrowest_first() {
        let levels: Vec<Level> = for_each_level(widest)
            .into_iter()
            .map(|(level, seen)| {
                assert_eq!(level, seen);
                level
            })
            .collect();
        assert_eq!(levels[0], Level::Baseline);
        assert!(levels.windows(2).all(|w| w[0] < w[1]));
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            assert_eq!(levels, [Level::Baseline, Level::Avx2, Level::Avx512]);
        }
        assert_eq!(widest(), *levels.last().unwrap(), "the cap is restored");
    }
}
