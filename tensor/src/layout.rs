//! Where each logical element of a tensor lives in its buffer.
//!
//! A [`Layout`] maps a multi-index `(i0, i1, ..., i_{n-1})` to the buffer
//! position `offset + i0*strides[0] + ... + i_{n-1}*strides[n-1]`. Every view
//! (transpose, permute, narrow, select, broadcast, reshape when possible) is a
//! pure function from one layout to another; the buffer is never touched.
//!
//! # Invariants
//! 1. `shape.len() == strides.len()`; that length is the number of dimensions.
//! 2. If the tensor has at least one element, the largest reachable position
//!    `offset + sum((shape[d]-1) * strides[d])` is inside the buffer.
//! 3. A stride of 0 is allowed only where a dimension was broadcast (or has
//!    size 1): such views are read-only in effect, since several indices
//!    share one element. Writes always go through a fresh contiguous buffer.
//! 4. Strides are non-negative; a "contiguous" layout is row-major with
//!    `strides[d] = product(shape[d+1..])` (any stride is accepted where
//!    `shape[d] == 1`, because it is never used).

/// Shape, strides and offset of a tensor over its buffer. See the module docs
/// for the invariants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    shape: Vec<usize>,
    strides: Vec<usize>,
    offset: usize,
}

/// Row-major strides for `shape`: the last dimension moves fastest.
pub(crate) fn row_major_strides(shape: &[usize]) -> Vec<usize> {
    let mut strides = vec![0; shape.len()];
    let mut step = 1usize;
    for d in (0..shape.len()).rev() {
        strides[d] = step;
        step = step.saturating_mul(shape[d].max(1));
    }
    strides
}

/// Product of the dimensions, or `None` on overflow.
pub(crate) fn checked_numel(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d))
}

impl Layout {
    /// The row-major layout of `shape` starting at position 0.
    pub fn contiguous(shape: &[usize]) -> Self {
        Layout { shape: shape.to_vec(), strides: row_major_strides(shape), offset: 0 }
    }

    /// The size of each dimension.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The buffer distance between neighbours along each dimension.
    pub fn strides(&self) -> &[usize] {
        &self.strides
    }

