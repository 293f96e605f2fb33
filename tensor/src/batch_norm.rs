//! Batch normalization's kernels: the per-channel statistics of a batch,
//! the normalization itself, and its gradient, each in one or two passes
//! over the batch.
//!
//! Written with element-wise operations and reductions, a training step of
//! batch normalization reads the whole activation a dozen times (the mean,
//! the centred values, their squares, the variance, the quotient, the
//! scale, the shift, and as many again backward). These kernels read it
//! twice forward and twice backward. `sinapse-autograd`'s `batch_norm`
//! operator runs them, and checks them against that composite form.
//!
//! The input is `[N, C, ...]`, channels in dimension 1; every statistic is
//! over the other dimensions, `M = N * (product of the trailing sizes)`
//! values per channel. Sums accumulate in `f64`, four lanes per row of the
//! trailing dimensions and the rows in order, so results do not depend on
//! threads.

use crate::par::prelude::*;
use crate::strided::PARALLEL_THRESHOLD;
use crate::{Element, Tensor};

/// `[N, C, S]`: the batch, the channels, and the trailing sizes multiplied.
#[derive(Clone, Copy, Debug)]
struct Channels {
    n: usize,
    c: usize,
    s: usize,
}

impl Channels {
    #[track_caller]
    fn of(op: &str, shape: &[usize]) -> Channels {
        assert!(shape.len() >= 2, "{op}: input of shape {shape:?} must be [N, C, ...]");
        Channels { n: shape[0], c: shape[1], s: shape[2..].iter().product() }
    }

    /// Values per channel.
    fn count(self) -> usize {
        self.n * self.s
    }

    /// The rows of channel `c`: `x[i, c, ...]` for each `i`, in order.
    fn rows<'a, T>(self, x: &'a [T], c: usize) -> impl Iterator<Item = &'a [T]> + 'a {
        (0..self.n).map(move |i| &x[(i * self.c + c) * self.s..][..self.s])
    }

    /// `f(c)` for every channel, in parallel when the batch is large.
    fn per_channel<R: Send>(self, f: impl Fn(usize) -> R + Sync) -> Vec<R> {
        if self.n * self.c * self.s >= PARALLEL_THRESHOLD && self.c > 1 {
            (0..self.c).into_par_iter().map(&f).collect()
        } else {
            (0..self.c).map(f).collect()
        }
    }

    /// A new `[N, C, S]` buffer whose row `r = i C + c` is written by
    /// `fill(c, r, row)`, rows in parallel when the batch is large.
    fn map_rows<T: Element>(self, fill: impl Fn(usize, usize, &mut [T]) + Sync) -> Vec<T> {
        // Every row is written in full below: a recycled buffer needs no fill.
        let mut out = crate::memory::overwritable(self.n * self.c * self.s, T::zero());
        let s = self.s.max(1);
        let rows_per_chunk = (crate::strided::PARALLEL_GRAIN / s).max(1);
        let chunk = |(k, block): (usize, &mut [T])| {
            for (j, row) in block.chunks_mut(s).enumerate() {
                let r = k * rows_per_chunk + j;
                fill(r % self.c, r, row);
            }
        };
        if out.len() >= PARALLEL_THRESHOLD {
            out.par_chunks_mut(rows_per_chunk * s).enumerate().for_each(chunk);
        } else {
            out.chunks_mut(rows_per_chunk * s).enumerate().for_each(chunk);
        }
        out
    }
}

/// `sum_j f(row[j])` in `f64`, four lanes, for a vectorizable inner loop.
fn lane_sum<T: Element>(row: &[T], f: impl Fn(T) -> f64) -> f64 {
    let mut lanes = [0.0f64; 4];
    let mut quads = row.chunks_exact(4);
    for q in &mut quads {
        for (acc, &v) in lanes.iter_mut().zip(q) {
            *acc += f(v);
        }
    }
    for &v in quads.remainder() {
        lanes[0] += f(v);
    }
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
}

