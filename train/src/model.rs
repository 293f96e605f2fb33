//! [`Model`]: a network with its optimizer, loss and metrics, trained and
//! measured the Keras way.

use super::data::{BatchSource, TensorData};
use super::history::{Evaluation, History};
use super::metric::Metric;
use super::parallel::Parallel;
use super::run_info::RunInfo;
use sinapse_autograd::{no_grad, Var};
use sinapse_nn::functional::{Graph, Symbol};
use sinapse_nn::{Loss, Module, Sequential, Summary};
use sinapse_optim::Optimizer;
use sinapse_tensor::{Element, Tensor};
use std::collections::BTreeMap;

/// The network, kept as a [`Sequential`] when it is one (for its per-layer
/// summary).
pub(crate) enum Net<T: Element> {
    Sequential(Sequential<T>),
    Other(Box<dyn Module<T>>),
}

impl<T: Element> Net<T> {
    pub(crate) fn module(&self) -> &dyn Module<T> {
        match self {
            Net::Sequential(s) => s,
            Net::Other(m) => m.as_ref(),
        }
    }

    pub(crate) fn module_mut(&mut self) -> &mut dyn Module<T> {
        match self {
            Net::Sequential(s) => s,
            Net::Other(m) => m.as_mut(),
        }
    }
}

/// What `compile` fixed: how to update and what to measure.
pub(crate) struct Compiled<T: Element> {
    pub(crate) optimizer: Box<dyn Optimizer<T>>,
    pub(crate) loss: Loss,
    pub(crate) metrics: Vec<Metric>,
    /// The optimizer's learning rate at `compile`, the base of schedules.
    pub(crate) base_lr: f64,
}

impl<T: Element> Compiled<T> {
    /// Whether a single output column holds logits (for binary accuracy).
    pub(crate) fn logits(&self) -> bool {
        matches!(self.loss, Loss::BinaryCrossEntropyWithLogits)
    }
}

/// Running sums of loss and metrics over the examples seen so far.
pub(crate) struct Tally {
    pub(crate) loss_sum: f64,
    pub(crate) metric_sums: Vec<f64>,
    pub(crate) examples: usize,
}

impl Tally {
    pub(crate) fn new(metrics: usize) -> Self {
        Tally { loss_sum: 0.0, metric_sums: vec![0.0; metrics], examples: 0 }
    }

    /// Adds one batch: its mean loss and its outputs against its targets.
    pub(crate) fn add<T: Element>(&mut self, mean_loss: f64, output: &Tensor<T>, target: &Tensor<T>, c: &Compiled<T>) {
        let b = output.shape().first().copied().unwrap_or(1);
        self.loss_sum += mean_loss * b as f64;
        for (sum, m) in self.metric_sums.iter_mut().zip(&c.metrics) {
            *sum += m.correct(output, target, c.logits());
        }
        self.examples += b;
    }

    /// Adds the mean loss of `examples` examples whose metrics were added
    /// with [`add_metrics`](Self::add_metrics).
    pub(crate) fn add_loss(&mut self, mean_loss: f64, examples: usize) {
        self.loss_sum += mean_loss * examples as f64;
        self.examples += examples;
    }

    /// Adds metric sums only (the loss comes with [`add_loss`](Self::add_loss)).
    pub(crate) fn add_metrics<T: Element>(&mut self, output: &Tensor<T>, target: &Tensor<T>, c: &Compiled<T>) {
        for (sum, m) in self.metric_sums.iter_mut().zip(&c.metrics) {
            *sum += m.correct(output, target, c.logits());
        }
    }

    pub(crate) fn mean_loss(&self) -> f64 {
        self.loss_sum / self.examples.max(1) as f64
    }

    pub(crate) fn metrics(&self, metrics: &[Metric]) -> BTreeMap<String, f64> {
        let n = self.examples.max(1) as f64;
        metrics.iter().zip(&self.metric_sums).map(|(m, s)| (m.name().to_string(), s / n)).collect()
    }
}

