//! The [`Module`] trait: a differentiable function that owns its parameters.

use crate::{Summary, SummaryRow};
use sinapse_autograd::Var;
use sinapse_tensor::{Element, Pool2dParams};

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
/// threads. Checkpoint helpers (`save_parameters`, `load_parameters`,
/// `state_dict`) come from [`ModuleExt`](crate::ModuleExt), implemented for
/// every module.
pub trait Module<T: Element>: Send + Sync {
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

    /// True for an element-wise ReLU layer ([`ReLU`](crate::ReLU),
    /// [`Activation::ReLU`](crate::Activation::ReLU)). [`Sequential`](crate::Sequential)
    /// asks it to find a ReLU it can fuse with the layers around it (see
    /// [`forward_after_relu`](Self::forward_after_relu) and
    /// [`forward_relu_max_pool`](Self::forward_relu_max_pool)).
    fn is_relu(&self) -> bool {
        false
    }

    /// This layer applied to `relu(x)` as one fused operation, when the layer
    /// has one; `None` (the default) when it does not. The result must be
    /// bit-for-bit `self.forward(&x.relu())`, gradients included: only the
    /// memory traffic may change. [`MaxPool2d`](crate::MaxPool2d) has one
    /// (pooling the ReLU without storing it), which is what a `ReLU,
    /// MaxPool2d` pair runs when the layer before cannot join them (a
    /// `Conv2d` can: see [`forward_relu_max_pool`](Self::forward_relu_max_pool)).
    fn forward_after_relu(&self, _x: &Var<T>) -> Option<Var<T>> {
        None
    }

    /// The window of a max-pooling layer, `None` (the default) for any
    /// other: how [`Sequential`](crate::Sequential) recognizes the end of a
    /// `Conv2d, ReLU, MaxPool2d` block it can run as one operation (see
    /// [`forward_relu_max_pool`](Self::forward_relu_max_pool)).
    fn max_pool_params(&self) -> Option<Pool2dParams> {
        None
    }

    /// `max_pool(relu(self.forward(x)))` as one fused operation, when this
    /// layer has one; `None` (the default) when it does not. The result must
    /// be bit-for-bit that of the three layers run in turn, gradients
    /// included: only the memory traffic may change.
    /// [`Conv2d`](crate::Conv2d) has one (see
    /// [`Var::conv2d_relu_max_pool2d`]).
    fn forward_relu_max_pool(&self, _x: &Var<T>, _pool: Pool2dParams) -> Option<Var<T>> {
        None
    }

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

    fn set_training(&mut self, training: bool) {
        (**self).set_training(training)
    }

    fn reseed(&mut self, seed: u64) {
        (**self).reseed(seed)
    }

    fn is_relu(&self) -> bool {
        (**self).is_relu()
    }

    fn forward_after_relu(&self, x: &Var<T>) -> Option<Var<T>> {
        (**self).forward_after_relu(x)
    }

    fn max_pool_params(&self) -> Option<Pool2dParams> {
        (**self).max_pool_params()
    }

    fn forward_relu_max_pool(&self, x: &Var<T>, pool: Pool2dParams) -> Option<Var<T>> {
        (**self).forward_relu_max_pool(x, pool)
    }

    fn num_parameters(&self) -> usize {
        (**self).num_parameters()
    }

    fn summary(&self, input: &[usize]) -> Summary {
        (**self).summary(input)
    }
}
