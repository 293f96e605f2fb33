//! [`Graph`]: the network a functional program describes, runnable as a
//! [`Module`].

use super::symbol::{join, Kind, Symbol};
use crate::{Activation, Module, Summary, SummaryRow};
use sinapse_autograd::Var;
use sinapse_tensor::Element;

/// One step of a built graph.
enum Step<T: Element> {
    Input,
    Layer(Box<dyn Module<T>>, Activation),
    Add,
    Concat,
}

struct GraphNode<T: Element> {
    name: String,
    description: String,
    step: Step<T>,
    /// Positions in `Graph::nodes` of the inputs, all earlier.
    inputs: Vec<usize>,
    shape: Vec<usize>,
}

/// A network of layers that may branch and join, built from an [`Input`]
/// and an output [`Symbol`] (Keras's `Model(inputs, outputs)`).
///
/// Nodes run in the order they were recorded, which puts every node after
/// its inputs. Parameters are named `<layer name>.<parameter>`
/// (`dense.weight`, `conv2d_1.bias`), as a PyTorch module names the layers
/// it holds as attributes.
///
/// [`Input`]: super::Input
pub struct Graph<T: Element> {
    nodes: Vec<GraphNode<T>>,
}

impl<T: Element> Graph<T> {
    /// The network from `inputs` to `outputs`: every layer `outputs`
    /// depends on, and no other.
    ///
    /// # Panics
    /// When `inputs` is not an [`Input`](super::Input), the two come from
    /// different inputs, or a layer on the way was already taken by another
    /// `Graph`.
    #[track_caller]
    pub fn new(inputs: &Symbol<T>, outputs: &Symbol<T>) -> Self {
        assert!(
            std::rc::Rc::ptr_eq(&inputs.recorder, &outputs.recorder),
            "Graph::new: {} does not come from the input {}",
            outputs.name(),
            inputs.name()
        );
        let mut rec = inputs.recorder.borrow_mut();
        assert!(
            matches!(rec.nodes[inputs.node].kind, Kind::Input),
            "Graph::new: inputs must be the Input itself, got {}",
            rec.nodes[inputs.node].name
        );
        // Mark what the output needs, walking back from it.
        let mut needed = vec![false; rec.nodes.len()];
        needed[outputs.node] = true;
        for i in (0..=outputs.node).rev() {
            if needed[i] {
                for &j in &rec.nodes[i].inputs {
                    needed[j] = true;
                }
            }
        }
        let mut position = vec![usize::MAX; rec.nodes.len()];
        let mut nodes = Vec::new();
        for (i, node) in rec.nodes.iter_mut().enumerate().filter(|(i, _)| needed[*i]) {
            let step = match &mut node.kind {
                Kind::Input => Step::Input,
                Kind::Add => Step::Add,
                Kind::Concat => Step::Concat,
                Kind::Layer { layer, activation } => {
                    let taken = layer
                        .take()
                        .unwrap_or_else(|| panic!("Graph::new: layer {} already belongs to another Graph", node.name));
                    Step::Layer(taken, *activation)
                }
            };
            position[i] = nodes.len();
            nodes.push(GraphNode {
                name: node.name.clone(),
                description: node.description.clone(),
                step,
                inputs: node.inputs.iter().map(|&j| position[j]).collect(),
                shape: node.shape.clone(),
            });
        }
        Graph { nodes }
    }

    /// The input's shape, without the batch dimension.
    pub fn input_shape(&self) -> &[usize] {
        &self.nodes[0].shape
    }

    fn layers(&self) -> impl Iterator<Item = (&str, &dyn Module<T>)> {
        self.nodes.iter().filter_map(|n| match &n.step {
            Step::Layer(layer, _) => Some((n.name.as_str(), layer.as_ref())),
            _ => None,
        })
    }

    #[track_caller]
    fn check_input(&self, input: &[usize]) {
        assert!(
            input.len() == self.input_shape().len() + 1 && input[1..] == *self.input_shape(),
            "Graph: input of shape {input:?} does not fit the Input [batch, {}]",
            join(self.input_shape())
        );
    }
}

impl<T: Element> Module<T> for Graph<T> {
    #[track_caller]
    fn forward(&self, x: &Var<T>) -> Var<T> {
        self.check_input(x.shape());
        let mut values: Vec<Var<T>> = Vec::with_capacity(self.nodes.len());
        for node in &self.nodes {
            let input = |k: usize| &values[node.inputs[k]];
            let y = match &node.step {
                Step::Input => x.clone(),
                Step::Layer(layer, activation) => activation.forward(&layer.forward(input(0))),
                Step::Add => input(0).add(input(1)),
                Step::Concat => {
                    let parts: Vec<&Var<T>> = node.inputs.iter().map(|&j| &values[j]).collect();
                    Var::cat(&parts, -1)
                }
            };
            values.push(y);
        }
        values.pop().expect("a graph has its input node")
    }

    fn describe(&self) -> String {
        format!("Graph({} layers)", self.layers().count())
    }

    #[track_caller]
    fn output_shape(&self, input: &[usize]) -> Vec<usize> {
        self.check_input(input);
        let mut shape = vec![input[0]];
        shape.extend_from_slice(&self.nodes.last().expect("a graph has its input node").shape);
        shape
    }

    fn parameters(&self) -> Vec<(String, &Var<T>)> {
        let mut out = Vec::new();
        for (name, layer) in self.layers() {
            out.extend(layer.parameters().into_iter().map(|(p, v)| (format!("{name}.{p}"), v)));
        }
        out
    }

    fn weights(&self) -> Vec<(String, &Var<T>)> {
        let mut out = Vec::new();
        for (name, layer) in self.layers() {
            out.extend(layer.weights().into_iter().map(|(p, v)| (format!("{name}.{p}"), v)));
        }
        out
    }

    fn parameters_mut(&mut self) -> Vec<(String, &mut Var<T>)> {
        let mut out = Vec::new();
        for node in &mut self.nodes {
            if let Step::Layer(layer, _) = &mut node.step {
                let name = &node.name;
                out.extend(layer.parameters_mut().into_iter().map(|(p, v)| (format!("{name}.{p}"), v)));
            }
        }
        out
    }

    fn set_training(&mut self, training: bool) {
        for node in &mut self.nodes {
            if let Step::Layer(layer, _) = &mut node.step {
                layer.set_training(training);
            }
        }
    }

    fn reseed(&mut self, seed: u64) {
        for (i, node) in self.nodes.iter_mut().enumerate() {
            if let Step::Layer(layer, _) = &mut node.step {
                layer.reseed(crate::sequential::child_seed(seed, i));
            }
        }
    }

    /// One row per node, the input included, as Keras lists a functional
    /// model.
    fn summary(&self, input: &[usize]) -> Summary {
        self.check_input(input);
        let rows = self
            .nodes
            .iter()
            .map(|n| {
                let mut output_shape = vec![input[0]];
                output_shape.extend_from_slice(&n.shape);
                let parameters = match &n.step {
                    Step::Layer(layer, _) => layer.num_parameters(),
                    _ => 0,
                };
                SummaryRow { name: n.name.clone(), description: n.description.clone(), output_shape, parameters }
            })
            .collect();
        Summary { input_shape: input.to_vec(), rows }
    }
}
