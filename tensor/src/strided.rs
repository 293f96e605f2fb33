//! The one strided iteration engine behind every element-wise operation.
//!
//! Given K operands whose layouts all have the same shape (broadcast inputs
//! carry stride 0), the engine walks the output in row-major order. It first
//! merges ("coalesces") neighbouring dimensions that are laid out back to back
//! in every operand, so a contiguous tensor becomes a single run and a
//! transposed one becomes a few long runs. Each run is an inner loop with
//! fixed strides, which the compiler can unroll and vectorize. Large outputs
//! are split into fixed-size ranges processed in parallel with rayon; the
//! split depends only on the size, never on scheduling.

use crate::layout::Layout;
use crate::par::prelude::*;
use std::mem::MaybeUninit;

/// Element count above which an operation is spread over rayon's threads.
/// Below it, thread hand-off costs more than it saves.
pub(crate) const PARALLEL_THRESHOLD: usize = 1 << 15;

/// Size of the ranges a parallel element-wise operation is cut into.
pub(crate) const PARALLEL_GRAIN: usize = 1 << 14;

/// Shape and per-operand strides after merging dimensions that are
/// contiguous with each other in every operand (size-1 dimensions dropped).
pub(crate) struct Coalesced<const K: usize> {
    pub shape: Vec<usize>,
    pub strides: [Vec<usize>; K],
    pub offsets: [usize; K],
}

pub(crate) fn coalesce<const K: usize>(layouts: [&Layout; K]) -> Coalesced<K> {
    let full_shape = layouts[0].shape();
    let mut shape: Vec<usize> = Vec::with_capacity(full_shape.len());
    let mut strides: [Vec<usize>; K] = std::array::from_fn(|_| Vec::with_capacity(full_shape.len()));
    for (d, &n) in full_shape.iter().enumerate() {
        if n == 1 {
            continue;
        }
        let mergeable = match shape.last() {
            Some(_) => (0..K).all(|k| {
                let prev = *strides[k].last().unwrap();
                prev == layouts[k].strides()[d] * n
            }),
            None => false,
        };
        if mergeable {
            *shape.last_mut().unwrap() *= n;
            for k in 0..K {
                *strides[k].last_mut().unwrap() = layouts[k].strides()[d];
            }
        } else {
            shape.push(n);
            for k in 0..K {
                strides[k].push(layouts[k].strides()[d]);
            }
        }
    }
    if shape.is_empty() {
        shape.push(1);
        for s in strides.iter_mut() {
            s.push(0);
        }
    }
    Coalesced { shape, strides, offsets: std::array::from_fn(|k| layouts[k].offset()) }
}

impl<const K: usize> Coalesced<K> {
    /// Visits the logical elements `start .. start + len` in row-major order
    /// as runs along the innermost dimension: `body(i, positions, run,
    /// inner_strides)` handles elements `i .. i + run` (relative to `start`),
    /// whose first buffer positions are `positions`.
    pub(crate) fn for_each_run(
        &self,
        start: usize,
        len: usize,
        mut body: impl FnMut(usize, [usize; K], usize, [usize; K]),
    ) {
        let nd = self.shape.len();
        let inner = self.shape[nd - 1];
        let inner_strides: [usize; K] = std::array::from_fn(|k| self.strides[k][nd - 1]);
        // Multi-index of `start`.
        let mut idx = vec![0usize; nd];
        let mut rem = start;
        for d in (0..nd).rev() {
            idx[d] = rem % self.shape[d];
            rem /= self.shape[d];
        }
        let mut done = 0;
        while done < len {
            let pos: [usize; K] = std::array::from_fn(|k| {
                self.offsets[k] + idx.iter().zip(&self.strides[k]).map(|(&i, &s)| i * s).sum::<usize>()
            });
            let run = (inner - idx[nd - 1]).min(len - done);
            body(done, pos, run, inner_strides);
            done += run;
            // Advance the odometer past the run.
            idx[nd - 1] += run;
            for d in (1..nd).rev() {
                if idx[d] < self.shape[d] {
                    break;
                }
                idx[d] = 0;
                idx[d - 1] += 1;
            }
        }
    }
}

