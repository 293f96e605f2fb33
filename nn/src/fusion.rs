//! The fused paths of a [`Sequential`](crate::Sequential) and of a
//! functional [`Graph`](crate::functional::Graph), planned from the layers'
//! types when they are added or the graph is built, so that no layer has to
//! know about fusion.
//!
//! Two stretches of layers run as one operation, with the same values and
//! gradients, bit for bit, as the layers one by one (`nn/tests/models.rs`
//! checks both):
//! - `Conv2d, ReLU, MaxPool2d`: [`Var::conv2d_relu_max_pool2d`] pools each
//!   image's convolution as it is computed, without storing the ReLU's
//!   output, the largest tensor of the course CNN's step;
//! - `ReLU, MaxPool2d` after any other layer: [`Var::relu_max_pool2d`].

use crate::{Activation, Conv2d, MaxPool2d, Module, ReLU};
use sinapse_autograd::Var;
use sinapse_tensor::Element;
use std::any::Any;

/// How a stretch of layers runs, starting at layer `at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Layer `at` alone.
    One { at: usize },
    /// Layers `at` (ReLU) and `at + 1` (max pooling) as one operation.
    ReluMaxPool { at: usize },
    /// Layers `at` (convolution), `at + 1` (ReLU) and `at + 2` (max pooling).
    ConvReluMaxPool { at: usize },
}

/// The concrete layer behind `layer`, looking through boxes.
fn concrete<T: Element>(layer: &dyn Module<T>) -> &dyn Module<T> {
    match (layer as &dyn Any).downcast_ref::<Box<dyn Module<T>>>() {
        Some(inner) => concrete(inner.as_ref()),
        None => layer,
    }
}

pub(crate) fn is_relu<T: Element>(layer: &dyn Module<T>) -> bool {
    let any = concrete(layer) as &dyn Any;
    any.is::<ReLU>() || any.downcast_ref::<Activation>() == Some(&Activation::ReLU)
}

pub(crate) fn max_pool<T: Element>(layer: &dyn Module<T>) -> Option<&MaxPool2d> {
    (concrete(layer) as &dyn Any).downcast_ref::<MaxPool2d>()
}

pub(crate) fn conv<T: Element>(layer: &dyn Module<T>) -> Option<&Conv2d<T>> {
    (concrete(layer) as &dyn Any).downcast_ref::<Conv2d<T>>()
}

/// The steps that run `layers` in order, fusing where it can.
pub(crate) fn plan<T: Element>(layers: &[Box<dyn Module<T>>]) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut at = 0;
    while at < layers.len() {
        let layer = |k: usize| layers.get(at + k).map(|l| l.as_ref());
        let relu_pool_from = |k: usize| layer(k).is_some_and(is_relu) && layer(k + 1).and_then(max_pool).is_some();
        let (step, len) = if layer(0).and_then(conv).is_some() && relu_pool_from(1) {
            (Step::ConvReluMaxPool { at }, 3)
        } else if relu_pool_from(0) {
            (Step::ReluMaxPool { at }, 2)
        } else {
            (Step::One { at }, 1)
        };
        steps.push(step);
        at += len;
    }
    steps
}

/// Runs one step of `plan` on `x`.
pub(crate) fn run<T: Element>(layers: &[Box<dyn Module<T>>], step: Step, x: &Var<T>) -> Var<T> {
    let pool = |at: usize| max_pool(layers[at].as_ref()).expect("planned on a max pooling layer");
    match step {
        Step::One { at } => layers[at].forward(x),
        Step::ReluMaxPool { at } => pool(at + 1).forward_after_relu(x),
        Step::ConvReluMaxPool { at } => {
            let conv = conv(layers[at].as_ref()).expect("planned on a convolution");
            conv.forward_relu_max_pool(x, pool(at + 2).params())
        }
    }
}
