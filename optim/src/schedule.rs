//! Learning-rate schedules.

/// How the learning rate changes with the epoch (or step) count `t`,
/// starting from `base_lr` at `t = 0`.
///
/// A schedule is a pure function of `t`, so a resumed run recomputes the
/// same rate: `opt.set_learning_rate(schedule.learning_rate(base_lr, epoch))`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum LrSchedule {
    /// `lr(t) = base_lr`.
    #[default]
    Constant,
    /// Step decay: `lr(t) = base_lr * gamma^floor(t / step_size)`.
    StepDecay {
        /// Epochs (or steps) between decays, at least 1.
        step_size: usize,
        /// Factor applied at each decay (e.g. 0.1).
        gamma: f64,
    },
    /// Cosine annealing (Loshchilov & Hutter):
    /// `lr(t) = min_lr + (base_lr - min_lr) (1 + cos(pi t / period)) / 2`
    /// for `t <= period`, then `min_lr`.
    Cosine {
        /// Length of the decay, at least 1.
        period: usize,
        /// Final learning rate.
        min_lr: f64,
    },
}

impl LrSchedule {
    /// The learning rate at epoch (or step) `t`.
    ///
    /// # Panics
    /// When `step_size` or `period` is 0.
    #[track_caller]
    pub fn learning_rate(&self, base_lr: f64, t: usize) -> f64 {
        match *self {
            LrSchedule::Constant => base_lr,
            LrSchedule::StepDecay { step_size, gamma } => {
                assert!(step_size > 0, "LrSchedule::StepDecay: step_size must be at least 1");
                base_lr * gamma.powi((t / step_size) as i32)
            }
            LrSchedule::Cosine { period, min_lr } => {
                assert!(period > 0, "LrSchedule::Cosine: period must be at least 1");
                let progress = t.min(period) as f64 / period as f64;
                min_lr + (base_lr - min_lr) * (1.0 + (std::f64::consts::PI * progress).cos()) / 2.0
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LrSchedule;

    #[test]
    fn schedules_by_hand() {
        assert_eq!(LrSchedule::Constant.learning_rate(0.1, 50), 0.1);
        let step = LrSchedule::StepDecay { step_size: 10, gamma: 0.5 };
        assert_eq!(step.learning_rate(0.1, 9), 0.1);
        assert_eq!(step.learning_rate(0.1, 10), 0.05);
        assert_eq!(step.learning_rate(0.1, 25), 0.025);
        let cos = LrSchedule::Cosine { period: 10, min_lr: 0.001 };
        assert_eq!(cos.learning_rate(0.1, 0), 0.1);
        assert!((cos.learning_rate(0.1, 5) - (0.001 + 0.099 / 2.0)).abs() < 1e-15);
        assert!((cos.learning_rate(0.1, 10) - 0.001).abs() < 1e-15);
        assert!((cos.learning_rate(0.1, 30) - 0.001).abs() < 1e-15);
    }
}
