//! Per-epoch progress: a bar on a terminal (see [`Bar`]), one plain line per
//! epoch otherwise (so CI logs stay readable), nothing at verbosity 0.

use super::history::EpochRecord;
use super::progress_bar::Bar;
use sinapse_autograd::clock::Instant;
use std::io::Write;
use std::time::Duration;

/// How often the bar's message (loss, accuracy, speed) is rewritten.
const REFRESH: Duration = Duration::from_millis(100);

pub(crate) struct Progress {
    bar: Option<Bar>,
    plain: bool,
    epochs: usize,
    last_message: Option<Instant>,
    start: Instant,
}

/// `12,345` for 12345.4.
fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x.max(0.0));
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

impl Progress {
    /// Progress of epoch `epoch` (from 1) of `epochs`, with `steps` updates.
    pub(crate) fn new(verbose: u8, epoch: usize, epochs: usize, steps: usize) -> Self {
        let bar = if verbose > 0 { Bar::on_terminal(steps, epoch, epochs) } else { None };
        Progress { plain: verbose > 0 && bar.is_none(), bar, epochs, last_message: None, start: Instant::now() }
    }

    /// After update `step` (from 1): running loss and accuracy over the
    /// `examples` seen so far.
    pub(crate) fn step(&mut self, step: usize, examples: usize, loss: f64, accuracy: Option<f64>) {
        let Some(bar) = &self.bar else { return };
        bar.set_position(step);
        let now = Instant::now();
        if self.last_message.is_some_and(|t| now - t < REFRESH) {
            return;
        }
        self.last_message = Some(now);
        let rate = examples as f64 / self.start.elapsed().as_secs_f64().max(1e-9);
        let acc = accuracy.map(|a| format!(" acc {a:.4}")).unwrap_or_default();
        bar.set_message(format!("loss {loss:.4}{acc} {} img/s", thousands(rate)));
    }

    /// Closes the epoch with its summary line (on stderr under a bar, on
    /// stdout as a plain line). A failed write (a full disk, a closed pipe)
    /// is returned, not turned into a panic as `println!` would.
    pub(crate) fn finish(&self, record: &EpochRecord) -> std::io::Result<()> {
        let line = summary_line(record, self.epochs);
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
            writeln!(std::io::stderr(), "{line}")
        } else if self.plain {
            let mut out = std::io::stdout().lock();
            writeln!(out, "{line}").and_then(|()| out.flush())
        } else {
            Ok(())
        }
    }
}

/// `epoch 2/5: loss 0.1234 accuracy 0.9621 val_loss 0.1100 val_accuracy 0.9660 (1.23 s, 48,780 img/s)`.
pub(crate) fn summary_line(r: &EpochRecord, epochs: usize) -> String {
    let mut s = format!("epoch {}/{}: loss {:.4}", r.epoch, epochs, r.loss);
    for (name, v) in &r.metrics {
        s.push_str(&format!(" {name} {v:.4}"));
    }
    if let Some(v) = r.val_loss {
        s.push_str(&format!(" val_loss {v:.4}"));
    }
    for (name, v) in &r.val_metrics {
        s.push_str(&format!(" val_{name} {v:.4}"));
    }
    s.push_str(&format!(" ({:.2} s, {} img/s)", r.seconds, thousands(r.images_per_second)));
    s
}