/// A batch's statistics per channel, from [`Tensor::batch_stats`].
#[derive(Clone, Debug)]
pub struct BatchStats<T: Element> {
    /// `mean[c] = (1/M) sum of x[.., c, ..]`, `[C]`.
    pub mean: Tensor<T>,
    /// The biased variance `var[c] = (1/M) sum of (x[.., c, ..] - mean[c])^2`, `[C]`.
    pub var: Tensor<T>,
    /// `M`, the values per channel.
    pub count: usize,
}

/// A per-channel vector of `[C]`, or `None`, as plain numbers.
#[track_caller]
fn per_channel_values<T: Element>(op: &str, what: &str, t: Option<&Tensor<T>>, c: usize, fill: f64) -> Vec<f64> {
    match t {
        None => vec![fill; c],
        Some(t) => {
            assert!(t.shape() == [c], "{op}: {what} of shape {:?} must be [{c}]", t.shape());
            t.to_vec().into_iter().map(Element::to_f64_lossless).collect()
        }
    }
}

fn channel_tensor<T: Element>(values: &[f64]) -> Tensor<T> {
    Tensor::from_vec_unchecked(values.iter().map(|&v| T::from_f64_lossy(v)).collect(), &[values.len()])
}

impl<T: Element> Tensor<T> {
    /// The mean and biased variance of each channel of `[N, C, ...]`, over
    /// every other dimension: two passes (the mean, then the squared
    /// deviations from it, which keeps the variance accurate when the mean
    /// is large).
    ///
    /// # Panics
    /// If `self` has fewer than 2 dimensions.
    #[track_caller]
    pub fn batch_stats(&self) -> BatchStats<T> {
        let ch = Channels::of("batch_stats", self.shape());
        let x = self.contiguous();
        let x = x.as_slice().expect("a contiguous tensor exposes its elements as a slice");
        let m = ch.count().max(1) as f64;
        let stats = ch.per_channel(|c| {
            let mean = ch.rows(x, c).map(|row| lane_sum(row, |v| v.to_f64_lossless())).sum::<f64>() / m;
            let var = ch
                .rows(x, c)
                .map(|row| {
                    lane_sum(row, |v| {
                        let d = v.to_f64_lossless() - mean;
                        d * d
                    })
                })
                .sum::<f64>()
                / m;
            (mean, var)
        });
        let (mean, var): (Vec<f64>, Vec<f64>) = stats.into_iter().unzip();
        BatchStats { mean: channel_tensor(&mean), var: channel_tensor(&var), count: ch.count() }
    }

    /// `y = (x - mean[c]) / sqrt(var[c] + eps) * weight[c] + bias[c]` over
    /// `[N, C, ...]`, in one pass; no `weight` means 1, no `bias` 0.
    ///
    /// With a batch's own [`batch_stats`](Self::batch_stats) this is
    /// training-mode batch normalization; with running statistics, the
    /// evaluation mode.
    ///
    /// # Panics
    /// If `self` has fewer than 2 dimensions or a per-channel tensor is not
    /// `[C]` (the message names `batch_norm` and the shapes).
    #[track_caller]
    pub fn batch_norm(
        &self,
        mean: &Tensor<T>,
        var: &Tensor<T>,
        weight: Option<&Tensor<T>>,
        bias: Option<&Tensor<T>>,
        eps: f64,
    ) -> Tensor<T> {
        let ch = Channels::of("batch_norm", self.shape());
        let mean = per_channel_values("batch_norm", "mean", Some(mean), ch.c, 0.0);
        let var = per_channel_values("batch_norm", "var", Some(var), ch.c, 1.0);
        let weight = per_channel_values("batch_norm", "weight", weight, ch.c, 1.0);
        let bias = per_channel_values("batch_norm", "bias", bias, ch.c, 0.0);
        // y = (x - mean) * scale + bias, scale = weight / sqrt(var + eps).
        let coef: Vec<(T, T, T)> = (0..ch.c)
            .map(|c| {
                let scale = weight[c] / (var[c] + eps).sqrt();
                (T::from_f64_lossy(mean[c]), T::from_f64_lossy(scale), T::from_f64_lossy(bias[c]))
            })
            .collect();
        let x = self.contiguous();
        let x = x.as_slice().expect("a contiguous tensor exposes its elements as a slice");
        let s = ch.s;
        let y = ch.map_rows(|c, r, out| {
            let (mu, scale, shift) = coef[c];
            for (o, &v) in out.iter_mut().zip(&x[r * s..(r + 1) * s]) {
                *o = (v - mu) * scale + shift;
            }
        });
        Tensor::from_vec_unchecked(y, self.shape())
    }

