//! [`Input`] and [`Symbol`]: the placeholders a functional network is
//! written with.

use crate::{Activation, Module};
use sinapse_tensor::{seeded_rng, Element, SeededRng};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
use std::rc::Rc;

/// What a recorded node computes.
pub(crate) enum Kind<T: Element> {
    /// The network's input.
    Input,
    /// A layer, then an activation (`Identity` for none). `None` once a
    /// [`Graph`](super::Graph) has taken the layer.
    Layer { layer: Option<Box<dyn Module<T>>>, activation: Activation },
    /// The sum of two outputs of one shape.
    Add,
    /// Outputs joined along their last axis.
    Concat,
}

/// One recorded step: its name, what it computes, which nodes feed it and
/// the shape of its output (without the batch dimension).
pub(crate) struct Node<T: Element> {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) kind: Kind<T>,
    pub(crate) inputs: Vec<usize>,
    pub(crate) shape: Vec<usize>,
}

/// The nodes recorded so far from one [`Input`], the generator the layers
/// draw their initial weights from, and the names already given.
pub(crate) struct Recorder<T: Element> {
    pub(crate) nodes: Vec<Node<T>>,
    pub(crate) rng: SeededRng,
    names: HashMap<String, usize>,
}

impl<T: Element> Recorder<T> {
    /// Keras's naming: the first `dense`, then `dense_1`, `dense_2`, ...
    fn fresh_name(&mut self, base: &str) -> String {
        let count = self.names.entry(base.to_string()).or_insert(0);
        let name = if *count == 0 { base.to_string() } else { format!("{base}_{count}") };
        *count += 1;
        name
    }
}

/// The start of a functional network: Keras's `Input(shape=...)`.
///
/// `shape` leaves out the batch dimension: `&[784]` for flattened MNIST
/// images, `&[1, 28, 28]` for images with their channel.
pub struct Input<T: Element>(PhantomData<T>);

impl<T: Element> Input<T> {
    /// A new graph whose input has `shape`; its layers draw their initial
    /// weights from a generator seeded with 0.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(shape: &[usize]) -> Symbol<T> {
        Self::seeded(shape, 0)
    }

    /// The same, with the layers' initial weights drawn from a generator
    /// seeded with `seed` (in the order the layers are called).
    ///
    /// # Panics
    /// When `shape` is empty or has a zero.
    #[track_caller]
    pub fn seeded(shape: &[usize], seed: u64) -> Symbol<T> {
        assert!(
            !shape.is_empty() && !shape.contains(&0),
            "Input: shape {shape:?} must have at least one dimension and no zero (the batch dimension is left out)"
        );
        let mut recorder = Recorder { nodes: Vec::new(), rng: seeded_rng(seed), names: HashMap::new() };
        let name = recorder.fresh_name("input");
        recorder.nodes.push(Node {
            name,
            description: "Input".into(),
            kind: Kind::Input,
            inputs: Vec::new(),
            shape: shape.to_vec(),
        });
        Symbol { recorder: Rc::new(RefCell::new(recorder)), node: 0, shape: shape.to_vec() }
    }
}

/// A symbolic output: where a value will flow when the network runs, with
/// its shape (without the batch dimension) but no values. Made by [`Input`]
/// and by calling a [`Layer`](super::Layer) on another symbol.
pub struct Symbol<T: Element> {
    pub(crate) recorder: Rc<RefCell<Recorder<T>>>,
    pub(crate) node: usize,
    pub(crate) shape: Vec<usize>,
}

impl<T: Element> Clone for Symbol<T> {
    fn clone(&self) -> Self {
        Symbol { recorder: Rc::clone(&self.recorder), node: self.node, shape: self.shape.clone() }
    }
}

impl<T: Element> fmt::Debug for Symbol<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Symbol({}, shape [batch, {}])", self.name(), join(&self.shape))
    }
}

/// `28, 28` for `[28, 28]`.
pub(crate) fn join(shape: &[usize]) -> String {
    shape.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")
}

impl<T: Element> Symbol<T> {
    /// The shape of the values, without the batch dimension.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The name of the node that produces it (`input`, `dense_1`, ...),
    /// which prefixes its layer's parameter names.
    pub fn name(&self) -> String {
        self.recorder.borrow().nodes[self.node].name.clone()
    }

    /// Records a node fed by `inputs` (all from this symbol's graph) and
    /// returns its output symbol.
    #[track_caller]
    pub(crate) fn record(
        &self,
        base_name: &str,
        description: String,
        kind: Kind<T>,
        inputs: &[&Symbol<T>],
        shape: Vec<usize>,
    ) -> Symbol<T> {
        for s in inputs {
            assert!(
                Rc::ptr_eq(&s.recorder, &self.recorder),
                "{base_name}: {} and {} come from two different Inputs; a functional network has one Input",
                self.name(),
                s.name()
            );
        }
        let mut rec = self.recorder.borrow_mut();
        let name = rec.fresh_name(base_name);
        rec.nodes.push(Node {
            name,
            description,
            kind,
            inputs: inputs.iter().map(|s| s.node).collect(),
            shape: shape.clone(),
        });
        Symbol { recorder: Rc::clone(&self.recorder), node: rec.nodes.len() - 1, shape }
    }

    /// Runs `f` with the graph's generator (for a layer's initial weights).
    pub(crate) fn with_rng<R>(&self, f: impl FnOnce(&mut SeededRng) -> R) -> R {
        f(&mut self.recorder.borrow_mut().rng)
    }
}
