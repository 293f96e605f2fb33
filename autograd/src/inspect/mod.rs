//! Looking at a computation graph: DOT text for Graphviz, and pictures
//! rendered from it.
//!
//! ```
//! use sinapse_autograd::{DotOptions, Var};
//! use sinapse_tensor::Tensor;
//! let w = Var::parameter(Tensor::<f64>::from_vec(vec![1.0, -2.0], &[2]).unwrap(), "w");
//! let loss = w.square().sum_all();
//! let grads = loss.clone().backward();
//! let dot = loss.to_dot(&DotOptions { values: true, gradients: Some(&grads), ..Default::default() });
//! // render_dot(&dot, Path::new("loss.svg"), ImageFormat::Svg) draws it when Graphviz is installed.
//! // dL/dw = 2w = [2, -4]: min / mean / max
//! assert!(dot.contains("grad -4 / -1 / 2"));
//! ```

mod dot;
mod render;

pub use dot::{graph_nodes, graph_to_dot, DotOptions};
pub use render::{dot_available, render_dot, render_dot_with, ImageFormat, RenderError};