    /// Buffer position of the element at index `(0, 0, ..., 0)`.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// Number of logical elements (1 for a 0-d tensor).
    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }

    /// True when the elements are stored row-major without gaps, so the
    /// logical order is `buffer[offset .. offset + numel]`.
    pub fn is_contiguous(&self) -> bool {
        if self.shape.contains(&0) {
            return true; // nothing is stored, so nothing is out of place
        }
        let mut expected = 1usize;
        for d in (0..self.shape.len()).rev() {
            if self.shape[d] != 1 && self.strides[d] != expected {
                return false;
            }
            expected *= self.shape[d];
        }
        true
    }

    /// One past the largest buffer position this layout can reach (0 when it
    /// has no elements). Used to check invariant 2.
    pub fn span_end(&self) -> usize {
        if self.shape.contains(&0) {
            return 0;
        }
        self.offset + self.shape.iter().zip(&self.strides).map(|(&n, &s)| (n - 1) * s).sum::<usize>() + 1
    }

    /// Buffer position of the multi-index `index` (one entry per dimension).
    #[track_caller]
    pub fn position(&self, index: &[usize]) -> usize {
        assert_eq!(
            index.len(),
            self.ndim(),
            "index {index:?} has {} entries but the tensor of shape {:?} has {} dimensions",
            index.len(),
            self.shape,
            self.ndim()
        );
        let mut pos = self.offset;
        for (d, (&i, (&n, &s))) in index.iter().zip(self.shape.iter().zip(&self.strides)).enumerate() {
            assert!(i < n, "index {index:?} is out of bounds for shape {:?} (dimension {d})", self.shape);
            pos += i * s;
        }
        pos
    }

    /// Normalises a possibly negative axis (`-1` is the last) for `ndim`
    /// dimensions, panicking with the operation's name when out of range.
    #[track_caller]
    pub(crate) fn axis(op: &str, axis: isize, shape: &[usize]) -> usize {
        let n = shape.len() as isize;
        let a = if axis < 0 { axis + n } else { axis };
        assert!(
            (0..n).contains(&a),
            "{op}: axis {axis} is out of range for a tensor of shape {shape:?} ({n} dimensions)"
        );
        a as usize
    }

    /// Swaps two dimensions.
    pub(crate) fn transposed(&self, a: usize, b: usize) -> Layout {
        let mut l = self.clone();
        l.shape.swap(a, b);
        l.strides.swap(a, b);
        l
    }

    /// Reorders dimensions: new dimension `i` is old dimension `perm[i]`.
    #[track_caller]
    pub(crate) fn permuted(&self, perm: &[usize]) -> Layout {
        let n = self.ndim();
        let mut seen = vec![false; n];
        let valid = perm.len() == n && perm.iter().all(|&p| p < n && !std::mem::replace(&mut seen[p], true));
        assert!(valid, "permute: {perm:?} is not a permutation of the {n} dimensions of shape {:?}", self.shape);
        Layout {
            shape: perm.iter().map(|&p| self.shape[p]).collect(),
            strides: perm.iter().map(|&p| self.strides[p]).collect(),
            offset: self.offset,
        }
    }

    /// Keeps `len` indices of dimension `dim`, starting at `start`.
    #[track_caller]
    pub(crate) fn narrowed(&self, dim: usize, start: usize, len: usize) -> Layout {
        let size = self.shape[dim];
        assert!(
            start.checked_add(len).is_some_and(|end| end <= size),
            "narrow: range {start}..{} is out of bounds for dimension {dim} of shape {:?}",
            start.saturating_add(len),
            self.shape
        );
        let mut l = self.clone();
        l.shape[dim] = len;
        if len > 0 {
            l.offset += start * self.strides[dim];
        }
        l
    }

    /// Fixes dimension `dim` at `index`, removing it.
    #[track_caller]
    pub(crate) fn selected(&self, dim: usize, index: usize) -> Layout {
        assert!(
            index < self.shape[dim],
            "select: index {index} is out of bounds for dimension {dim} of shape {:?}",
            self.shape
        );
        let mut l = self.clone();
        l.offset += index * self.strides[dim];
        l.shape.remove(dim);
        l.strides.remove(dim);
        l
    }

    /// Inserts a dimension of size 1 at `dim`.
    pub(crate) fn unsqueezed(&self, dim: usize) -> Layout {
        let mut l = self.clone();
        // Any stride works for a size-1 dimension; this one keeps the layout
        // recognisably contiguous.
        let stride = if dim < l.ndim() { l.strides[dim] * l.shape[dim] } else { 1 };
        l.shape.insert(dim, 1);
        l.strides.insert(dim, stride);
        l
    }

    /// Removes dimension `dim`, which must have size 1.
    pub(crate) fn squeezed(&self, dim: usize) -> Layout {
        let mut l = self.clone();
        l.shape.remove(dim);
        l.strides.remove(dim);
        l
    }

    /// Expands to `shape` by NumPy rules, giving broadcast dimensions stride 0.
    /// Returns `None` when the shapes are incompatible.
    pub(crate) fn broadcast_to(&self, shape: &[usize]) -> Option<Layout> {
        if shape.len() < self.ndim() {
            return None;
        }
        let lead = shape.len() - self.ndim();
        let mut strides = vec![0; shape.len()];
        for d in 0..self.ndim() {
            let (from, to) = (self.shape[d], shape[lead + d]);
            strides[lead + d] = if from == to {
                self.strides[d]
            } else if from == 1 {
                0
            } else {
                return None;
            };
        }
        Some(Layout { shape: shape.to_vec(), strides, offset: self.offset })
    }

    /// Tries to express the same elements, in the same logical order, with a
    /// new shape without moving data. Returns `None` when the current strides
    /// make that impossible (then `reshape` must copy).
    pub(crate) fn reshaped(&self, new_shape: &[usize]) -> Option<Layout> {
        if self.is_contiguous() || self.numel() == 0 {
            return Some(Layout {
                shape: new_shape.to_vec(),
                strides: row_major_strides(new_shape),
                offset: self.offset,
            });
        }
        // Group the old dimensions into runs that are contiguous with each
        // other (stride[d] == stride[d+1] * shape[d+1]); each new dimension
        // must fall inside one run. Size-1 dimensions are dropped first.
        let old: Vec<(usize, usize)> =
            self.shape.iter().zip(&self.strides).filter(|(&n, _)| n != 1).map(|(&n, &s)| (n, s)).collect();
        let mut new_strides = vec![0usize; new_shape.len()];
        let mut oi = 0; // next old dimension to consume
        let mut ni = 0; // next new dimension to assign
        while ni < new_shape.len() {
            if new_shape[ni] == 1 {
                new_strides[ni] = 1;
                ni += 1;
                continue;
            }
            if oi >= old.len() {
                return None;
            }
            // Take a run of old dims [oi, oj) and new dims [ni, nj) with equal products.
            let (mut old_prod, mut new_prod) = (old[oi].0, new_shape[ni]);
            let (mut oj, mut nj) = (oi + 1, ni + 1);
            while old_prod != new_prod {
                if old_prod < new_prod {
                    if oj >= old.len() {
                        return None;
                    }
                    old_prod *= old[oj].0;
                    oj += 1;
                } else {
                    if nj >= new_shape.len() {
                        return None;
                    }
                    new_prod *= new_shape[nj];
                    nj += 1;
                }
            }
            // The old run must be internally contiguous.
            for k in oi..oj - 1 {
                if old[k].1 != old[k + 1].1 * old[k + 1].0 {
                    return None;
                }
            }
            // Assign row-major strides inside the run, ending with the run's
            // innermost stride.
            let mut stride = old[oj - 1].1;
            for k in (ni..nj).rev() {
                new_strides[k] = stride;
                stride *= new_shape[k];
            }
            oi = oj;
            ni = nj;
        }
        if oi != old.len() {
            return None;
        }
        Some(Layout { shape: new_shape.to_vec(), strides: new_strides, offset: self.offset })
    }
}

/// The NumPy broadcast of two shapes, or `None` when they are incompatible:
/// shapes are aligned at their last dimension and each pair of sizes must be
/// equal or contain a 1.
pub(crate) fn broadcast_shapes(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let da = if i < n - a.len() { 1 } else { a[i - (n - a.len())] };
        let db = if i < n - b.len() { 1 } else { b[i - (n - b.len())] };
        out[i] = if da == db {
            da
        } else if da == 1 {
            db
        } else if db == 1 {
            da
        } else {
            return None;
        };
    }
    Some(out)
}