/// A network together with the way it is trained, as in Keras:
/// `Model::new(net)`, [`compile`](Model::compile), [`fit`](Model::fit),
/// [`evaluate`](Model::evaluate), [`predict`](Model::predict),
/// [`summary`](Model::summary).
///
/// The model keeps the [`History`] of every epoch it was trained for, which
/// [`save_training_state`](Model::save_training_state) stores with the
/// parameters and the optimizer state so that a run can be continued
/// exactly.
///
/// ```
/// use sinapse_nn::prelude::*;
/// use sinapse_optim::Sgd;
/// use sinapse_train::{FitConfig, Metric, Model};
/// use sinapse_tensor::{seeded_rng, Tensor};
///
/// let mut rng = seeded_rng(0);
/// let net = Sequential::<f32>::new().add(Linear::new(2, 8, &mut rng)).add(Tanh).add(Linear::new(8, 2, &mut rng));
/// let mut model = Model::new(net);
/// model.compile(Sgd::new(0.5), Loss::SparseCategoricalCrossEntropy, &[Metric::Accuracy]);
/// // Class 1 when both coordinates have the same sign.
/// let x = Tensor::<f32>::rand_uniform(&[200, 2], -1.0, 1.0, &mut rng);
/// let y = Tensor::from_fn(&[200], |i| if x.get(&[i[0], 0]) * x.get(&[i[0], 1]) > 0.0 { 1.0 } else { 0.0 });
/// let history = model.fit(&x, &y, &FitConfig::new(60).batch_size(20).verbose(0)).unwrap();
/// assert_eq!(history.len(), 60);
/// let eval = model.evaluate(&x, &y, 100);
/// assert!(eval.accuracy().unwrap() > 0.9, "{eval:?}");
/// assert_eq!(model.predict(&x, 64).shape(), &[200, 2]);
/// ```
pub struct Model<T: Element> {
    pub(crate) net: Net<T>,
    pub(crate) compiled: Option<Compiled<T>>,
    pub(crate) history: History,
    /// Seed of the run that produced `history`.
    pub(crate) seed: Option<u64>,
    /// True from `load_training_state` until the next `fit`: that fit must
    /// use the saved seed to continue the run exactly.
    pub(crate) restored: bool,
    /// What this run is, checked against a saved state on resume.
    pub(crate) run: RunInfo,
    /// The other processes of a data-parallel run, if any.
    pub(crate) parallel: Option<Box<dyn Parallel<T>>>,
}

impl<T: Element> Model<T> {
    /// Wraps a [`Sequential`] network, whose [`summary`](Self::summary)
    /// then lists every layer (Keras's `Sequential([...])`).
    pub fn new(net: Sequential<T>) -> Self {
        Self::with_net(Net::Sequential(net))
    }

    /// The network from `inputs` to `outputs` written with the functional
    /// API (Keras's `Model(inputs, outputs)`); its summary lists every node.
    ///
    /// ```
    /// use sinapse_nn::prelude::*;
    /// use sinapse_train::Model;
    /// let inputs = Input::new(&[784]);
    /// let outputs = Dense::new(10).activation(Activation::Sigmoid).call(&inputs);
    /// let model = Model::<f32>::functional(&inputs, &outputs);
    /// assert_eq!(model.summary(&[1, 784]).total_parameters(), 7_850);
    /// ```
    ///
    /// # Panics
    /// As [`Graph::new`].
    #[track_caller]
    pub fn functional(inputs: &Symbol<T>, outputs: &Symbol<T>) -> Self {
        Self::from_module(Graph::new(inputs, outputs))
    }

    /// Wraps any other network, e.g. a hand-written [`Module`] or a
    /// `Box<dyn Module<T>>`.
    pub fn from_module(module: impl Module<T> + 'static) -> Self {
        Self::with_net(Net::Other(Box::new(module)))
    }

    fn with_net(net: Net<T>) -> Self {
        Model {
            net,
            compiled: None,
            history: History::default(),
            seed: None,
            restored: false,
            run: RunInfo::default(),
            parallel: None,
        }
    }

