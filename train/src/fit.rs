//! The training loop behind [`Model::fit`].

use super::callbacks::{Callback, Control};
use super::config::{epoch_seed, FitConfig};
use super::data::{BatchSource, TensorData};
use super::error::{FitError, NonFiniteCause};
use super::history::{EpochRecord, History};
use super::metric::Metric;
use super::model::{Model, Tally};
use super::parallel_step::{agree_on_stop, broadcast_buffers, check_in_step, parallel_update, SummedUpdate};
use super::progress::Progress;
use rand::seq::SliceRandom;
use sinapse_autograd::clock::Instant;
use sinapse_autograd::Var;
use sinapse_nn::Module;
use sinapse_optim::{accumulate_gradients, LrSchedule};
use sinapse_tensor::{seeded_rng, Element, Tensor};

/// The order in which [`Model::fit`]'s epoch `epoch` (0-based) visits `n`
/// examples: a permutation from ChaCha8 seeded with `seed`, stream `epoch`
/// (the identity when `shuffle` is false). Public so that hand-written loops
/// can visit the data exactly as `fit` does.
///
/// ```
/// let order = sinapse_train::epoch_order(5, true, 42, 0);
/// let mut sorted = order.clone();
/// sorted.sort();
/// assert_eq!(sorted, vec![0, 1, 2, 3, 4]);
/// assert_eq!(order, sinapse_train::epoch_order(5, true, 42, 0));
/// ```
pub fn epoch_order(n: usize, shuffle: bool, seed: u64, epoch: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    if shuffle {
        let mut rng = seeded_rng(seed);
        rng.set_stream(epoch as u64);
        order.shuffle(&mut rng);
    }
    order
}

impl<T: Element> Model<T> {
    /// Trains on inputs `x` `[N, ...]` and targets `y` `[N, ...]` (Keras's
    /// `fit(x, y, batch_size, epochs)`), without validation data or
    /// callbacks. Returns the model's whole [`History`].
    ///
    /// # Errors
    /// [`FitError::NonFiniteLoss`] when a batch's loss is NaN or infinite,
    /// and the other [`FitError`]s of [`fit_source`](Self::fit_source).
    ///
    /// # Panics
    /// Before [`compile`](Self::compile), or when the shapes do not fit the
    /// network or the loss.
    #[track_caller]
    pub fn fit(&mut self, x: &Tensor<T>, y: &Tensor<T>, config: &FitConfig) -> Result<History, FitError> {
        self.fit_source(&TensorData::new(x, y), None, config, &mut [])
    }

    /// [`fit`](Self::fit) with validation data `(x_val, y_val)` measured at
    /// the end of every epoch (Keras's `validation_data`).
    #[track_caller]
    pub fn fit_validated(
        &mut self,
        (x, y): (&Tensor<T>, &Tensor<T>),
        (x_val, y_val): (&Tensor<T>, &Tensor<T>),
        config: &FitConfig,
    ) -> Result<History, FitError> {
        let valid = TensorData::new(x_val, y_val);
        self.fit_source(&TensorData::new(x, y), Some(&valid), config, &mut [])
    }

