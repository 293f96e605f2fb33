//! The [`Module`] trait: a differentiable function that owns its parameters.

use crate::{Buffer, Summary, SummaryRow};
use sinapse_autograd::Var;
use sinapse_tensor::Element;
use std::any::Any;

/// A layer or a whole model: `y = f(x; theta)`, where the parameters `theta`
/// are leaf variables owned by the module.
///
/// Parameters are listed in a stable order under PyTorch-style names
/// (`weight`, `bias` in a [`Linear`](crate::Linear); `0.weight`, `0.bias`,
/// `2.weight`, ... in a [`Sequential`](crate::Sequential)), so checkpoints
/// can be exchanged with PyTorch. Gradients are not stored here: a backward
/// pass returns them in a [`Gradients`](sinapse_autograd::Gradients) map keyed
/// by variable, and an optimizer updates the parameters through
/// [`parameters_mut`](Module::parameters_mut).
///
/// Modules are `Send + Sync`, so a model can be shared with evaluation
/// threads, and `'static` (`Any`), so that a container can recognize the
/// layers it knows how to run together (see [`Sequential`](crate::Sequential)). Checkpoint helpers (`save_parameters`, `load_parameters`,
/// `state_dict`) come from [`ModuleExt`](crate::ModuleExt), implemented for
/// every module.
pub trait Module<T: Element>: Any + Send + Sync {
    /// Applies the module to a batch: `y = f(x; theta)`.
    fn forward(&self, x: &Var<T>) -> Var<T>;

    /// One line naming the layer and its configuration, e.g.
    /// `Linear(784 -> 10)`, used in model summaries.
    fn describe(&self) -> String;

    /// The shape of `forward`'s output for an input of shape `input`
    /// (batch dimension included), without computing anything.
    ///
    /// # Panics
    /// When `input` is not a valid input shape for this module (the message
    /// names the layer and the shape).
    fn output_shape(&self, input: &[usize]) -> Vec<usize>;

    /// The parameters, in a stable order, with their PyTorch-style names.
    fn parameters(&self) -> Vec<(String, &Var<T>)> {
        Vec::new()
    }

    /// The parameters the course's L2 term `lambda/2 * ||W||^2` covers, with
    /// the names [`parameters`](Module::parameters) gives them: the weights,
    /// not the biases, which shift a unit without making the model more
    /// complex.
    ///
    /// By default every parameter; a layer with biases (or other parameters
    /// that regularization should leave alone) lists its weights alone.
    /// Optimizers take these names as a parameter group:
    /// `ParamGroup::new(model.weight_names()).weight_decay(WeightDecay::L2(lambda))`.
    fn weights(&self) -> Vec<(String, &Var<T>)> {
        self.parameters()
    }

    /// The parameters, mutably (for optimizers and checkpoint loading), in
    /// the same order and with the same names as [`parameters`](Module::parameters).
    fn parameters_mut(&mut self) -> Vec<(String, &mut Var<T>)> {
        Vec::new()
    }

    /// The buffers, state saved with the parameters but not trained by
    /// gradients (batch normalization's `running_mean`, `running_var` and
    /// `num_batches_tracked`), with PyTorch-style names, in a stable order.
    /// Checkpoints ([`ModuleExt::state_dict`](crate::ModuleExt::state_dict))
    /// hold them beside the parameters, so a resumed run continues with
    /// them. None by default.
    fn buffers(&self) -> Vec<(String, &Buffer<T>)> {
        Vec::new()
    }

    /// Switches between training mode (`true`, the default) and evaluation
    /// mode. Only layers that behave differently (dropout) care.
    fn set_training(&mut self, _training: bool) {}

    /// Restarts every random generator the module owns (dropout masks) from
    /// `seed`; containers give each child its own seed derived from `seed`
    /// and the child's position. Calling it at the start of each epoch with
    /// a seed made from the run's seed and the epoch number makes a run
    /// resumable exactly at epoch boundaries. Modules without randomness
    /// ignore it.
    fn reseed(&mut self, _seed: u64) {}

    /// Total number of scalar parameters: `sum over theta of numel(theta)`.
    fn num_parameters(&self) -> usize {
        self.parameters().iter().map(|(_, p)| p.value().numel()).sum()
    }

    /// A Keras-style table of layers, output shapes and parameter counts for
    /// an input of shape `input` (batch dimension included); print it with
    /// `{}`. One row for the module itself unless it holds layers
    /// ([`Sequential`](crate::Sequential), [`Graph`](crate::functional::Graph)).
    ///
    /// # Panics
    /// When `input` does not fit the module.
    fn summary(&self, input: &[usize]) -> Summary {
        Summary {
            input_shape: input.to_vec(),
            rows: vec![SummaryRow {
                name: "0".into(),
                description: self.describe(),
                output_shape: self.output_shape(input),
                parameters: self.num_parameters(),
            }],
        }
    }
}

impl<T: Element, M: Module<T> + ?Sized> Module<T> for Box<M> {
    fn forward(&self, x: &Var<T>) -> Var<T> {
        (**self).forward(x)
    }

    fn describe(&self) -> String {
        (**self).describe()
    }

    fn output_shape(&self, input: &[usize]) -> Vec<usize> {
        (**self).output_shape(input)
    }

    fn parameters(&self) -> Vec<(String, &Var<T>)> {
        (**self).parameters()
    }

    fn weights(&self) -> Vec<(String, &Var<T>)> {
        (**self).weights()
    }

    fn parameters_mut(&mut self) -> Vec<(String, &mut Var<T>)> {
        (**self).parameters_mut()
    }

    fn buffers(&self) -> Vec<(String, &Buffer<T>)> {
        (**self).buffers()
    }

    fn set_training(&mut self, training: bool) {
        (**self).set_training(training)
    }

    fn reseed(&mut self, seed: u64) {
        (**self).reseed(seed)
    }

    fn num_parameters(&self) -> usize {
        (**self).num_parameters()
    }

    fn summary(&self, input: &[usize]) -> Summary {
        (**self).summary(input)
    }
}
