//! The [`Optimizer`] trait, weight decay, and exportable optimizer state.

use sinapse_autograd::{Gradients, Var};
use sinapse_nn::{is_bias, Checkpoint, Module};
use sinapse_tensor::{Element, Tensor};
use std::collections::BTreeMap;
use thiserror::Error;

/// An update rule `theta <- theta - lr * d(g, state)` applied to a model's
/// parameters after each backward pass.
///
/// ```
/// use sinapse_nn::prelude::*;
/// use sinapse_optim::{Optimizer, Sgd};
/// use sinapse_tensor::{seeded_rng, Tensor};
/// let mut model = Sequential::<f32>::new().add(Linear::new(4, 2, &mut seeded_rng(0)));
/// let mut opt = Sgd::new(0.1);
/// let x = Var::constant(Tensor::ones(&[3, 4]));
/// let loss = mse(&model.forward(&x), &Tensor::zeros(&[3, 2]), Reduction::Mean);
/// let grads = loss.backward();
/// opt.step(&mut model, &grads);
/// ```
pub trait Optimizer<T: Element>: Send {
    /// Updates each parameter that has a gradient in `grads` (parameters
    /// without one are skipped). `params` are `(name, parameter)` pairs, as
    /// from [`Module::parameters_mut`]; the name keys the optimizer's state.
    fn step_params(&mut self, params: &mut [(String, &mut Var<T>)], grads: &Gradients<T>);

    /// Updates the parameters of `model`: `opt.step(&mut model, &grads)`.
    fn step(&mut self, model: &mut dyn Module<T>, grads: &Gradients<T>) {
        let mut params = model.parameters_mut();
        self.step_params(&mut params, grads);
    }

    /// The current learning rate.
    fn learning_rate(&self) -> f64;

    /// Sets the learning rate (what a schedule does each epoch or step).
    fn set_learning_rate(&mut self, lr: f64);

    /// Number of steps taken so far.
    fn steps(&self) -> u64;

    /// Everything needed to resume exactly: per-parameter buffers by name,
    /// the step count and the learning rate.
    fn state_dict(&self) -> OptimizerState<T>;

    /// Restores a state from [`state_dict`](Self::state_dict). Buffers are
    /// checked against the parameters' shapes at the next step.
    fn load_state_dict(&mut self, state: &OptimizerState<T>) -> Result<(), OptimizerStateError>;
}

/// A penalty on the size of the weights (biases are never decayed unless
/// asked; see [`is_bias`]).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum WeightDecay {
    /// No penalty.
    #[default]
    None,
    /// L2 regularization as the course defines it: the loss gets
    /// `lambda/2 * ||W||^2`, so the gradient gets `lambda * W` before the
    /// update rule (momentum and Adam's scaling then act on it too).
    L2(f64),
    /// Decoupled weight decay (Loshchilov & Hutter): `W <- W - lr * wd * W`
    /// applied beside the update rule, outside the gradient (AdamW).
    Decoupled(f64),
}

impl WeightDecay {
    /// `(l2_lambda, decoupled_wd)` for a parameter that is decayed.
    pub(crate) fn split(self) -> (f64, f64) {
        match self {
            WeightDecay::None => (0.0, 0.0),
            WeightDecay::L2(l) => (l, 0.0),
            WeightDecay::Decoupled(wd) => (0.0, wd),
        }
    }
}

/// Whether a decay applies to parameter `name` of value `p`: always for
/// weights, and for biases only when `decay_biases` is set.
pub(crate) fn decays<T: Element>(name: &str, p: &Var<T>, decay_biases: bool) -> bool {
    decay_biases || !is_bias(name, p.shape().len())
}

/// The gradient of `p` in `grads`, checked against `p`'s shape.
#[track_caller]
pub(crate) fn grad_of<'g, T: Element>(name: &str, p: &Var<T>, grads: &'g Gradients<T>) -> Option<&'g Tensor<T>> {
    let g = grads.get(p)?;
    assert_eq!(
        g.shape(),
        p.shape(),
        "optimizer: gradient of '{name}' has shape {:?}, parameter {:?}",
        g.shape(),
        p.shape()
    );
    Some(g)
}