    /// Sets the optimizer, the loss and the metrics (Keras's
    /// `compile(optimizer, loss, metrics)`). The optimizer's current
    /// learning rate becomes the base of [`FitConfig::schedule`](crate::FitConfig::schedule).
    pub fn compile(&mut self, optimizer: impl Optimizer<T> + 'static, loss: Loss, metrics: &[Metric]) {
        let base_lr = optimizer.learning_rate();
        self.compiled = Some(Compiled { optimizer: Box::new(optimizer), loss, metrics: metrics.to_vec(), base_lr });
    }

    /// Sets the learning rate that the schedule starts from (the one
    /// `compile` took from the optimizer), e.g. to continue a resumed run at
    /// a new rate.
    ///
    /// # Panics
    /// Before [`compile`](Self::compile).
    #[track_caller]
    pub fn set_base_learning_rate(&mut self, lr: f64) {
        let compiled = self.compiled.as_mut().expect("Model::set_base_learning_rate: compile the model first");
        compiled.base_lr = lr;
        compiled.optimizer.set_learning_rate(lr);
    }

    /// Trains data-parallel from now on: [`fit_source`](Self::fit_source)
    /// computes this rank's [`shard`](crate::shard) of every batch and sums
    /// the gradients over `parallel`'s ranks before each update (see
    /// [`Parallel`] for the arithmetic); only the writer (rank 0) prints
    /// progress and saves checkpoints ([`ModelCheckpoint`](crate::ModelCheckpoint)).
    /// Every rank must build the same network, compile it the same way and
    /// call `fit` with the same data and settings; `fit` checks that their
    /// parameters agree before the first update.
    pub fn set_parallel(&mut self, parallel: Box<dyn Parallel<T>>) {
        self.parallel = Some(parallel);
    }

    /// Takes back the group given to [`set_parallel`](Self::set_parallel):
    /// the model trains alone again.
    pub fn take_parallel(&mut self) -> Option<Box<dyn Parallel<T>>> {
        self.parallel.take()
    }

    /// The group of a data-parallel run, if any.
    pub fn parallel(&self) -> Option<&dyn Parallel<T>> {
        self.parallel.as_deref()
    }

    /// Whether this process writes files and progress: always, except on
    /// the ranks other than 0 of a data-parallel run.
    pub fn is_writer(&self) -> bool {
        self.parallel.as_ref().is_none_or(|p| p.is_writer())
    }

    /// True once [`compile`](Self::compile) was called.
    pub fn is_compiled(&self) -> bool {
        self.compiled.is_some()
    }

    #[track_caller]
    pub(crate) fn compiled(&self, what: &str) -> &Compiled<T> {
        match &self.compiled {
            Some(c) => c,
            None => panic!("Model::{what}: call compile(optimizer, loss, metrics) first"),
        }
    }

    /// The network.
    pub fn module(&self) -> &dyn Module<T> {
        self.net.module()
    }

    /// The network, mutably (e.g. to load parameters).
    pub fn module_mut(&mut self) -> &mut dyn Module<T> {
        self.net.module_mut()
    }

    /// The network as a [`Sequential`], when it is one.
    pub fn sequential(&self) -> Option<&Sequential<T>> {
        match &self.net {
            Net::Sequential(s) => Some(s),
            Net::Other(_) => None,
        }
    }

    /// The optimizer given to `compile`.
    pub fn optimizer(&self) -> Option<&dyn Optimizer<T>> {
        self.compiled.as_ref().map(|c| c.optimizer.as_ref())
    }

    /// The optimizer, mutably (e.g. to change its learning rate).
    pub fn optimizer_mut(&mut self) -> Option<&mut (dyn Optimizer<T> + 'static)> {
        self.compiled.as_mut().map(|c| c.optimizer.as_mut())
    }

    /// The loss given to `compile`.
    pub fn loss(&self) -> Option<Loss> {
        self.compiled.as_ref().map(|c| c.loss)
    }

    /// The metrics given to `compile`.
    pub fn metrics(&self) -> &[Metric] {
        self.compiled.as_ref().map(|c| &c.metrics[..]).unwrap_or(&[])
    }

    /// Every epoch trained so far (including epochs restored by
    /// [`load_training_state`](Self::load_training_state)).
    pub fn history(&self) -> &History {
        &self.history
    }

