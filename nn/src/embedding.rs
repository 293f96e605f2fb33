//! The embedding layer: a learned vector for each of `V` discrete ids.

use crate::{Init, Module};
use rand::Rng;
use sinapse_autograd::Var;
use sinapse_tensor::{Element, RowIndices, Tensor};
use std::sync::Arc;

/// A lookup table of `V` learned vectors of width `D` (PyTorch's
/// `Embedding`): `y[..., :] = weight[id, :]` for each integer id of the
/// input.
///
/// Reading row `id` is the product `onehot(id)ᵀ W` without forming the
/// one-hot vector. The gradient is that product's, `dW = Σ_i onehot(id_i) g_iᵀ`:
/// each output row's gradient added into the row it was read from, computed
/// by [`Var::scatter_add_rows`] in time proportional to the ids of the batch,
/// not to `V`. Rows no id of the batch names get a zero gradient, so plain
/// SGD leaves them unchanged.
///
/// - `weight`: `[V, D]`, drawn from `N(0, 1)` as in PyTorch;
/// - input: ids of any shape `S`, either as [`RowIndices`] through
///   [`lookup`](Self::lookup) or as whole numbers in a tensor through
///   [`Module::forward`] (so the layer can start a [`Sequential`](crate::Sequential));
/// - output: `S ++ [D]`.
///
/// ```
/// use sinapse_nn::{Embedding, Module};
/// use sinapse_autograd::Var;
/// use sinapse_tensor::{seeded_rng, Tensor};
///
/// let words = Embedding::<f32>::new(1000, 8, &mut seeded_rng(0));
/// // Two sentences of three word ids each.
/// let ids = Var::constant(Tensor::from_vec(vec![4., 17., 4., 999., 0., 1.], &[2, 3]).unwrap());
/// assert_eq!(words.forward(&ids).shape(), &[2, 3, 8]);
/// ```
pub struct Embedding<T: Element> {
    weight: Var<T>,
}

impl<T: Element> Embedding<T> {
    /// A table of `num_embeddings` vectors of width `embedding_dim`, each
    /// element drawn from `N(0, 1)`.
    ///
    /// # Panics
    /// When a size is 0.
    #[track_caller]
    pub fn new<R: Rng + ?Sized>(num_embeddings: usize, embedding_dim: usize, rng: &mut R) -> Self {
        assert!(
            num_embeddings > 0 && embedding_dim > 0,
            "Embedding: {num_embeddings} vectors of width {embedding_dim}: both must be non-zero"
        );
        let weight = Init::Normal { mean: 0.0, std: 1.0 }.tensor(&[num_embeddings, embedding_dim], rng);
        Embedding::from_pretrained(weight)
    }

    /// A layer whose table is `weight`, `[V, D]` (trained further; wrap the
    /// lookups in [`no_grad`](sinapse_autograd::no_grad) or leave `weight`
    /// out of the optimizer to keep it fixed).
    ///
    /// # Panics
    /// When `weight` is not 2-D.
    #[track_caller]
    pub fn from_pretrained(weight: Tensor<T>) -> Self {
        assert!(weight.ndim() == 2, "Embedding: the table must be [V, D], got {:?}", weight.shape());
        Embedding { weight: Var::parameter(weight, "weight") }
    }

    /// The table, `[V, D]`.
    pub fn weight(&self) -> &Var<T> {
        &self.weight
    }

    /// The vectors of `ids`: `S ++ [D]` for ids of shape `S`.
    ///
    /// # Panics
    /// When an id is `V` or more (the message names `take_rows`, the id and
    /// the table's shape).
    #[track_caller]
    pub fn lookup(&self, ids: &Arc<RowIndices>) -> Var<T> {
        self.weight.take_rows(ids)
    }
}

impl<T: Element> Module<T> for Embedding<T> {
    /// Looks up the ids held in `x` as whole numbers (`x` itself is not
    /// differentiated: ids have no gradient).
    ///
    /// # Panics
    /// When a value of `x` is not a whole number from 0 to `V - 1` (the
    /// message names the layer, the value and its position).
    #[track_caller]
    fn forward(&self, x: &Var<T>) -> Var<T> {
        let ids = RowIndices::from_tensor(x.value()).unwrap_or_else(|e| {
            panic!("{}: input of shape {:?}: {e}", self.describe(), x.shape());
        });
        self.lookup(&Arc::new(ids))
    }

    fn describe(&self) -> String {
        let s = self.weight.shape();
        format!("Embedding({} ids -> {})", s[0], s[1])
    }

    fn output_shape(&self, input: &[usize]) -> Vec<usize> {
        let mut shape = input.to_vec();
        shape.push(self.weight.shape()[1]);
        shape
    }

    fn parameters(&self) -> Vec<(String, &Var<T>)> {
        vec![("weight".to_string(), &self.weight)]
    }

    fn parameters_mut(&mut self) -> Vec<(String, &mut Var<T>)> {
        vec![("weight".to_string(), &mut self.weight)]
    }
}
