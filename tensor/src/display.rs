//! `Debug` and `Display` that print like NumPy, abbreviated when large.

use crate::{Element, Tensor};
use std::fmt;

/// Dimensions longer than this are shown as their first and last
/// [`EDGE_ITEMS`] entries with `...` between (NumPy's default of 1000 total
/// elements triggers summarisation).
const SUMMARIZE_ABOVE: usize = 1000;
const EDGE_ITEMS: usize = 3;

fn write_nested<T: Element>(
    f: &mut fmt::Formatter<'_>,
    t: &Tensor<T>,
    index: &mut Vec<usize>,
    summarize: bool,
    indent: usize,
) -> fmt::Result {
    let d = index.len();
    if d == t.ndim() {
        let v = t.get(index);
        return match f.precision() {
            Some(p) => write!(f, "{v:.p$}"),
            None => write!(f, "{v:.4}"),
        };
    }
    let n = t.shape()[d];
    let shown: Vec<Option<usize>> = if summarize && n > 2 * EDGE_ITEMS {
        (0..EDGE_ITEMS).map(Some).chain([None]).chain((n - EDGE_ITEMS..n).map(Some)).collect()
    } else {
        (0..n).map(Some).collect()
    };
    write!(f, "[")?;
    let last_dim = d + 1 == t.ndim();
    for (k, item) in shown.iter().enumerate() {
        if k > 0 {
            if last_dim {
                write!(f, ", ")?;
            } else {
                write!(f, ",\n{}", " ".repeat(indent + 1))?;
            }
        }
        match item {
            Some(i) => {
                index.push(*i);
                write_nested(f, t, index, summarize, indent + 1)?;
                index.pop();
            }
            None => write!(f, "...")?,
        }
    }
    write!(f, "]")
}

impl<T: Element> fmt::Display for Tensor<T> {
    /// Nested brackets like NumPy; tensors with more than 1000 elements show
    /// only the first and last 3 entries of each long dimension.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let summarize = self.numel() > SUMMARIZE_ABOVE;
        write_nested(f, self, &mut Vec::new(), summarize, 0)
    }
}

impl<T: Element> fmt::Debug for Tensor<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tensor(")?;
        fmt::Display::fmt(self, f)?;
        write!(f, ", shape={:?}, dtype={})", self.shape(), T::DTYPE)
    }
}