    /// Number of epochs trained so far: `history().len()`.
    pub fn epochs_done(&self) -> usize {
        self.history.len()
    }

    /// The seed of the run that produced the history, once trained or restored.
    pub fn seed(&self) -> Option<u64> {
        self.seed
    }

    /// A Keras-style table of layers, output shapes and parameter counts for
    /// an input of shape `input_shape` (batch dimension included); print it
    /// with `{}`. See [`Module::summary`].
    ///
    /// # Panics
    /// When `input_shape` does not fit the network.
    #[track_caller]
    pub fn summary(&self, input_shape: &[usize]) -> Summary {
        self.net.module().summary(input_shape)
    }

    /// Mean loss and metrics of the model on `x`, `y` (Keras's `evaluate`),
    /// in evaluation mode, without recording a graph, `batch_size` examples
    /// at a time.
    ///
    /// # Panics
    /// Before [`compile`](Self::compile), or when the shapes do not fit.
    #[track_caller]
    pub fn evaluate(&mut self, x: &Tensor<T>, y: &Tensor<T>, batch_size: usize) -> Evaluation {
        self.evaluate_source(&TensorData::new(x, y), batch_size)
    }

    /// [`evaluate`](Self::evaluate) on any [`BatchSource`], in its order.
    ///
    /// # Panics
    /// Before [`compile`](Self::compile), or for a `batch_size` of 0.
    #[track_caller]
    pub fn evaluate_source(&mut self, data: &dyn BatchSource<T>, batch_size: usize) -> Evaluation {
        assert!(batch_size > 0, "Model::evaluate: batch_size must be at least 1");
        self.compiled("evaluate");
        self.net.module_mut().set_training(false);
        let compiled = self.compiled.as_ref().expect("checked above");
        let module = self.net.module();
        let mut tally = Tally::new(compiled.metrics.len());
        let _guard = sinapse_autograd::NoGradGuard::new();
        let positions: Vec<usize> = (0..data.len()).collect();
        for chunk in positions.chunks(batch_size) {
            let (x, y) = data.batch(chunk);
            let out = module.forward(&Var::constant(x));
            let loss = compiled.loss.compute(&out, &y).item().to_f64_lossless();
            tally.add(loss, out.value(), &y, compiled);
        }
        Evaluation { loss: tally.mean_loss(), metrics: tally.metrics(&compiled.metrics), examples: tally.examples }
    }

    /// The model's outputs for `x` `[N, ...]` (Keras's `predict`), computed
    /// `batch_size` examples at a time in evaluation mode without recording
    /// a graph, joined along the first dimension.
    ///
    /// # Panics
    /// For a `batch_size` of 0 or inputs that do not fit the network.
    #[track_caller]
    pub fn predict(&mut self, x: &Tensor<T>, batch_size: usize) -> Tensor<T> {
        assert!(batch_size > 0, "Model::predict: batch_size must be at least 1");
        self.net.module_mut().set_training(false);
        let data = TensorData::new(x, &Tensor::zeros(&[x.shape().first().copied().unwrap_or(0)]));
        self.predict_source(&data, batch_size)
    }

    /// [`predict`](Self::predict) on the inputs of any [`BatchSource`] (its
    /// targets are ignored), in its order.
    ///
    /// # Panics
    /// For an empty source or a `batch_size` of 0.
    #[track_caller]
    pub fn predict_source(&mut self, data: &dyn BatchSource<T>, batch_size: usize) -> Tensor<T> {
        assert!(batch_size > 0, "Model::predict: batch_size must be at least 1");
        assert!(!data.is_empty(), "Model::predict: no examples to predict");
        self.net.module_mut().set_training(false);
        let module = self.net.module();
        let positions: Vec<usize> = (0..data.len()).collect();
        let outputs: Vec<Tensor<T>> = no_grad(|| {
            positions
                .chunks(batch_size)
                .map(|chunk| module.forward(&Var::constant(data.batch(chunk).0)).value().clone())
                .collect()
        });
        let parts: Vec<&Tensor<T>> = outputs.iter().collect();
        Tensor::cat(&parts, 0)
    }
}