/// An optimizer's resumable state: per-parameter buffers named
/// `<parameter>.<buffer>` (e.g. `0.weight.exp_avg`), the step count and the
/// learning rate.
#[derive(Clone, Debug, Default)]
pub struct OptimizerState<T: Element> {
    /// Steps taken.
    pub step: u64,
    /// Learning rate at the time of export.
    pub learning_rate: f64,
    /// Buffers by `<parameter>.<buffer>` name.
    pub tensors: BTreeMap<String, Tensor<T>>,
}

/// A state that does not fit the optimizer it is loaded into.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum OptimizerStateError {
    /// A buffer name that this optimizer does not use.
    #[error("optimizer state: unexpected buffer '{0}' (saved by another optimizer or configuration?)")]
    UnexpectedBuffer(String),
    /// A scalar missing from a checkpoint's metadata.
    #[error("optimizer state: checkpoint metadata lacks '{0}'")]
    MissingScalar(String),
    /// A scalar that does not parse.
    #[error("optimizer state: metadata '{key}' = '{value}' is not a number")]
    BadScalar {
        /// Metadata key.
        key: String,
        /// Its text.
        value: String,
    },
}

impl<T: Element> OptimizerState<T> {
    /// Stores the state in `ckpt`: buffers as tensors named `prefix + name`,
    /// step and learning rate as metadata `prefix + "step"` and
    /// `prefix + "learning_rate"` (exact decimal round trip).
    pub fn save_to(&self, ckpt: &mut Checkpoint<T>, prefix: &str) {
        ckpt.insert_prefixed(prefix, self.tensors.iter().map(|(k, v)| (k.clone(), v.clone())));
        ckpt.metadata.insert(format!("{prefix}step"), self.step.to_string());
        ckpt.metadata.insert(format!("{prefix}learning_rate"), format!("{:?}", self.learning_rate));
    }

    /// Reads a state stored by [`save_to`](Self::save_to) with the same prefix.
    pub fn from_checkpoint(ckpt: &Checkpoint<T>, prefix: &str) -> Result<Self, OptimizerStateError> {
        let scalar = |name: &str| {
            let key = format!("{prefix}{name}");
            let text = ckpt.metadata.get(&key).ok_or_else(|| OptimizerStateError::MissingScalar(key.clone()))?;
            Ok::<_, OptimizerStateError>((key, text.clone()))
        };
        let (key, text) = scalar("step")?;
        let step = text.parse().map_err(|_| OptimizerStateError::BadScalar { key, value: text.clone() })?;
        let (key, text) = scalar("learning_rate")?;
        let learning_rate = text.parse().map_err(|_| OptimizerStateError::BadScalar { key, value: text.clone() })?;
        Ok(OptimizerState { step, learning_rate, tensors: ckpt.prefixed(prefix) })
    }

    /// Splits `tensors` into per-buffer maps keyed by parameter name, for
    /// the buffer suffixes an optimizer uses; any other name is an error.
    pub(crate) fn buffers(&self, suffixes: &[&str]) -> Result<Vec<BTreeMap<String, Tensor<T>>>, OptimizerStateError> {
        let mut out = vec![BTreeMap::new(); suffixes.len()];
        for (name, t) in &self.tensors {
            let hit = suffixes.iter().enumerate().find_map(|(i, s)| {
                name.strip_suffix(s).and_then(|p| p.strip_suffix('.')).map(|param| (i, param.to_string()))
            });
            match hit {
                Some((i, param)) => {
                    out[i].insert(param, t.clone());
                }
                None => return Err(OptimizerStateError::UnexpectedBuffer(name.clone())),
            }
        }
        Ok(out)
    }
}

/// Per-parameter buffers as `(<param>.<suffix>, tensor)` pairs.
pub(crate) fn export_buffers<T: Element>(
    out: &mut BTreeMap<String, Tensor<T>>,
    suffix: &str,
    buffers: &BTreeMap<String, Tensor<T>>,
) {
    for (param, t) in buffers {
        out.insert(format!("{param}.{suffix}"), t.clone());
    }
}
