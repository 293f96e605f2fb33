//! Parameter groups: which penalty each parameter pays.
//!
//! The course puts its L2 term on the weights and not on the biases. Which
//! parameters are weights is the network's knowledge, not the optimizer's, so
//! the optimizer takes it as a group of names (PyTorch's parameter groups):
//! every parameter named in a [`ParamGroup`] gets that group's options, every
//! other one the optimizer's defaults.

use crate::WeightDecay;
use sinapse_autograd::Var;
use sinapse_tensor::Element;
use std::collections::BTreeSet;

/// Parameters, by the names the network gives them (`"0.weight"`), sharing
/// options that differ from the optimizer's defaults.
///
/// ```
/// use sinapse_optim::{Optimizer, ParamGroup, Sgd, WeightDecay};
/// // The course's L2 on the weights of a two-layer network, biases left out.
/// let weights = ParamGroup::new(["0.weight", "2.weight"]).weight_decay(WeightDecay::L2(1e-3));
/// let opt = Sgd::<f32>::new(0.1).group(weights);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ParamGroup {
    names: BTreeSet<String>,
    weight_decay: WeightDecay,
}

impl ParamGroup {
    /// A group of the parameters named `names`, with no weight decay until
    /// [`weight_decay`](Self::weight_decay) sets one.
    pub fn new(names: impl IntoIterator<Item = impl Into<String>>) -> Self {
        ParamGroup { names: names.into_iter().map(Into::into).collect(), weight_decay: WeightDecay::None }
    }

    /// Sets the group's weight decay: `L2(lambda)` adds `lambda p` to each
    /// gradient, `Decoupled(wd)` shrinks each parameter by `lr wd p`.
    pub fn weight_decay(mut self, weight_decay: WeightDecay) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    /// The names in the group.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    /// The group's weight decay.
    pub fn decay(&self) -> WeightDecay {
        self.weight_decay
    }
}

/// The optimizer's default options and its groups.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParamGroups {
    default_decay: WeightDecay,
    groups: Vec<ParamGroup>,
}

impl ParamGroups {
    /// Sets the weight decay of every parameter outside the groups.
    pub fn set_default_decay(&mut self, weight_decay: WeightDecay) {
        self.default_decay = weight_decay;
    }

    /// Adds a group.
    ///
    /// # Panics
    /// When a name is already in another group: a parameter has one set of
    /// options.
    #[track_caller]
    pub fn push(&mut self, group: ParamGroup) {
        for g in &self.groups {
            if let Some(name) = g.names.intersection(&group.names).next() {
                panic!("parameter groups: '{name}' is in two groups; a parameter belongs to at most one");
            }
        }
        self.groups.push(group);
    }

    /// The groups, in the order they were added.
    pub fn groups(&self) -> &[ParamGroup] {
        &self.groups
    }

    /// The weight decay of parameter `name`: its group's, else the default.
    pub fn decay_of(&self, name: &str) -> WeightDecay {
        self.groups.iter().find(|g| g.names.contains(name)).map_or(self.default_decay, |g| g.weight_decay)
    }

    /// Checks that every name in a group is one of `params`, so that a typo
    /// cannot silently leave a weight without its penalty.
    ///
    /// # Panics
    /// Naming the optimizer `op`, the unknown name and the parameters.
    #[track_caller]
    pub(crate) fn check<T: Element>(&self, op: &str, params: &[(String, &mut Var<T>)]) {
        for name in self.groups.iter().flat_map(|g| &g.names) {
            if !params.iter().any(|(n, _)| n == name) {
                let known: Vec<&str> = params.iter().map(|(n, _)| n.as_str()).collect();
                panic!("{op}: parameter group names '{name}', which is not among the parameters {known:?}");
            }
        }
    }
}