/// Fills `out` (row-major, `out.len()` elements) by running `fill(chunk,
/// start)` over fixed ranges, in parallel when the output is large.
pub(crate) fn fill_in_ranges<T: Send>(out: &mut [T], fill: impl Fn(&mut [T], usize) + Sync) {
    if out.len() >= PARALLEL_THRESHOLD {
        out.par_chunks_mut(PARALLEL_GRAIN).enumerate().for_each(|(c, chunk)| fill(chunk, c * PARALLEL_GRAIN));
    } else {
        fill(out, 0);
    }
}

/// `out[i] = f(a_0[i], ..., a_{K-1}[i])` over K strided operands of one
/// shape, producing a contiguous row-major `Vec`.
pub(crate) fn map_n<T, U, const K: usize>(inputs: [(&[T], &Layout); K], f: impl Fn([T; K]) -> U + Sync) -> Vec<U>
where
    T: Copy + Send + Sync,
    U: Copy + Default + Send + 'static,
{
    let layouts: [&Layout; K] = std::array::from_fn(|k| inputs[k].1);
    let n = layouts[0].numel();
    if n == 0 {
        return Vec::new();
    }
    if layouts.iter().all(|l| l.is_contiguous()) {
        let slices: [&[T]; K] = std::array::from_fn(|k| &inputs[k].0[layouts[k].offset()..][..n]);
        return map_slices(slices, f);
    }
    // The runs below cover every element: no fill first.
    let mut out = crate::memory::overwritable(n, U::default());
    let plan = coalesce(layouts);
    fill_in_ranges(&mut out, |chunk, start| {
        plan.for_each_run(start, chunk.len(), |i, pos, run, is| {
            let dst = &mut chunk[i..i + run];
            if is.iter().all(|&s| s == 1) {
                // Unit strides (a bias row broadcast over a batch): plain
                // slices of the run's length, cut once, so the loop has no
                // bounds checks and the compiler vectorizes it.
                let src: [&[T]; K] = std::array::from_fn(|k| &inputs[k].0[pos[k]..pos[k] + run]);
                for (j, o) in dst.iter_mut().enumerate() {
                    *o = f(std::array::from_fn(|k| src[k][j]));
                }
            } else {
                for (j, o) in dst.iter_mut().enumerate() {
                    *o = f(std::array::from_fn(|k| inputs[k].0[pos[k] + j * is[k]]));
                }
            }
        });
    });
    out
}

/// [`map_n`] when every operand is one contiguous run of the same length:
/// `out[i] = f(a_0[i], ..., a_{K-1}[i])` over plain slices, which the
/// compiler vectorizes, written straight into the new vector.
///
/// The output is not zero-filled first: on the activations of a CNN that
/// fill was a full extra pass over memory for every element-wise op.
fn map_slices<T, U, const K: usize>(inputs: [&[T]; K], f: impl Fn([T; K]) -> U + Sync) -> Vec<U>
where
    T: Copy + Send + Sync,
    U: Send + 'static,
{
    let n = inputs[0].len();
    let mut out: Vec<U> = crate::memory::take(n);
    let fill = |dst: &mut [MaybeUninit<U>], start: usize| {
        let src: [&[T]; K] = std::array::from_fn(|k| &inputs[k][start..start + dst.len()]);
        for (j, o) in dst.iter_mut().enumerate() {
            o.write(f(std::array::from_fn(|k| src[k][j])));
        }
    };
    let spare = &mut out.spare_capacity_mut()[..n];
    if n >= PARALLEL_THRESHOLD {
        spare.par_chunks_mut(PARALLEL_GRAIN).enumerate().for_each(|(c, chunk)| fill(chunk, c * PARALLEL_GRAIN));
    } else {
        fill(spare, 0);
    }
    // SAFETY: the capacity is at least `n`, and `fill` wrote every one of the
    // first `n` slots (the chunks cover `spare` exactly). Had `f` panicked, the
    // length would still be 0 and nothing uninitialized would be dropped.
    unsafe { out.set_len(n) };
    out
}

/// The elements of a strided view in row-major order.
pub(crate) fn gather<T: Copy + Default + Send + Sync + 'static>(data: &[T], layout: &Layout) -> Vec<T> {
    map_n([(data, layout)], |[x]| x)
}
