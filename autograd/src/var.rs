//! [`Var`]: a tensor that remembers how it was computed.

use crate::grad_mode::is_grad_enabled;
use crate::op_def::OpDef;
use sinapse_tensor::{Element, Tensor};
use std::fmt;
use std::panic::Location;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The backward rule of one operation.
///
/// Called as `backward(output, grad_output)`: `output` is the variable the
/// operation produced and `grad_output` is `dL/d(output)`, both as variables.
/// It returns `dL/d(input_i)` for each input, in order (`None` where an input
/// needs no gradient). Written with differentiable operations on [`Var`],
/// a rule serves first-order training (run with recording off, so it costs
/// tensor arithmetic only) and higher-order gradients alike (run with
/// recording on when `create_graph` is requested).
pub(crate) type BackwardFn<T> = dyn Fn(&Var<T>, &Var<T>) -> Vec<Option<Var<T>>> + Send + Sync;

/// What produced a non-leaf variable.
pub(crate) struct GradFn<T: Element> {
    pub def: &'static OpDef,
    pub inputs: Vec<Var<T>>,
    pub backward: Box<BackwardFn<T>>,
    pub location: &'static Location<'static>,
}

pub(crate) struct Node<T: Element> {
    pub id: u64,
    pub value: Tensor<T>,
    pub requires_grad: bool,
    pub grad_fn: Option<GradFn<T>>,
    pub name: Option<Arc<str>>,
}

impl<T: Element> Drop for Node<T> {
    /// Takes the graph below this node apart with an explicit stack.
    ///
    /// The default drop would drop the inputs, whose drops drop their inputs,
    /// and so on: one nested call per node, which overflows the stack on a
    /// long chain (100,000 recorded operations). Here an input whose last
    /// handle is ours has its own inputs moved onto the stack before it is
    /// dropped, so each node is dropped with an empty `grad_fn`.
    fn drop(&mut self) {
        let Some(GradFn { inputs, backward, .. }) = self.grad_fn.take() else { return };
        // The closure keeps its own clones of the inputs: drop it first so
        // that `inputs` holds the last handles.
        drop(backward);
        let mut stack = inputs;
        while let Some(var) = stack.pop() {
            let mut node = var.node;
            if let Some(unique) = Arc::get_mut(&mut node) {
                if let Some(GradFn { inputs, backward, .. }) = unique.grad_fn.take() {
                    drop(backward);
                    stack.extend(inputs);
                }
            }
            // `node` drops here, with no grad_fn left if it was the last handle.
        }
    }
}

/// A differentiable tensor: a value plus, when it was computed from
/// variables that require gradients, the operation and inputs that made it.
///
/// Operations on variables run immediately (define-by-run) and, while
/// recording is enabled (see [`no_grad`](crate::no_grad)), each one stores a
/// backward closure next to its inputs. [`Var::backward`] walks that graph
/// from a scalar loss back to the leaves and returns a
/// [`Gradients`](crate::Gradients) map keyed by variable.
///
/// A `Var` is a cheap handle (`Arc`): cloning shares the node. Parameters are
/// leaves created with [`Var::parameter`]; they keep their identity across
/// [`Var::update`] calls, so an optimizer can look up their gradients.
/// `Var` is `Send + Sync`.
pub struct Var<T: Element> {
    pub(crate) node: Arc<Node<T>>,
}

