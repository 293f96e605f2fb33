//! Matrix products.

use crate::op_def::{numel, operators, Cost, OpDef};
use crate::Var;
use sinapse_tensor::Element;

operators! {
    /// [`Var::matmul`].
    pub static MATMUL: OpDef = OpDef {
        name: "matmul",
        forward: "C = A B (batched, broadcast batch axes)",
        backward: "dA = G Bᵀ, dB = Aᵀ G",
        cost: Cost::Formula(matmul_flops),
    };
}

impl<T: Element> Var<T> {
    /// Matrix product `C = A B` (2-D, batched with broadcast batch
    /// dimensions, or with a 1-D vector on either side, as
    /// [`Tensor::matmul`](sinapse_tensor::Tensor::matmul)).
    ///
    /// Backward: `dA = G B^T` and `dB = A^T G`, each summed over broadcast
    /// batch dimensions. The transposes are stride views, never copies.
    ///
    /// For 2-D operands, each gradient is produced in its operand's own
    /// memory order: when `B` is a transposed view (a `Linear` layer
    /// multiplies by `W^T`), `dB` is computed as `(G^T A)^T`, a view of a
    /// product laid out like `W`, so `W`'s gradient arrives contiguous and
    /// the optimizer's update reads it in order instead of gathering a
    /// transpose element by element (PyTorch's `mm` backward does the same).
    #[track_caller]
    pub fn matmul(&self, other: &Var<T>) -> Var<T> {
        let left_vec = self.shape().len() == 1;
        let right_vec = other.shape().len() == 1;
        if left_vec || right_vec {
            let a = if left_vec { self.unsqueeze(0) } else { self.clone() };
            let b = if right_vec { other.unsqueeze(-1) } else { other.clone() };
            let mut c = a.matmul(&b);
            if right_vec {
                c = c.squeeze(-1);
            }
            if left_vec {
                // The row of the unsqueezed left operand; it is the last
                // dimension once the right vector's column is gone.
                c = c.squeeze(if right_vec { -1 } else { -2 });
            }
            return c;
        }
        Var::from_op(
            &MATMUL,
            &[self, other],
            || self.value().matmul(other.value()),
            |_, g, x| {
                let plain = g.shape().len() == 2;
                let da = x[0].requires_grad().then(|| {
                    if plain && is_transposed(&x[0]) {
                        x[1].matmul(&g.t()).t()
                    } else {
                        g.matmul(&x[1].t()).sum_to_shape(x[0].shape())
                    }
                });
                let db = x[1].requires_grad().then(|| {
                    if plain && is_transposed(&x[1]) {
                        g.t().matmul(&x[0]).t()
                    } else {
                        x[0].t().matmul(g).sum_to_shape(x[1].shape())
                    }
                });
                vec![da, db]
            },
        )
    }
}

/// True for a 2-D value stored column by column (a transposed view of a
/// row-major matrix): its gradient is best computed transposed.
fn is_transposed<T: Element>(x: &Var<T>) -> bool {
    let value = x.value();
    let (shape, strides) = (value.shape(), value.strides());
    shape.len() == 2 && shape[0] > 1 && shape[1] > 1 && strides[0] == 1 && strides[1] >= shape[0]
}

/// `2 m k n` per matrix: one multiply and one add per term, `k` being the
/// left operand's last dimension.
fn matmul_flops(inputs: &[&[usize]], output: &[usize]) -> u64 {
    let k = inputs.first().and_then(|a| a.last()).copied().unwrap_or(0) as u64;
    2 * numel(output) * k
}
