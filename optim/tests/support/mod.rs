//! Small networks written with `Var` alone: the optimizers take named
//! parameters, not layers, so their tests need no layer crate.

#![allow(dead_code)] // each test file uses part of it

use sinapse_autograd::Var;
use sinapse_tensor::{seeded_rng, Element, Tensor};
use std::collections::BTreeMap;

/// `y = x W^T + b`, with parameters named `weight` and `bias`.
pub struct Dense<T: Element> {
    weight: Var<T>,
    bias: Var<T>,
}

impl<T: Element> Dense<T> {
    /// A layer with the given weight `[out, in]` and bias `[out]`.
    pub fn from_parts(weight: Tensor<T>, bias: Tensor<T>) -> Self {
        Dense { weight: Var::parameter(weight, "weight"), bias: Var::parameter(bias, "bias") }
    }

    /// Weights drawn from `U(-1/sqrt(in), 1/sqrt(in))` with `seed`, bias 0.
    pub fn random(inputs: usize, outputs: usize, seed: u64) -> Self {
        let limit = T::from_f64_lossy(1.0 / (inputs as f64).sqrt());
        let w = Tensor::rand_uniform(&[outputs, inputs], -limit, limit, &mut seeded_rng(seed));
        Self::from_parts(w, Tensor::zeros(&[outputs]))
    }

    /// The weight.
    pub fn weight(&self) -> &Var<T> {
        &self.weight
    }

    /// The bias.
    pub fn bias(&self) -> &Var<T> {
        &self.bias
    }

    /// `x W^T + b`.
    pub fn forward(&self, x: &Var<T>) -> Var<T> {
        x.matmul(&self.weight.t()).add(&self.bias)
    }

    /// `(weight, bias)`, named.
    pub fn parameters(&self) -> Vec<(String, &Var<T>)> {
        vec![("weight".into(), &self.weight), ("bias".into(), &self.bias)]
    }

    /// The same, mutably: what an optimizer steps.
    pub fn parameters_mut(&mut self) -> Vec<(String, &mut Var<T>)> {
        vec![("weight".into(), &mut self.weight), ("bias".into(), &mut self.bias)]
    }
}

/// Two dense layers with an activation between, its parameters named as a
/// PyTorch `Sequential(Linear, act, Linear)` names them: `0.weight`,
/// `0.bias`, `2.weight`, `2.bias`.
pub struct Mlp<T: Element> {
    first: Dense<T>,
    second: Dense<T>,
    activation: fn(&Var<T>) -> Var<T>,
}

impl<T: Element> Mlp<T> {
    /// `inputs -> hidden (activation) -> outputs`, weights from `seed`.
    pub fn new(inputs: usize, hidden: usize, outputs: usize, activation: fn(&Var<T>) -> Var<T>, seed: u64) -> Self {
        Mlp {
            first: Dense::random(inputs, hidden, seed),
            second: Dense::random(hidden, outputs, seed.wrapping_add(1)),
            activation,
        }
    }

    /// The network's output.
    pub fn forward(&self, x: &Var<T>) -> Var<T> {
        self.second.forward(&(self.activation)(&self.first.forward(x)))
    }

    /// Every parameter, named.
    pub fn parameters(&self) -> Vec<(String, &Var<T>)> {
        let mut out: Vec<(String, &Var<T>)> =
            self.first.parameters().into_iter().map(|(n, p)| (format!("0.{n}"), p)).collect();
        out.extend(self.second.parameters().into_iter().map(|(n, p)| (format!("2.{n}"), p)));
        out
    }

    /// The same, mutably.
    pub fn parameters_mut(&mut self) -> Vec<(String, &mut Var<T>)> {
        let mut out: Vec<(String, &mut Var<T>)> =
            self.first.parameters_mut().into_iter().map(|(n, p)| (format!("0.{n}"), p)).collect();
        out.extend(self.second.parameters_mut().into_iter().map(|(n, p)| (format!("2.{n}"), p)));
        out
    }

    /// The weights alone (what the course's L2 term covers).
    pub fn weights(&self) -> Vec<(String, &Var<T>)> {
        self.parameters().into_iter().filter(|(n, _)| n.ends_with("weight")).collect()
    }

    /// Their names.
    pub fn weight_names(&self) -> Vec<String> {
        self.weights().into_iter().map(|(n, _)| n).collect()
    }

    /// The parameters' values by name.
    pub fn state_dict(&self) -> BTreeMap<String, Tensor<T>> {
        self.parameters().into_iter().map(|(n, p)| (n, p.value().clone())).collect()
    }

    /// Sets every parameter from `state`.
    pub fn load_state_dict(&mut self, state: &BTreeMap<String, Tensor<T>>) {
        for (name, p) in self.parameters_mut() {
            p.set_value(state[&name].clone());
        }
    }
}

/// The mean squared error `mean((out - y)^2)`.
pub fn mse<T: Element>(out: &Var<T>, y: &Tensor<T>) -> Var<T> {
    out.sub(&Var::constant(y.clone())).square().mean_all()
}
