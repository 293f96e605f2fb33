//! Row lookups: reading rows of a table by index (an embedding) and the
//! adjoint scatter-add, as differentiable operations.
//!
//! Both maps are linear in their tensor input and each is the other's
//! adjoint, so each backward is recorded with the other operator and the
//! pair differentiates any number of times. The indices are not
//! differentiable: they are integers.

use crate::op_def::{operators, Cost, OpDef};
use crate::Var;
use sinapse_tensor::{Element, RowIndices};
use std::sync::Arc;

operators! {
    /// [`Var::take_rows`].
    pub static TAKE_ROWS: OpDef = OpDef {
        name: "take_rows",
        forward: "y[i, :] = x[idx[i], :]",
        backward: "dx = scatter_add_rows(g): g[i, :] added into row idx[i] of zeros",
        cost: Cost::Copy,
    };
    /// [`Var::scatter_add_rows`].
    pub static SCATTER_ADD_ROWS: OpDef = OpDef {
        name: "scatter_add_rows",
        forward: "y[r, :] = Σ over i with idx[i] = r of x[i, :]",
        backward: "dx = take_rows(g)",
        cost: Cost::Reduction,
    };
}

impl<T: Element> Var<T> {
    /// The lookup of an embedding: `y[i, :] = self[idx[i], :]`, `self` the
    /// table `[V, D]`, the output shaped `S ++ [D]` for indices of shape `S`.
    ///
    /// Backward: `dx = scatter_add_rows(g)`, each output row's gradient added
    /// into the row it was read from. Its cost follows the number of rows
    /// read, not the table's size: no one-hot matrix is formed, and rows no
    /// index names stay zero.
    ///
    /// ```
    /// use sinapse_autograd::Var;
    /// use sinapse_tensor::{RowIndices, Tensor};
    /// use std::sync::Arc;
    ///
    /// let table = Var::parameter(Tensor::<f64>::from_vec(vec![0., 1., 10., 11., 20., 21.], &[3, 2]).unwrap(), "table");
    /// let idx = Arc::new(RowIndices::new(vec![2, 0, 2], &[3]).unwrap());
    /// let y = table.take_rows(&idx);
    /// assert_eq!(y.value().to_vec(), vec![20., 21., 0., 1., 20., 21.]);
    /// let grads = y.sum_all().backward();
    /// assert_eq!(grads.get(&table).unwrap().to_vec(), vec![1., 1., 0., 0., 2., 2.]);
    /// ```
    ///
    /// # Panics
    /// If `self` is not 2-D or an index is out of range (the message names
    /// `take_rows`, the index and the table's shape).
    #[track_caller]
    pub fn take_rows(&self, indices: &Arc<RowIndices>) -> Var<T> {
        let idx = indices.clone();
        Var::from_op(
            &TAKE_ROWS,
            &[self],
            || self.value().take_rows(indices),
            move |_, g, x| vec![Some(g.scatter_add_rows(&idx, x[0].shape()[0]))],
        )
    }

    /// The adjoint of [`take_rows`](Self::take_rows):
    /// `y[r, :] = Σ over i with idx[i] = r of self[i, :]`, a `[rows, D]`
    /// table from rows shaped `S ++ [D]`. Backward: `dx = take_rows(g)`.
    ///
    /// # Panics
    /// If `self` is not shaped `S ++ [D]` or an index is `rows` or more (the
    /// message names `scatter_add_rows` and the shapes).
    #[track_caller]
    pub fn scatter_add_rows(&self, indices: &Arc<RowIndices>, rows: usize) -> Var<T> {
        let idx = indices.clone();
        Var::from_op(
            &SCATTER_ADD_ROWS,
            &[self],
            || self.value().scatter_add_rows(indices, rows),
            move |_, g, _| vec![Some(g.take_rows(&idx))],
        )
    }
}
