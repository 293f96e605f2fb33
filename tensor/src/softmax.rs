//! Softmax and log-softmax along an axis, stable for large logits.

use crate::{Element, Tensor};

impl<T: Element> Tensor<T> {
    /// `softmax(x)_i = e^(x_i - m) / sum_j e^(x_j - m)` along `axis`, where
    /// `m = max_j x_j`. Subtracting the maximum changes nothing
    /// mathematically but keeps every exponent <= 0, so logits of 1e4 do not
    /// overflow.
    #[track_caller]
    pub fn softmax(&self, axis: isize) -> Tensor<T> {
        let m = self.max(axis, true);
        let e = self.zip_map(&m, "softmax", |x, m| (x - m).exp());
        let s = e.sum(axis, true);
        e.zip_map(&s, "softmax", |e, s| e / s)
    }

    /// `log_softmax(x)_i = x_i - m - ln(sum_j e^(x_j - m))` along `axis`
    /// (the log-sum-exp trick): finite for any finite logits, unlike
    /// `softmax(x).ln()`, which underflows to `-inf`.
    #[track_caller]
    pub fn log_softmax(&self, axis: isize) -> Tensor<T> {
        let m = self.max(axis, true);
        let shifted = self.zip_map(&m, "log_softmax", |x, m| x - m);
        let lse = shifted.exp().sum(axis, true).ln();
        shifted.zip_map(&lse, "log_softmax", |x, l| x - l)
    }

    /// `ln(sum_i e^(x_i))` along `axis`, computed as `m + ln(sum_i e^(x_i - m))`.
    #[track_caller]
    pub fn logsumexp(&self, axis: isize, keepdim: bool) -> Tensor<T> {
        let m = self.max(axis, true);
        // An all -inf row has m = -inf; use 0 there so x - m stays -inf, not NaN.
        let m = m.map(|v| if v.is_finite() { v } else { T::zero() });
        let s = self.zip_map(&m, "logsumexp", |x, m| (x - m).exp()).sum(axis, true);
        let out = s.zip_map(&m, "logsumexp", |s, m| m + s.ln());
        if keepdim {
            out
        } else {
            out.squeeze(axis)
        }
    }
}