impl<T: Element> Clone for Var<T> {
    fn clone(&self) -> Self {
        Var { node: self.node.clone() }
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A fresh node id. Ids grow with creation time, so every node's id is
/// larger than its inputs' ids: sorting by id is a topological order.
fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

impl<T: Element> Var<T> {
    fn leaf(value: Tensor<T>, requires_grad: bool, name: Option<Arc<str>>) -> Self {
        Var { node: Arc::new(Node { id: next_id(), value, requires_grad, grad_fn: None, name }) }
    }

    /// A leaf that needs no gradient (data, targets, constants).
    pub fn constant(value: Tensor<T>) -> Self {
        Self::leaf(value, false, None)
    }

    /// A leaf whose gradient [`backward`](Self::backward) will report.
    pub fn new(value: Tensor<T>) -> Self {
        Self::leaf(value, true, None)
    }

    /// A named leaf that requires a gradient: a model parameter. The name
    /// appears in graph pictures and error messages.
    pub fn parameter(value: Tensor<T>, name: impl Into<Arc<str>>) -> Self {
        Self::leaf(value, true, Some(name.into()))
    }

    /// Runs and records one operation of the descriptor `def`: `forward`
    /// computes the value from `inputs`, and `backward(output,
    /// grad_output, inputs)` returns the inputs' gradients.
    ///
    /// This is how every operator of this crate is built, and the public
    /// way to add one outside it. The [profiler](crate::profiler) times
    /// `forward` and counts it under `def.name` with `def`'s cost estimate.
    /// When recording is off, or no input requires a gradient, the result
    /// is a plain constant and the closure is dropped unused.
    ///
    /// ```
    /// use sinapse_autograd::{gradcheck, Cost, OpDef, Var};
    /// use sinapse_tensor::Tensor;
    ///
    /// static SWISH: OpDef = OpDef {
    ///     name: "swish",
    ///     forward: "x s(x)",
    ///     backward: "dx = g (s(x) + x s(x) (1 - s(x)))",
    ///     cost: Cost::Elementwise,
    /// };
    ///
    /// /// swish(x) = x sigmoid(x), written with `Var` operations in its
    /// /// backward so that it can be differentiated twice.
    /// fn swish(x: &Var<f64>) -> Var<f64> {
    ///     let forward = || x.value().map(|v| v / (1.0 + (-v).exp()));
    ///     Var::from_op(&SWISH, &[x], forward, |_out, g, inputs| {
    ///         let s = inputs[0].sigmoid();
    ///         let ds = s.mul(&s.rsub_scalar(1.0));
    ///         vec![Some(g * &(&s + &(&inputs[0] * &ds)))]
    ///     })
    /// }
    ///
    /// let x = Tensor::from_vec(vec![-2.0, 0.5, 3.0], &[3]).unwrap();
    /// gradcheck(|v| swish(&v[0]), &[x], &Default::default()).unwrap();
    /// ```
    #[track_caller]
    pub fn from_op(
        def: &'static OpDef,
        inputs: &[&Var<T>],
        forward: impl FnOnce() -> Tensor<T>,
        backward: impl Fn(&Var<T>, &Var<T>, &[Var<T>]) -> Vec<Option<Var<T>>> + Send + Sync + 'static,
    ) -> Var<T> {
        let value = crate::profiler::time_forward(def, inputs, forward, |value| value);
        Self::record(def, inputs, value, backward, Location::caller())
    }

    /// [`from_op`](Self::from_op) for an operator whose backward rule needs
    /// something the forward computation found besides the value, as max
    /// pooling needs the positions of the maxima: `forward` returns the
    /// value and that `saved` state, and `backward(saved)` builds the rule
    /// (PyTorch's `ctx.save_for_backward`).
    #[track_caller]
    pub fn from_op_saving<S, B>(
        def: &'static OpDef,
        inputs: &[&Var<T>],
        forward: impl FnOnce() -> (Tensor<T>, S),
        backward: impl FnOnce(S) -> B,
    ) -> Var<T>
    where
        B: Fn(&Var<T>, &Var<T>, &[Var<T>]) -> Vec<Option<Var<T>>> + Send + Sync + 'static,
    {
        let (value, saved) = crate::profiler::time_forward(def, inputs, forward, |(value, _)| value);
        Self::record(def, inputs, value, backward(saved), Location::caller())
    }

    /// The common part of [`from_op`](Self::from_op) and
    /// [`from_op_saving`](Self::from_op_saving): builds the node.
    fn record(
        def: &'static OpDef,
        inputs: &[&Var<T>],
        value: Tensor<T>,
        backward: impl Fn(&Var<T>, &Var<T>, &[Var<T>]) -> Vec<Option<Var<T>>> + Send + Sync + 'static,
        location: &'static Location<'static>,
    ) -> Var<T> {
        if !is_grad_enabled() || !inputs.iter().any(|v| v.requires_grad()) {
            return Self::constant(value);
        }
        let inputs: Vec<Var<T>> = inputs.iter().map(|&v| v.clone()).collect();
        let captured = inputs.clone();
        let grad_fn = GradFn {
            def,
            inputs,
            backward: Box::new(move |out: &Var<T>, g: &Var<T>| backward(out, g, &captured)),
            location,
        };
        crate::anomaly::check_forward(def.name, location, &value, &grad_fn.inputs);
        Var { node: Arc::new(Node { id: next_id(), value, requires_grad: true, grad_fn: Some(grad_fn), name: None }) }
    }

    /// The current value.
    pub fn value(&self) -> &Tensor<T> {
        &self.node.value
    }

    /// The shape of the value.
    pub fn shape(&self) -> &[usize] {
        self.node.value.shape()
    }

    /// The single element of a one-element variable.
    #[track_caller]
    pub fn item(&self) -> T {
        self.node.value.item()
    }

    /// True when gradients flow into this variable.
    pub fn requires_grad(&self) -> bool {
        self.node.requires_grad
    }

    /// True for variables that were not produced by a recorded operation.
    pub fn is_leaf(&self) -> bool {
        self.node.grad_fn.is_none()
    }

    /// The stable identity used as the key of [`Gradients`](crate::Gradients).
    pub fn id(&self) -> u64 {
        self.node.id
    }

    /// The name given to a parameter, if any.
    pub fn name(&self) -> Option<&str> {
        self.node.name.as_deref()
    }

    /// The recorded operation's name (`None` for leaves).
    pub fn op_name(&self) -> Option<&'static str> {
        self.node.grad_fn.as_ref().map(|f| f.def.name)
    }

    /// The recorded operation's inputs (empty for leaves).
    pub fn inputs(&self) -> &[Var<T>] {
        self.node.grad_fn.as_ref().map(|f| &f.inputs[..]).unwrap_or(&[])
    }

    /// Where in the user's code the recorded operation was called.
    pub fn creation_site(&self) -> Option<&'static Location<'static>> {
        self.node.grad_fn.as_ref().map(|f| f.location)
    }

    /// The same value cut off from the graph: gradients stop here.
    pub fn detach(&self) -> Var<T> {
        Self::constant(self.node.value.clone())
    }

    /// Replaces a leaf's value through `f` (the optimizer step), keeping its
    /// identity and name. Updates in place when nothing else holds the node
    /// (the previous step's graph was dropped); otherwise the old graph keeps
    /// the old value and this handle gets a new node with the same id.
    #[track_caller]
    pub fn update(&mut self, f: impl FnOnce(&mut Tensor<T>)) {
        assert!(self.is_leaf(), "update: only leaf variables (parameters) can be updated in place");
        if let Some(node) = Arc::get_mut(&mut self.node) {
            f(&mut node.value);
            return;
        }
        let mut value = self.node.value.clone();
        f(&mut value);
        self.node = Arc::new(Node {
            id: self.node.id,
            value,
            requires_grad: self.node.requires_grad,
            grad_fn: None,
            name: self.node.name.clone(),
        });
    }

    /// Replaces a leaf's value, keeping its identity (for loading checkpoints).
    #[track_caller]
    pub fn set_value(&mut self, value: Tensor<T>) {
        assert_eq!(
            value.shape(),
            self.shape(),
            "set_value: new value has shape {:?}, the variable has shape {:?}",
            value.shape(),
            self.shape()
        );
        self.update(|v| *v = value);
    }
}

impl<T: Element> fmt::Debug for Var<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match (self.op_name(), self.name()) {
            (Some(op), _) => format!("op={op}"),
            (None, Some(name)) => format!("parameter={name}"),
            (None, None) => "leaf".to_string(),
        };
        write!(f, "Var(id={}, {kind}, requires_grad={}, value={:?})", self.id(), self.requires_grad(), self.value())
    }
}
