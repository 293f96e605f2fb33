//! The [`Optimizer`] trait, weight decay, and exportable optimizer state.

use crate::param_groups::{ParamGroup, ParamGroups};
use sinapse_autograd::{Gradients, Var};
use sinapse_tensor::{Element, Tensor};
use std::collections::BTreeMap;
use thiserror::Error;

/// An update rule `theta <- theta - lr * d(g, state)` applied to a network's
/// parameters after each backward pass.
///
/// Parameters come as `(name, parameter)` pairs, as a network's
/// `parameters_mut()` lists them; the name keys the optimizer's buffers and
/// its [`ParamGroup`]s. An implementation keeps a [`CoreState`] (learning
/// rate, step count, groups) and its own per-parameter buffers.
///
/// ```
/// use sinapse_autograd::Var;
/// use sinapse_optim::{Optimizer, Sgd};
/// use sinapse_tensor::Tensor;
/// // Minimise (w - 3)^2 by hand.
/// let mut w = Var::parameter(Tensor::<f64>::scalar(0.0), "w");
/// let mut opt = Sgd::new(0.1);
/// for _ in 0..100 {
///     let loss = w.add_scalar(-3.0).square();
///     let grads = loss.backward();
///     opt.step_params(&mut [("w".to_string(), &mut w)], &grads);
/// }
/// assert!((w.value().item() - 3.0).abs() < 1e-6);
/// ```
pub trait Optimizer<T: Element>: Send {
    /// Updates each parameter that has a gradient in `grads` (parameters
    /// without one are skipped) and counts one step.
    ///
    /// # Panics
    /// When a gradient's shape differs from its parameter's, or a group
    /// names a parameter that is not in `params`.
    fn step_params(&mut self, params: &mut [(String, &mut Var<T>)], grads: &Gradients<T>);

    /// The learning rate, step count and groups.
    fn core(&self) -> &CoreState;

    /// The same, to change.
    fn core_mut(&mut self) -> &mut CoreState;

    /// Per-parameter buffers, named `<parameter>.<buffer>`.
    fn buffers(&self) -> BTreeMap<String, Tensor<T>>;

    /// Replaces the buffers with ones from [`buffers`](Self::buffers).
    fn load_buffers(&mut self, buffers: &BTreeMap<String, Tensor<T>>) -> Result<(), OptimizerStateError>;

    /// One line naming the rule and its settings, e.g. `SGD, momentum
    /// Classic(0.9)`, for logs and for the record of a run.
    fn describe(&self) -> String {
        std::any::type_name::<Self>().to_string()
    }

    /// The current learning rate.
    fn learning_rate(&self) -> f64 {
        self.core().lr
    }

    /// Sets the learning rate (what a schedule does each epoch or step).
    fn set_learning_rate(&mut self, lr: f64) {
        self.core_mut().lr = lr;
    }

    /// Number of steps taken so far.
    fn steps(&self) -> u64 {
        self.core().step
    }

    /// Sets the weight decay of every parameter outside a [`ParamGroup`]
    /// (with no group, of every parameter, biases included).
    fn weight_decay(mut self, weight_decay: WeightDecay) -> Self
    where
        Self: Sized,
    {
        self.core_mut().groups.set_default_decay(weight_decay);
        self
    }

    /// Adds a parameter group with its own options.
    ///
    /// # Panics
    /// When one of its names is already in another group.
    #[track_caller]
    fn group(mut self, group: ParamGroup) -> Self
    where
        Self: Sized,
    {
        self.core_mut().groups.push(group);
        self
    }

    /// Everything needed to resume exactly: per-parameter buffers by name,
    /// the step count and the learning rate.
    fn state_dict(&self) -> OptimizerState<T> {
        OptimizerState { step: self.steps(), learning_rate: self.learning_rate(), tensors: self.buffers() }
    }

    /// Restores a state from [`state_dict`](Self::state_dict). Buffers are
    /// checked against the parameters' shapes at the next step.
    fn load_state_dict(&mut self, state: &OptimizerState<T>) -> Result<(), OptimizerStateError> {
        self.load_buffers(&state.tensors)?;
        let core = self.core_mut();
        core.step = state.step;
        core.lr = state.learning_rate;
        Ok(())
    }
}

/// What every optimizer keeps besides its buffers: the learning rate, the
/// number of steps taken and the parameter groups.
#[derive(Clone, Debug, PartialEq)]
pub struct CoreState {
    /// Learning rate of the next step.
    pub lr: f64,
    /// Steps taken.
    pub step: u64,
    /// Weight decay by parameter.
    pub groups: ParamGroups,
}

