//! Batch normalization as one differentiable operation.
//!
//! The simple form of batch normalization is a chain of element-wise
//! operations and reductions (the mean, the centred values, the variance,
//! the quotient, the scale and the shift), each differentiated by its own
//! rule. [`Var::batch_norm`] computes the same function with the fused
//! kernels of `sinapse-tensor`, two passes over the batch forward and two
//! backward. Its backward rule is written twice, on purpose:
//!
//! - when the gradient is itself being recorded (`create_graph`, for a
//!   second derivative), as the closed-form gradient in `Var` operations,
//!   which is differentiable again and which a student can read;
//! - otherwise, with the fused kernel, the same numbers in two passes.
//!
//! The finite-difference checks cover both (first order the fused path,
//! second order the `Var` one), and a test compares them directly.

use crate::grad_mode::is_grad_enabled;
use crate::op_def::{operators, Cost, OpDef};
use crate::Var;
use sinapse_tensor::{BatchStats, Element, Tensor};

operators! {
    /// [`Var::batch_norm`].
    pub static BATCH_NORM: OpDef = OpDef {
        name: "batch_norm",
        forward: "y = (x - μ) / √(σ² + ε) w + b, μ and σ² the batch's, per channel",
        backward: "dx = w / √(σ² + ε) (g - mean(g) - x̂ mean(g x̂)), dw = Σ g x̂, db = Σ g",
        cost: Cost::Formula(batch_norm_flops),
    };
}

/// About seven operations per element: the mean, the squared deviations
/// (three), and the normalization with its scale and shift (three).
fn batch_norm_flops(inputs: &[&[usize]], _output: &[usize]) -> u64 {
    inputs.first().map_or(0, |x| 7 * x.iter().product::<usize>() as u64)
}

impl<T: Element> Var<T> {
    /// Training-mode batch normalization of `[N, C, ...]` over every
    /// dimension but the channels (dimension 1):
    ///
    /// `y = (x - μ_c) / sqrt(σ²_c + eps) * weight_c + bias_c`,
    ///
    /// `μ_c` and the biased `σ²_c` being the batch's own, over the
    /// `M = N * (trailing sizes)` values of channel `c`. No `weight` means
    /// 1 and no `bias` 0. Returns the output and the batch's statistics
    /// (for the running averages a layer keeps).
    ///
    /// Backward, through the statistics as well (with `x̂ = (x - μ) / sqrt(σ² + eps)`):
    /// `dx = weight / sqrt(σ² + eps) * (g - mean(g) - x̂ mean(g x̂))`,
    /// `dweight = Σ g x̂`, `dbias = Σ g`, sums and means per channel.
    ///
    /// ```
    /// use sinapse_autograd::Var;
    /// use sinapse_tensor::Tensor;
    ///
    /// let x = Var::parameter(Tensor::<f64>::from_vec(vec![1., 10., 3., 30.], &[2, 2]).unwrap(), "x");
    /// let (y, stats) = x.batch_norm(None, None, 0.0);
    /// assert_eq!(y.value().to_vec(), vec![-1., -1., 1., 1.]);
    /// assert_eq!(stats.mean.to_vec(), vec![2., 20.]);
    /// assert_eq!(stats.var.to_vec(), vec![1., 100.]);
    /// ```
    ///
    /// # Panics
    /// If `self` has fewer than 2 dimensions, or `weight` or `bias` is not
    /// `[C]` (the message names `batch_norm` and the shapes).
    #[track_caller]
    pub fn batch_norm(&self, weight: Option<&Var<T>>, bias: Option<&Var<T>>, eps: f64) -> (Var<T>, BatchStats<T>) {
        let mut stats_out = None;
        let forward = || {
            let stats = self.value().batch_stats();
            let y = self.value().batch_norm(&stats.mean, &stats.var, weight.map(Var::value), bias.map(Var::value), eps);
            (y, stats)
        };
        let mut inputs = vec![self];
        inputs.extend(weight);
        inputs.extend(bias);
        let (has_weight, has_bias) = (weight.is_some(), bias.is_some());
        let y = Var::from_op_saving(&BATCH_NORM, &inputs, forward, |stats: BatchStats<T>| {
            stats_out = Some(stats.clone());
            move |_, g, x| {
                let w = has_weight.then(|| &x[1]);
                let (dx, dw, db) = if is_grad_enabled() {
                    batch_norm_grads(g, &x[0], w, eps)
                } else {
                    let (dx, dw, db) = g.value().batch_norm_backward(x[0].value(), &stats, w.map(Var::value), eps);
                    (Var::constant(dx), Var::constant(dw), Var::constant(db))
                };
                let mut grads = vec![x[0].requires_grad().then_some(dx)];
                if has_weight {
                    grads.push(Some(dw));
                }
                if has_bias {
                    grads.push(Some(db));
                }
                grads
            }
        });
        (y, stats_out.expect("the forward computation ran"))
    }
}

/// The gradients of [`Var::batch_norm`] written with `Var` operations, so
/// that they can be differentiated again: `(dx, dweight, dbias)` for the
/// output gradient `g`.
///
/// `dx = weight / sqrt(σ² + eps) * (g - mean(g) - x̂ mean(g x̂))` comes from
/// `y = weight x̂ + bias` with `x̂ = (x - μ) / sqrt(σ² + eps)`: the direct
/// path `g weight / sqrt(σ² + eps)`, minus what flows back through `μ`
/// (the mean of that), minus what flows back through `σ²` (along `x̂`).
fn batch_norm_grads<T: Element>(g: &Var<T>, x: &Var<T>, weight: Option<&Var<T>>, eps: f64) -> (Var<T>, Var<T>, Var<T>) {
    let rank = x.shape().len();
    let axes: Vec<isize> = (0..rank as isize).filter(|&a| a != 1).collect();
    let mut channel_shape = vec![1; rank];
    channel_shape[1] = x.shape()[1];
    let centred = x.sub(&x.mean_axes(&axes, true));
    let std = centred.square().mean_axes(&axes, true).add_scalar(T::from_f64_lossy(eps)).sqrt();
    let x_hat = centred.div(&std);
    let g_hat = match weight {
        Some(w) => g.mul(&w.reshape(&channel_shape)),
        None => g.clone(),
    };
    let along_x_hat = x_hat.mul(&g_hat.mul(&x_hat).mean_axes(&axes, true));
    let dx = g_hat.sub(&g_hat.mean_axes(&axes, true)).sub(&along_x_hat).div(&std);
    let dweight = g.mul(&x_hat).sum_axes(&axes, false);
    let dbias = g.sum_axes(&axes, false);
    (dx, dweight, dbias)
}

/// The gradients of [`Var::batch_norm`] from both of its backward rules,
/// for tests: `(fused, written with Var operations)`, each `(dx, dweight, dbias)`.
#[doc(hidden)]
pub fn batch_norm_backward_both<T: Element>(
    g: &Tensor<T>,
    x: &Tensor<T>,
    weight: Option<&Tensor<T>>,
    eps: f64,
) -> [(Tensor<T>, Tensor<T>, Tensor<T>); 2] {
    let stats = x.batch_stats();
    let fused = g.batch_norm_backward(x, &stats, weight, eps);
    let w = weight.map(|w| Var::constant(w.clone()));
    let (dx, dw, db) = batch_norm_grads(&Var::constant(g.clone()), &Var::constant(x.clone()), w.as_ref(), eps);
    [fused, (dx.value().clone(), dw.value().clone(), db.value().clone())]
}
