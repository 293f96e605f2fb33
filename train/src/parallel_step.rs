//! The data-parallel side of `fit`: one rank's share of an update, the sum
//! of the ranks' gradients, loss and metric counts, and the checks that
//! keep the ranks in step (see [`crate::parallel`] for the arithmetic).

use super::data::BatchSource;
use super::error::FitError;
use super::model::{Compiled, Tally};
use super::parallel::{shard, Parallel};
use sinapse_autograd::{Gradients, Var};
use sinapse_nn::Module;
use sinapse_optim::Update;
use sinapse_tensor::{Element, Tensor};

/// What one rank brings back from a data-parallel update: the global mean
/// loss, the global gradients, and the global metric sums of the update.
pub(crate) struct SummedUpdate<T: Element> {
    pub(crate) loss: T,
    pub(crate) grads: Gradients<T>,
    pub(crate) metric_sums: Vec<f64>,
}

/// Forwards and backpropagates this rank's [`shard`] of `update` (in chunks
/// of at most `max_chunk`), each chunk's mean loss weighted by
/// `n_c / B` with `B = update.examples.len()`, then sums gradients, the
/// weighted loss and the metric counts over the ranks in rank order. With
/// one rank this is [`accumulate_gradients`](sinapse_optim::accumulate_gradients)
/// exactly, operation for operation.
#[allow(clippy::too_many_arguments)]
pub(crate) fn parallel_update<T: Element>(
    parallel: &mut dyn Parallel<T>,
    module: &dyn Module<T>,
    compiled: &Compiled<T>,
    train: &dyn BatchSource<T>,
    order: &[usize],
    update: &Update,
    max_chunk: usize,
) -> Result<SummedUpdate<T>, FitError> {
    let total = T::from_usize(update.examples.len()).expect("a batch size fits the element type");
    let mine = shard(update.examples.clone(), parallel.rank(), parallel.ranks());
    let mut grads = Gradients::new();
    let mut loss = T::zero();
    let mut local = Tally::new(compiled.metrics.len());
    for start in mine.clone().step_by(max_chunk.max(1)) {
        let chunk = start..(start + max_chunk.max(1)).min(mine.end);
        let weight = T::from_usize(chunk.len()).expect("fits") / total;
        let (x, y) = train.batch(&order[chunk]);
        let out = module.forward(&Var::constant(x));
        let l = compiled.loss.compute(&out, &y);
        local.add_metrics(out.value(), &y, compiled);
        loss += weight * l.item();
        grads.accumulate(l.mul_scalar(weight).backward());
    }
    let params = module.parameters();
    // One buffer, one collective: every gradient in the parameters' order
    // (zeros where this rank's shard was empty), then the weighted loss,
    // then the metric counts (whole numbers up to B, exact in f32).
    let numel: usize = params.iter().map(|(_, p)| p.value().numel()).sum();
    let mut buffer = Vec::with_capacity(numel + 1 + local.metric_sums.len());
    for (_, p) in &params {
        match grads.get(p) {
            Some(g) => buffer.extend(g.to_vec()),
            None => buffer.extend(std::iter::repeat_n(T::zero(), p.value().numel())),
        }
    }
    buffer.push(loss);
    buffer.extend(local.metric_sums.iter().map(|&s| T::from_f64_lossy(s)));
    parallel.sum(&mut buffer).map_err(FitError::Distributed)?;
    let mut summed = Gradients::new();
    let mut offset = 0;
    for (_, p) in &params {
        let n = p.value().numel();
        let g = Tensor::from_vec(buffer[offset..offset + n].to_vec(), p.shape()).expect("sized from the shape");
        summed.set(p, g);
        offset += n;
    }
    let loss = buffer[offset];
    let metric_sums = buffer[offset + 1..].iter().map(|v| v.to_f64_lossless()).collect();
    Ok(SummedUpdate { loss, grads: summed, metric_sums })
}

/// Checks, before training, that every rank holds rank 0's parameters and
/// buffers and sees as many examples: a rank that loaded another
/// checkpoint or other data would silently train another model.
pub(crate) fn check_in_step<T: Element>(
    parallel: &mut dyn Parallel<T>,
    module: &dyn Module<T>,
    examples: usize,
    batch_size: usize,
) -> Result<(), FitError> {
    let mut mine = state_vector(module);
    mine.push(T::from_usize(examples % (1 << 20)).expect("fits"));
    mine.push(T::from_usize(batch_size % (1 << 20)).expect("fits"));
    let mut first = mine.clone();
    parallel.broadcast(&mut first).map_err(FitError::Distributed)?;
    let differs = first.iter().zip(&mine).any(|(a, b)| a.to_f64_lossless().to_bits() != b.to_f64_lossless().to_bits());
    let mut count = [T::from_usize(usize::from(differs)).expect("fits")];
    parallel.sum(&mut count).map_err(FitError::Distributed)?;
    let ranks = count[0].to_f64_lossless() as usize;
    if ranks > 0 {
        return Err(FitError::RanksDiffer { ranks, of: parallel.ranks() });
    }
    Ok(())
}

/// Gives every rank rank 0's module buffers (the running statistics of
/// BatchNorm, which each rank updates from its own shard), so that all
/// ranks evaluate and save the same model, as DistributedDataParallel's
/// `broadcast_buffers` does.
pub(crate) fn broadcast_buffers<T: Element>(
    parallel: &mut dyn Parallel<T>,
    module: &dyn Module<T>,
) -> Result<(), FitError> {
    let buffers = module.buffers();
    if buffers.is_empty() {
        return Ok(());
    }
    let mut flat: Vec<T> = buffers.iter().flat_map(|(_, b)| b.get().to_vec()).collect();
    parallel.broadcast(&mut flat).map_err(FitError::Distributed)?;
    let mut offset = 0;
    for (_, b) in &buffers {
        let old = b.get();
        let n = old.numel();
        b.set(Tensor::from_vec(flat[offset..offset + n].to_vec(), old.shape()).expect("sized from the shape"));
        offset += n;
    }
    Ok(())
}

/// Parameters then buffers, flattened in their names' order.
fn state_vector<T: Element>(module: &dyn Module<T>) -> Vec<T> {
    let mut v: Vec<T> = module.parameters().iter().flat_map(|(_, p)| p.value().to_vec()).collect();
    v.extend(module.buffers().iter().flat_map(|(_, b)| b.get().to_vec()));
    v
}

/// Whether any rank stopped, and whether any failed: each rank adds its
/// two flags, so all ranks leave the epoch loop together.
pub(crate) fn agree_on_stop<T: Element>(
    parallel: &mut dyn Parallel<T>,
    stop: bool,
    failed: bool,
) -> Result<(bool, bool), FitError> {
    let one = |b: bool| T::from_usize(usize::from(b)).expect("fits");
    let mut flags = [one(stop), one(failed)];
    parallel.sum(&mut flags).map_err(FitError::Distributed)?;
    Ok((flags[0] > T::zero(), flags[1] > T::zero()))
}