    /// Trains on any [`BatchSource`], with optional validation data and
    /// callbacks; every other `fit` calls this.
    ///
    /// Each epoch `e` (counted from 0 here, from 1 in the history): sets the
    /// learning rate from the schedule, switches to training mode and
    /// [`reseed`](sinapse_nn::Module::reseed)s the network from
    /// `(config.seed, e)`, visits the examples in epoch `e`'s order (see
    /// [`FitConfig::shuffle`]) one update at a time (each update's examples
    /// forwarded in chunks of at most `config.max_chunk`, gradients
    /// accumulated, then one optimizer step), measures the validation data
    /// in evaluation mode, appends an [`EpochRecord`] to the history, and
    /// runs the callbacks, any of which may stop the run.
    ///
    /// Everything random is derived from `config.seed` and the epoch number,
    /// so the same seed gives the same parameters bit for bit, and a model
    /// restored from the training state of epoch `k` continues exactly as
    /// the uninterrupted run would have.
    ///
    /// # Errors
    /// - [`FitError::NonFiniteLoss`]: a batch loss was NaN or infinite (the
    ///   parameters are left as they were before that update);
    /// - [`FitError::NoBatches`]: the data yields no update;
    /// - [`FitError::SeedMismatch`]: continuing a run restored by
    ///   [`load_training_state`](Self::load_training_state) with another seed;
    /// - errors of the callbacks (unknown monitored quantity, failed save).
    ///
    /// # Panics
    /// Before [`compile`](Self::compile), or when the data does not fit the
    /// network or the loss (the message names the shapes).
    #[track_caller]
    pub fn fit_source(
        &mut self,
        train: &dyn BatchSource<T>,
        validation: Option<&dyn BatchSource<T>>,
        config: &FitConfig,
        callbacks: &mut [&mut dyn Callback<T>],
    ) -> Result<History, FitError> {
        self.compiled("fit");
        let start = config.initial_epoch.unwrap_or(self.history.len());
        // A restored run must keep its seed to continue exactly; a model
        // trained in this process may go on with another seed at will.
        if let (true, Some(saved)) = (self.restored, self.seed) {
            if start > 0 && saved != config.seed {
                return Err(FitError::SeedMismatch { saved, given: config.seed });
            }
        }
        let n = train.len();
        let updates = config.mode.updates_per_epoch(n, config.drop_last);
        if updates == 0 {
            return Err(FitError::NoBatches {
                examples: n,
                batch_size: config.mode.batch_size(n),
                drop_last: config.drop_last,
            });
        }
        if let Some(parallel) = self.parallel.as_deref_mut() {
            check_in_step(parallel, self.net.module(), n, config.mode.batch_size(n))?;
        }
        self.history.epochs.truncate(start);
        self.seed = Some(config.seed);
        self.restored = false;
        for cb in callbacks.iter_mut() {
            cb.on_train_begin(self)?;
        }
        let mut outcome = Ok(());
        for epoch in start..config.epochs {
            let (record, progress) = match self.train_epoch(train, config, epoch) {
                Ok(r) => r,
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
            };
            if let Some(parallel) = self.parallel.as_deref_mut() {
                if let Err(e) = broadcast_buffers(parallel, self.net.module()) {
                    outcome = Err(e);
                    break;
                }
            }
            let record = self.validate(record, validation, config);
            // The bar is closed once the validation figures are in. A failed
            // write stops the run, but only after the callbacks have saved
            // the epoch it reports.
            let printed = progress.finish(&record);
            self.history.epochs.push(record.clone());
            let mut stop = false;
            if let Err(e) = printed {
                outcome = Err(FitError::Output(e));
                stop = true;
            }
            for cb in callbacks.iter_mut() {
                match cb.on_epoch_end(&record, self) {
                    Ok(Control::Stop) => stop = true,
                    Ok(Control::Continue) => {}
                    Err(e) => {
                        outcome = Err(e);
                        stop = true;
                    }
                }
            }
            // Every rank leaves together: a stop (early stopping) or a failure
            // (a checkpoint rank 0 could not write) on one rank stops them all.
            if let Some(parallel) = self.parallel.as_deref_mut() {
                match agree_on_stop(parallel, stop, outcome.is_err()) {
                    Ok((any_stop, any_failed)) => {
                        stop |= any_stop || any_failed;
                        if any_failed && outcome.is_ok() {
                            outcome = Err(FitError::PeerFailed);
                        }
                    }
                    Err(e) => {
                        outcome = Err(e);
                        stop = true;
                    }
                }
            }
            if stop {
                break;
            }
        }
        for cb in callbacks.iter_mut() {
            let ended = cb.on_train_end(self);
            if outcome.is_ok() {
                outcome = ended;
            }
        }
        outcome.map(|()| self.history.clone())
    }

