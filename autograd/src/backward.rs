//! Reverse-mode differentiation: walking the graph from the loss back.
//!
//! 1. Collect every node that requires a gradient and is reachable from the
//!    root, with an explicit stack (no recursion, so a 100,000-node chain
//!    cannot overflow the call stack).
//! 2. Sort them by id, newest first. Ids grow with creation time and every
//!    node is created after its inputs, so this is a reverse topological
//!    order: a node is processed only after everything that used it.
//! 3. For each node, take its accumulated output gradient, run its backward
//!    rule, and add the results into its inputs' gradients. Then drop the
//!    node: once the root handle is consumed, the node's saved tensors are
//!    freed right there, before the rest of the pass.

use crate::anomaly;
use crate::grad_mode::with_grad_mode;
use crate::gradients::Gradients;
use crate::profiler;
use crate::var::Var;
use sinapse_tensor::{Element, Tensor};
use std::collections::{HashMap, HashSet};

/// Settings for [`Var::backward_with_options`].
#[derive(Clone, Debug, Default)]
pub struct BackwardOptions {
    /// Record the backward pass itself, so the returned gradients are
    /// variables that can be differentiated again (Hessian-vector products,
    /// gradient penalties). Off for ordinary training, which then pays for
    /// tensor arithmetic only.
    pub create_graph: bool,
    /// Ids of non-leaf variables whose gradients should also be returned
    /// (leaves' gradients always are). See [`Var::id`].
    pub retain: Vec<u64>,
}

impl<T: Element> Var<T> {
    /// Gradients of this scalar (one-element) variable with respect to every
    /// leaf that requires one: `dL/dw` for each parameter `w`.
    ///
    /// Consumes the handle so that the graph's intermediate tensors are freed
    /// as the pass goes (clone the variable first to keep it).
    ///
    /// ```
    /// use sinapse_autograd::Var;
    /// use sinapse_tensor::Tensor;
    /// let t = Var::new(Tensor::<f64>::scalar(3.0));
    /// let f = (&t - 5.0).powf(2.0); // f(t) = (t - 5)^2
    /// let grads = f.backward();
    /// assert_eq!(grads.get(&t).unwrap().item(), -4.0); // 2(t - 5)
    /// ```
    #[track_caller]
    pub fn backward(self) -> Gradients<T> {
        assert_eq!(
            self.value().numel(),
            1,
            "backward: the output has shape {:?}; call backward on a scalar loss, or use backward_with(grad)",
            self.shape()
        );
        let seed = Tensor::ones(self.shape());
        self.backward_with_options(seed, &BackwardOptions::default())
    }

    /// Backpropagates an explicit output gradient `grad` (same shape as the
    /// variable): computes the vector-Jacobian product `grad^T dY/dX`.
    #[track_caller]
    pub fn backward_with(self, grad: Tensor<T>) -> Gradients<T> {
        self.backward_with_options(grad, &BackwardOptions::default())
    }

    /// The general form of [`backward`](Self::backward): an explicit seed
    /// gradient and [`BackwardOptions`].
    #[track_caller]
    pub fn backward_with_options(self, grad: Tensor<T>, options: &BackwardOptions) -> Gradients<T> {
        assert_eq!(
            grad.shape(),
            self.shape(),
            "backward_with: seed gradient of shape {:?} for an output of shape {:?}",
            grad.shape(),
            self.shape()
        );
        let mut result = Gradients::new();
        if !self.requires_grad() {
            return result;
        }
        let order = reverse_topological_order(self.clone());
        let retain: HashSet<u64> = options.retain.iter().copied().collect();
        let mut pending: HashMap<u64, Var<T>> = HashMap::new();
        pending.insert(self.id(), Var::constant(grad));
        drop(self);
        for slot in order {
            let node = slot;
            let Some(g) = pending.remove(&node.id()) else { continue };
            if node.is_leaf() || retain.contains(&node.id()) {
                result.insert(&node, g.clone());
            }
            let Some(grad_fn) = node.node.grad_fn.as_ref() else { continue };
            let input_grads = profiler::time_backward(grad_fn.def.name, || {
                with_grad_mode(options.create_graph, || anomaly::run_backward(grad_fn, &node, &g))
            });
            assert_eq!(
                input_grads.len(),
                grad_fn.inputs.len(),
                "backward of {}: returned {} gradients for {} inputs",
                grad_fn.def.name,
                input_grads.len(),
                grad_fn.inputs.len()
            );
            for (input, ig) in grad_fn.inputs.iter().zip(input_grads) {
                let Some(ig) = ig else { continue };
                if !input.requires_grad() {
                    continue;
                }
                assert_eq!(
                    ig.shape(),
                    input.shape(),
                    "backward of {}: gradient of shape {:?} for an input of shape {:?}",
                    grad_fn.def.name,
                    ig.shape(),
                    input.shape()
                );
                let total = match pending.remove(&input.id()) {
                    Some(prev) => profiler::time_backward(profiler::ACCUMULATE_GRAD, || {
                        with_grad_mode(options.create_graph, || &prev + &ig)
                    }),
                    None => ig,
                };
                pending.insert(input.id(), total);
            }
            // `node` drops here: the last reference to an intermediate goes,
            // and with it the tensors its backward rule had captured.
        }
        result
    }
}

/// Every node that requires a gradient and is reachable from `root`, newest
/// first (a reverse topological order, because ids grow with creation).
fn reverse_topological_order<T: Element>(root: Var<T>) -> Vec<Var<T>> {
    let mut seen: HashSet<u64> = HashSet::new();
    let mut stack = vec![root];
    let mut nodes = Vec::new();
    while let Some(v) = stack.pop() {
        if !v.requires_grad() || !seen.insert(v.id()) {
            continue;
        }
        stack.extend(v.inputs().iter().cloned());
        nodes.push(v);
    }
    nodes.sort_unstable_by_key(|v| std::cmp::Reverse(v.id()));
    nodes
}
