//! [`Graph`]: the network a functional program describes, runnable as a
//! [`Module`].

use super::symbol::{join, Kind, Symbol};
use crate::fusion;
use crate::{Activation, Buffer, Module, Summary, SummaryRow};
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
    /// How `forward` computes each node, fused where it can (see
    /// `nn/src/fusion.rs`); made once, in `new`.
    plan: Vec<Run>,
}

/// How `forward` computes one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Run {
    /// On its own.
    Alone,
    /// Not at all: its only reader computes it as part of a fused step.
    Skipped,
    /// A max pooling of `relu(conv(x))`, `conv` being the convolution's node
    /// and `x` its input, in one pass.
    ConvReluMaxPool { conv: usize },
    /// A max pooling of `relu(pre)`, `pre` being the output of node `relu`
    /// before its ReLU (the input of a ReLU layer, or a layer's output
    /// before its ReLU activation).
    ReluMaxPool { relu: usize },
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
        let plan = fusion_plan(&nodes);
        Graph { nodes, plan }
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
        let mut values: Vec<Option<Var<T>>> = Vec::with_capacity(self.nodes.len());
        for (node, run) in self.nodes.iter().zip(&self.plan) {
            let value = |j: usize| values[j].as_ref().expect("a node runs after its inputs, which are not skipped");
            let y = match (run, &node.step) {
                (Run::Skipped, _) => None,
                (Run::ConvReluMaxPool { conv }, Step::Layer(pool, _)) => {
                    let conv_node = &self.nodes[*conv];
                    let Step::Layer(layer, _) = &conv_node.step else { unreachable!("planned on a layer") };
                    let conv = fusion::conv(layer.as_ref()).expect("planned on a convolution");
                    let pool = fusion::max_pool(pool.as_ref()).expect("planned on a max pooling");
                    Some(conv.forward_relu_max_pool(value(conv_node.inputs[0]), pool.params()))
                }
                (Run::ReluMaxPool { relu }, Step::Layer(pool, _)) => {
                    let relu_node = &self.nodes[*relu];
                    let input = value(relu_node.inputs[0]);
                    let pre = match &relu_node.step {
                        Step::Layer(layer, Activation::ReLU) => layer.forward(input),
                        _ => input.clone(),
                    };
                    Some(fusion::max_pool(pool.as_ref()).expect("planned on a max pooling").forward_after_relu(&pre))
                }
                (_, Step::Input) => Some(x.clone()),
                (_, Step::Layer(layer, activation)) => Some(activation.forward(&layer.forward(value(node.inputs[0])))),
                (_, Step::Add) => Some(value(node.inputs[0]).add(value(node.inputs[1]))),
                (_, Step::Concat) => {
                    let parts: Vec<&Var<T>> = node.inputs.iter().map(|&j| value(j)).collect();
                    Some(Var::cat(&parts, -1))
                }
            };
            values.push(y);
        }
        values.pop().flatten().expect("the output node is never skipped")
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

    fn buffers(&self) -> Vec<(String, &Buffer<T>)> {
        let mut out = Vec::new();
        for (name, layer) in self.layers() {
            out.extend(layer.buffers().into_iter().map(|(b, v)| (format!("{name}.{b}"), v)));
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

/// Finds the stretches `forward` runs as one operation: a max pooling whose
/// input is a ReLU, or a convolution's ReLU, that nothing else reads.
fn fusion_plan<T: Element>(nodes: &[GraphNode<T>]) -> Vec<Run> {
    let mut readers = vec![0usize; nodes.len()];
    for node in nodes {
        for &j in &node.inputs {
            readers[j] += 1;
        }
    }
    let layer = |j: usize| match &nodes[j].step {
        Step::Layer(layer, activation) => Some((layer.as_ref(), *activation)),
        _ => None,
    };
    // Read by one node only: it can be folded into that reader.
    let private = |j: usize| readers[j] == 1;
    let mut plan = vec![Run::Alone; nodes.len()];
    for (k, node) in nodes.iter().enumerate() {
        let is_pool = layer(k).is_some_and(|(l, a)| a == Activation::Identity && fusion::max_pool(l).is_some());
        let Some(&j) = node.inputs.first().filter(|&&j| is_pool && private(j)) else { continue };
        let Some((relu_layer, activation)) = layer(j) else { continue };
        let is_conv = |l: &dyn Module<T>| fusion::conv(l).is_some();
        if activation == Activation::ReLU && is_conv(relu_layer) {
            // Conv(activation = ReLU), MaxPool2d.
            plan[j] = Run::Skipped;
            plan[k] = Run::ConvReluMaxPool { conv: j };
        } else if activation == Activation::Identity && fusion::is_relu(relu_layer) {
            let i = nodes[j].inputs[0];
            if private(i) && layer(i).is_some_and(|(l, a)| a == Activation::Identity && is_conv(l)) {
                // Conv, ReLU, MaxPool2d.
                plan[i] = Run::Skipped;
                plan[j] = Run::Skipped;
                plan[k] = Run::ConvReluMaxPool { conv: i };
            } else {
                // ReLU, MaxPool2d.
                plan[j] = Run::Skipped;
                plan[k] = Run::ReluMaxPool { relu: j };
            }
        } else if activation == Activation::ReLU {
            // A layer with a ReLU activation, MaxPool2d.
            plan[k] = Run::ReluMaxPool { relu: j };
            plan[j] = Run::Skipped;
        }
    }
    plan
}