impl CoreState {
    /// Learning rate `lr`, no step taken, no weight decay.
    pub fn new(lr: f64) -> Self {
        CoreState { lr, step: 0, groups: ParamGroups::default() }
    }

    /// Counts a step and checks the groups against `params`; returns the
    /// learning rate of the step. `op` names the optimizer in messages.
    #[track_caller]
    pub fn begin_step<T: Element>(&mut self, op: &str, params: &[(String, &mut Var<T>)]) -> f64 {
        self.groups.check(op, params);
        self.step += 1;
        self.lr
    }

    /// `(l2_lambda, decoupled_wd)` of parameter `name`.
    pub fn decay_of(&self, name: &str) -> (f64, f64) {
        self.groups.decay_of(name).split()
    }
}

/// A penalty on the size of the weights. Which parameters pay it is set by
/// [`ParamGroup`]s.
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
    /// `(l2_lambda, decoupled_wd)`.
    pub(crate) fn split(self) -> (f64, f64) {
        match self {
            WeightDecay::None => (0.0, 0.0),
            WeightDecay::L2(l) => (l, 0.0),
            WeightDecay::Decoupled(wd) => (0.0, wd),
        }
    }
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
    /// Stores the state in two plain maps, as a checkpoint holds them:
    /// buffers as tensors named `prefix + name`, step and learning rate as
    /// text `prefix + "step"` and `prefix + "learning_rate"` (exact decimal
    /// round trip).
    pub fn save_to(
        &self,
        tensors: &mut BTreeMap<String, Tensor<T>>,
        metadata: &mut BTreeMap<String, String>,
        prefix: &str,
    ) {
        tensors.extend(self.tensors.iter().map(|(k, v)| (format!("{prefix}{k}"), v.clone())));
        metadata.insert(format!("{prefix}step"), self.step.to_string());
        metadata.insert(format!("{prefix}learning_rate"), format!("{:?}", self.learning_rate));
    }

    /// Reads a state stored by [`save_to`](Self::save_to) with the same prefix.
    pub fn load_from(
        tensors: &BTreeMap<String, Tensor<T>>,
        metadata: &BTreeMap<String, String>,
        prefix: &str,
    ) -> Result<Self, OptimizerStateError> {
        let scalar = |name: &str| {
            let key = format!("{prefix}{name}");
            let text = metadata.get(&key).ok_or_else(|| OptimizerStateError::MissingScalar(key.clone()))?;
            Ok::<_, OptimizerStateError>((key, text.clone()))
        };
        let (key, text) = scalar("step")?;
        let step = text.parse().map_err(|_| OptimizerStateError::BadScalar { key, value: text.clone() })?;
        let (key, text) = scalar("learning_rate")?;
        let learning_rate = text.parse().map_err(|_| OptimizerStateError::BadScalar { key, value: text.clone() })?;
        let tensors = tensors
            .iter()
            .filter_map(|(name, t)| name.strip_prefix(prefix).map(|rest| (rest.to_string(), t.clone())))
            .collect();
        Ok(OptimizerState { step, learning_rate, tensors })
    }

    /// Splits `tensors` into per-buffer maps keyed by parameter name, for
    /// the buffer suffixes an optimizer uses; any other name is an error.
    pub(crate) fn split_buffers(
        tensors: &BTreeMap<String, Tensor<T>>,
        suffixes: &[&str],
    ) -> Result<Vec<BTreeMap<String, Tensor<T>>>, OptimizerStateError> {
        let mut out = vec![BTreeMap::new(); suffixes.len()];
        for (name, t) in tensors {
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

/// One buffer per parameter as a `<param>.<suffix>` map.
pub(crate) fn buffer_map<T: Element>(
    suffix: &str,
    buffers: &BTreeMap<String, Tensor<T>>,
) -> BTreeMap<String, Tensor<T>> {
    let mut out = BTreeMap::new();
    export_buffers(&mut out, suffix, buffers);
    out
}

/// The per-parameter buffers of an optimizer that keeps one, from a
/// `<param>.<suffix>` map.
pub(crate) fn single_buffer<T: Element>(
    buffers: &BTreeMap<String, Tensor<T>>,
    suffix: &str,
) -> Result<BTreeMap<String, Tensor<T>>, OptimizerStateError> {
    let [one]: [BTreeMap<String, Tensor<T>>; 1] =
        OptimizerState::split_buffers(buffers, &[suffix])?.try_into().expect("one map per suffix");
    Ok(one)
}
