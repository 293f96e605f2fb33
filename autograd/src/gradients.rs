//! The result of a backward pass: gradients keyed by variable.

use crate::var::Var;
use sinapse_tensor::{Element, Tensor};
use std::collections::HashMap;

/// `dL/dv` for the variables a backward pass reached, keyed by [`Var::id`].
///
/// Parameters stay owned by their modules; the optimizer looks up each
/// parameter's gradient here. With `create_graph`, the gradients are
/// themselves differentiable variables ([`Gradients::get_var`]).
pub struct Gradients<T: Element> {
    grads: HashMap<u64, Var<T>>,
}

impl<T: Element> Default for Gradients<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Element> Gradients<T> {
    /// An empty map.
    pub fn new() -> Self {
        Gradients { grads: HashMap::new() }
    }

    pub(crate) fn insert(&mut self, v: &Var<T>, g: Var<T>) {
        self.grads.insert(v.id(), g);
    }

    /// The gradient of `v`'s value, if the pass reached it.
    pub fn get(&self, v: &Var<T>) -> Option<&Tensor<T>> {
        self.grads.get(&v.id()).map(|g| g.value())
    }

    /// Sets the gradient of `v` to `g`, replacing any held (e.g. after the
    /// gradients of several processes were summed into one buffer).
    ///
    /// # Panics
    /// When `g`'s shape is not `v`'s.
    #[track_caller]
    pub fn set(&mut self, v: &Var<T>, g: Tensor<T>) {
        assert_eq!(
            g.shape(),
            v.shape(),
            "Gradients::set: a gradient of shape {:?} for a variable of shape {:?}",
            g.shape(),
            v.shape()
        );
        self.grads.insert(v.id(), Var::constant(g));
    }

    /// The gradient as a variable (differentiable when the pass ran with
    /// `create_graph`).
    pub fn get_var(&self, v: &Var<T>) -> Option<&Var<T>> {
        self.grads.get(&v.id())
    }

    /// The gradient for a variable id.
    pub fn get_by_id(&self, id: u64) -> Option<&Tensor<T>> {
        self.grads.get(&id).map(|g| g.value())
    }

    /// Removes and returns the gradient of `v`.
    pub fn remove(&mut self, v: &Var<T>) -> Option<Tensor<T>> {
        self.grads.remove(&v.id()).map(|g| g.value().clone())
    }

    /// Every `(variable id, gradient)` pair, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &Tensor<T>)> {
        self.grads.iter().map(|(id, g)| (*id, g.value()))
    }

    /// Number of gradients held.
    pub fn len(&self) -> usize {
        self.grads.len()
    }

    /// True when no gradient is held.
    pub fn is_empty(&self) -> bool {
        self.grads.is_empty()
    }

    /// Adds `other`'s gradients into this map (used to accumulate gradients
    /// over several chunks of a batch before one update).
    pub fn accumulate(&mut self, other: Gradients<T>) {
        for (id, g) in other.grads {
            match self.grads.remove(&id) {
                Some(prev) => {
                    let sum = prev.value().add(g.value());
                    self.grads.insert(id, Var::constant(sum));
                }
                None => {
                    self.grads.insert(id, g);
                }
            }
        }
    }

    /// Multiplies every gradient by `s` (e.g. to average accumulated chunks).
    pub fn scale(&mut self, s: T) {
        for g in self.grads.values_mut() {
            *g = Var::constant(g.value().mul_scalar(s));
        }
    }
}