    /// One pass over the training data: the updates of epoch `epoch`
    /// (0-based). The record has no validation figures yet.
    fn train_epoch(
        &mut self,
        train: &dyn BatchSource<T>,
        config: &FitConfig,
        epoch: usize,
    ) -> Result<(EpochRecord, Progress), FitError> {
        let Model { net, compiled, parallel, .. } = self;
        let compiled = compiled.as_mut().expect("checked by fit_source");
        if config.schedule != LrSchedule::Constant {
            compiled.optimizer.set_learning_rate(config.schedule.learning_rate(compiled.base_lr, epoch));
        }
        let learning_rate = compiled.optimizer.learning_rate();
        let module = net.module_mut();
        module.set_training(true);
        module.reseed(epoch_seed(config.seed, epoch));

        let began = Instant::now();
        let n = train.len();
        let order = epoch_order(n, config.shuffle, config.seed, epoch);
        let plan = config.mode.plan_epoch(n, config.drop_last, config.max_chunk.max(1));
        let writer = parallel.as_ref().is_none_or(|p| p.is_writer());
        let verbose = if writer { config.verbose } else { 0 };
        let mut progress = Progress::new(verbose, epoch + 1, config.epochs, plan.len());
        let mut tally = Tally::new(compiled.metrics.len());
        let accuracy_slot = compiled.metrics.iter().position(|m| *m == Metric::Accuracy);
        let mut last_size = None;
        for (step, update) in plan.iter().enumerate() {
            // A batch of another size (the partial last batch of an epoch)
            // needs buffers of other lengths: the ones kept for the old size
            // are freed first, so that the two sets are never resident
            // together (the CNN's peak memory went from ~140 to ~190 MB).
            let size = update.examples.len();
            if last_size.is_some_and(|last| last != size) {
                sinapse_tensor::memory::release_cached();
            }
            last_size = Some(size);
            let (loss, grads) = if let Some(parallel) = parallel.as_deref_mut() {
                let c = &*compiled;
                let SummedUpdate { loss, grads, metric_sums } =
                    parallel_update(parallel, net.module(), c, train, &order, update, config.max_chunk.max(1))?;
                for (sum, s) in tally.metric_sums.iter_mut().zip(metric_sums) {
                    *sum += s;
                }
                (loss, grads)
            } else {
                let module = net.module();
                let c = &*compiled;
                let tally = &mut tally;
                accumulate_gradients(&update.chunks, |range| {
                    let (x, y) = train.batch(&order[range]);
                    let out = module.forward(&Var::constant(x));
                    let loss = c.loss.compute(&out, &y);
                    tally.add_metrics(out.value(), &y, c);
                    loss
                })
            };
            let loss = loss.to_f64_lossless();
            if !loss.is_finite() {
                let cause = non_finite_cause(
                    net.module(),
                    update.chunks.iter().map(|r| train.batch(&order[r.clone()])),
                    learning_rate,
                );
                return Err(FitError::NonFiniteLoss {
                    epoch: epoch + 1,
                    step: step + 1,
                    value: loss,
                    learning_rate,
                    cause,
                });
            }
            compiled.optimizer.step_params(&mut net.module_mut().parameters_mut(), &grads);
            // `loss` is the mean over the update's examples.
            tally.add_loss(loss, update.examples.len());
            let accuracy = accuracy_slot.map(|i| tally.metric_sums[i] / tally.examples as f64);
            progress.step(step + 1, tally.examples, tally.mean_loss(), accuracy);
        }
        // The training step's buffers are of no use to the evaluation that
        // may follow (no backward pass, other batch sizes).
        sinapse_tensor::memory::release_cached();
        let seconds = began.elapsed().as_secs_f64();
        let record = EpochRecord {
            epoch: epoch + 1,
            loss: tally.mean_loss(),
            metrics: tally.metrics(&compiled.metrics),
            val_loss: None,
            val_metrics: Default::default(),
            seconds,
            images_per_second: tally.examples as f64 / seconds.max(1e-12),
            examples: tally.examples,
            updates: plan.len(),
            learning_rate,
            val_seconds: 0.0,
        };
        Ok((record, progress))
    }

    /// Adds the validation figures to `record`.
    fn validate(
        &mut self,
        mut record: EpochRecord,
        validation: Option<&dyn BatchSource<T>>,
        config: &FitConfig,
    ) -> EpochRecord {
        if let Some(valid) = validation {
            let began = Instant::now();
            let eval = self.evaluate_source(valid, config.validation_batch());
            record.val_loss = Some(eval.loss);
            record.val_metrics = eval.metrics;
            record.val_seconds = began.elapsed().as_secs_f64();
        }
        record
    }
}

/// What made a step's loss non-finite: a parameter, the inputs or the
/// targets that were already so, else the step itself.
fn non_finite_cause<T: Element>(
    module: &dyn Module<T>,
    batches: impl Iterator<Item = (Tensor<T>, Tensor<T>)>,
    learning_rate: f64,
) -> NonFiniteCause {
    if let Some((name, _)) = module.parameters().into_iter().find(|(_, p)| !p.value().all_finite()) {
        return NonFiniteCause::Parameter { name };
    }
    for (x, y) in batches {
        if !x.all_finite() {
            return NonFiniteCause::Inputs;
        }
        if !y.all_finite() {
            return NonFiniteCause::Targets;
        }
    }
    NonFiniteCause::Divergence { learning_rate }
}
