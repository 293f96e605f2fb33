//! # sinapse-autograd
//!
//! Reverse-mode automatic differentiation on a dynamic graph.
//!
//! Every operation on a [`Var`] computes its value immediately and records
//! its inputs and a backward closure written right next to the forward code
//! (see [`ops`]), under a descriptor, [`OpDef`], that names it.
//! [`Var::backward`] walks the recorded graph from a
//! scalar loss to the leaves in reverse topological order, without
//! recursion, and returns a [`Gradients`] map keyed by variable; parameters
//! stay owned by their modules (no `RefCell` webs, no global tape).
//!
//! Backward rules are themselves written with differentiable operations, so
//! asking for `create_graph` yields gradients that can be differentiated
//! again (second derivatives, Hessian-vector products).
//!
//! ```
//! use sinapse_autograd::{BackwardOptions, Var};
//! use sinapse_tensor::Tensor;
//!
//! // f(t) = t^3: f'(t) = 3t^2, f''(t) = 6t
//! let t = Var::new(Tensor::<f64>::scalar(2.0));
//! let f = t.powf(3.0);
//! let opts = BackwardOptions { create_graph: true, ..Default::default() };
//! let grads = f.backward_with_options(Tensor::scalar(1.0), &opts);
//! let df = grads.get_var(&t).unwrap().clone();
//! assert_eq!(df.item(), 12.0);
//! let d2f = df.backward();
//! assert_eq!(d2f.get(&t).unwrap().item(), 12.0);
//! ```

mod anomaly;
mod backward;
pub mod clock;
mod grad_mode;
mod gradcheck;
mod gradients;
mod inspect;
mod jacobian;
mod op_def;
pub mod ops;
pub mod profiler;
mod var;

pub use anomaly::{detect_anomaly, is_anomaly_enabled, AnomalyGuard};
pub use backward::BackwardOptions;
pub use grad_mode::{is_grad_enabled, no_grad, NoGradGuard};
pub use gradcheck::{gradcheck, gradgradcheck, GradcheckError, GradcheckOptions};
pub use gradients::Gradients;
pub use inspect::{
    dot_available, graph_nodes, graph_to_dot, render_dot, render_dot_with, DotOptions, ImageFormat, RenderError,
};
pub use jacobian::{hessian, jacobian};
pub use op_def::{Cost, OpCost, OpDef};
pub use profiler::{profile, ProfileReport, Profiler};
pub use var::Var;
