//! How a buffer is cut among the ranks for the reduce-scatter, and the
//! rank-order sum that makes the result independent of the MPI library.

use sinapse_train::shard;

/// The `P` segments of an `n`-element buffer, as MPI counts and
/// displacements: segment `s` is `displs[s] .. displs[s] + counts[s]`, the
/// first `n mod P` segments one element longer.
///
/// ```
/// use sinapse_distributed::Segments;
/// let s = Segments::new(10, 3);
/// assert_eq!(s.counts, vec![4, 3, 3]);
/// assert_eq!(s.displs, vec![0, 4, 7]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segments {
    /// Elements in each segment.
    pub counts: Vec<i32>,
    /// Where each segment starts.
    pub displs: Vec<i32>,
}

impl Segments {
    /// Cuts `n` elements into `ranks` segments.
    ///
    /// # Panics
    /// When `ranks` is 0 or `n` does not fit MPI's `int` counts.
    #[track_caller]
    pub fn new(n: usize, ranks: usize) -> Segments {
        assert!(ranks > 0, "Segments::new: at least one rank");
        assert!(i32::try_from(n).is_ok(), "Segments::new: a buffer of at most 2^31 - 1 elements, got {n}");
        // The same cut as a batch's shards, so one rule says how work is split.
        let counts: Vec<i32> = (0..ranks).map(|s| shard(0..n, s, ranks).len() as i32).collect();
        let displs = counts.iter().scan(0, |at, c| Some(std::mem::replace(at, *at + c))).collect();
        Segments { counts, displs }
    }

    /// Elements in segment `s`.
    pub fn len(&self, s: usize) -> usize {
        self.counts[s] as usize
    }

    /// True when segment `s` is empty.
    pub fn is_empty(&self, s: usize) -> bool {
        self.counts[s] == 0
    }
}

/// `out[i] = ((parts[0][i] + parts[1][i]) + ...) + parts[P-1][i]` where
/// `parts` are the `P` consecutive pieces of `received`, each `out.len()`
/// long: the ranks' contributions to one segment, added in rank order.
///
/// ```
/// let mut out = [0.0f32; 2];
/// sinapse_distributed::sum_in_rank_order(&[1.0, 2.0, 10.0, 20.0, 100.0, 200.0], &mut out);
/// assert_eq!(out, [111.0, 222.0]);
/// ```
///
/// # Panics
/// When `received` is not a whole number of `out.len()` pieces.
#[track_caller]
pub fn sum_in_rank_order<T: Copy + std::ops::Add<Output = T>>(received: &[T], out: &mut [T]) {
    let n = out.len();
    if n == 0 {
        return;
    }
    assert_eq!(received.len() % n, 0, "sum_in_rank_order: {} values are not pieces of {n}", received.len());
    let mut parts = received.chunks_exact(n);
    out.copy_from_slice(parts.next().expect("at least one rank"));
    for part in parts {
        for (o, &x) in out.iter_mut().zip(part) {
            *o = *o + x;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_tile_the_buffer() {
        for n in 0..50 {
            for p in 1..9 {
                let s = Segments::new(n, p);
                let mut at = 0;
                for r in 0..p {
                    assert_eq!(s.displs[r], at);
                    at += s.counts[r];
                }
                assert_eq!(at as usize, n);
                assert!(s.counts.iter().all(|&c| c == (n / p) as i32 || c == (n / p) as i32 + 1));
            }
        }
    }

    #[test]
    fn the_sum_is_taken_in_rank_order() {
        // 1e8 + 1 - 1e8 is 0 in f32 when added left to right; any other
        // grouping of these three gives 1.
        let mut out = [0.0f32];
        sum_in_rank_order(&[1e8, 1.0, -1e8], &mut out);
        assert_eq!(out[0], 0.0);
        sum_in_rank_order(&[1e8, -1e8, 1.0], &mut out);
        assert_eq!(out[0], 1.0);
    }
}