    /// Training-mode batch normalization's backward pass, `self` being the
    /// output gradient `g` and `x̂ = (x - mean) / sqrt(var + eps)` the
    /// normalized input:
    ///
    /// - `dx = weight / sqrt(var + eps) * (g - mean(g) - x̂ mean(g x̂))`, the
    ///   means per channel (the gradient through the batch's own mean and
    ///   variance, not only through the division);
    /// - `dweight = sum of g x̂` and `dbias = sum of g`, per channel.
    ///
    /// Returns `(dx, dweight, dbias)`; two passes over `g` and `x`.
    ///
    /// # Panics
    /// If `self` and `x` differ in shape or a per-channel tensor is not
    /// `[C]` (the message names `batch_norm_backward` and the shapes).
    #[track_caller]
    pub fn batch_norm_backward(
        &self,
        x: &Tensor<T>,
        stats: &BatchStats<T>,
        weight: Option<&Tensor<T>>,
        eps: f64,
    ) -> (Tensor<T>, Tensor<T>, Tensor<T>) {
        let op = "batch_norm_backward";
        assert!(self.shape() == x.shape(), "{op}: gradient {:?} and input {:?} differ", self.shape(), x.shape());
        let ch = Channels::of(op, x.shape());
        let mean = per_channel_values(op, "mean", Some(&stats.mean), ch.c, 0.0);
        let var = per_channel_values(op, "var", Some(&stats.var), ch.c, 1.0);
        let weight = per_channel_values(op, "weight", weight, ch.c, 1.0);
        let inv_std: Vec<f64> = var.iter().map(|v| 1.0 / (v + eps).sqrt()).collect();
        let (g, x) = (self.contiguous(), x.contiguous());
        let g = g.as_slice().expect("a contiguous tensor exposes its elements as a slice");
        let x = x.as_slice().expect("a contiguous tensor exposes its elements as a slice");
        let sums = ch.per_channel(|c| {
            let (mut sg, mut sgx) = (0.0, 0.0);
            for (gr, xr) in ch.rows(g, c).zip(ch.rows(x, c)) {
                sg += lane_sum(gr, |v| v.to_f64_lossless());
                let (mu, is) = (mean[c], inv_std[c]);
                sgx += gr
                    .iter()
                    .zip(xr)
                    .map(|(&gv, &xv)| gv.to_f64_lossless() * (xv.to_f64_lossless() - mu) * is)
                    .sum::<f64>();
            }
            (sg, sgx)
        });
        let m = ch.count().max(1) as f64;
        // dx = k (g - mean(g) - x̂ mean(g x̂)) with k = weight inv_std and
        // x̂ = (x - mean) inv_std: per channel, k g + p (x - mean) + q with
        // p = -k inv_std mean(g x̂) and q = -k mean(g).
        let coef: Vec<(T, T, T, T)> = (0..ch.c)
            .map(|c| {
                let (sg, sgx) = sums[c];
                let k = weight[c] * inv_std[c];
                let (p, q) = (-k * inv_std[c] * sgx / m, -k * sg / m);
                (T::from_f64_lossy(mean[c]), T::from_f64_lossy(k), T::from_f64_lossy(p), T::from_f64_lossy(q))
            })
            .collect();
        let s = ch.s;
        let dx = ch.map_rows(|c, r, out| {
            let (mu, k, p, q) = coef[c];
            let rows = g[r * s..(r + 1) * s].iter().zip(&x[r * s..(r + 1) * s]);
            for (o, (&gv, &xv)) in out.iter_mut().zip(rows) {
                *o = k * gv + p * (xv - mu) + q;
            }
        });
        let (sg, sgx): (Vec<f64>, Vec<f64>) = sums.into_iter().unzip();
        (Tensor::from_vec_unchecked(dx, self.shape()), channel_tensor(&sgx), channel_tensor(&sg))
    }
}
