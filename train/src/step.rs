//! `opt.step(&mut model, &grads)`: an optimizer applied to a whole network.

use sinapse_autograd::Gradients;
use sinapse_nn::Module;
use sinapse_optim::Optimizer;
use sinapse_tensor::Element;

/// Steps an [`Optimizer`] over every parameter of a [`Module`], the call a
/// hand-written training loop makes after each backward pass.
///
/// The optimizer crate knows parameters, not layers; this trait joins the
/// two, for every optimizer.
///
/// ```
/// use sinapse_nn::prelude::*;
/// use sinapse_optim::Sgd;
/// use sinapse_tensor::{seeded_rng, Tensor};
/// use sinapse_train::StepModule;
/// let mut model = Sequential::<f32>::new().add(Linear::new(4, 2, &mut seeded_rng(0)));
/// let mut opt = Sgd::new(0.1);
/// let x = Var::constant(Tensor::ones(&[3, 4]));
/// let loss = mse(&model.forward(&x), &Tensor::zeros(&[3, 2]), Reduction::Mean);
/// let grads = loss.backward();
/// opt.step(&mut model, &grads);
/// ```
pub trait StepModule<T: Element> {
    /// Updates the parameters of `model` from `grads`:
    /// `opt.step_params(&mut model.parameters_mut(), grads)`.
    fn step(&mut self, model: &mut dyn Module<T>, grads: &Gradients<T>);
}

impl<T: Element, O: Optimizer<T> + ?Sized> StepModule<T> for O {
    fn step(&mut self, model: &mut dyn Module<T>, grads: &Gradients<T>) {
        self.step_params(&mut model.parameters_mut(), grads);
    }
}
