//! The terminal progress bar of [`Progress`](super::progress::Progress):
//! `indicatif`'s with the `progress-bar` feature, none without it (then
//! progress is reported as plain lines only). `indicatif` reads the clock
//! through JavaScript bindings on wasm32-unknown-unknown, which a bare
//! WebAssembly host does not provide, so builds for it leave the feature
//! off.

#[cfg(feature = "progress-bar")]
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar drawn on standard error.
#[cfg(feature = "progress-bar")]
pub(crate) struct Bar(ProgressBar);

/// No bar: this build has no `progress-bar` feature, so no value exists.
#[cfg(not(feature = "progress-bar"))]
pub(crate) enum Bar {}

impl Bar {
    /// A bar for epoch `epoch` (from 1) of `epochs`, with `steps` updates,
    /// when standard error is a terminal and this build draws bars.
    pub(crate) fn on_terminal(steps: usize, epoch: usize, epochs: usize) -> Option<Bar> {
        use std::io::IsTerminal;
        if !std::io::stderr().is_terminal() {
            return None;
        }
        Bar::new(steps, epoch, epochs)
    }

    #[cfg(feature = "progress-bar")]
    fn new(steps: usize, epoch: usize, epochs: usize) -> Option<Bar> {
        let bar = ProgressBar::with_draw_target(Some(steps as u64), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{prefix} [{bar:28.cyan/blue}] {pos}/{len} eta {eta:>3} {msg}")
            .expect("a valid template")
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(format!("Epoch {epoch}/{epochs}"));
        Some(Bar(bar))
    }

    #[cfg(not(feature = "progress-bar"))]
    fn new(_steps: usize, _epoch: usize, _epochs: usize) -> Option<Bar> {
        None
    }

    /// Moves the bar to update `step`.
    pub(crate) fn set_position(&self, step: usize) {
        #[cfg(feature = "progress-bar")]
        self.0.set_position(step as u64);
        #[cfg(not(feature = "progress-bar"))]
        {
            let _ = step;
            match *self {}
        }
    }

    /// Replaces the text after the bar.
    pub(crate) fn set_message(&self, message: String) {
        #[cfg(feature = "progress-bar")]
        self.0.set_message(message);
        #[cfg(not(feature = "progress-bar"))]
        {
            drop(message);
            match *self {}
        }
    }

    /// Erases the bar.
    pub(crate) fn finish_and_clear(&self) {
        #[cfg(feature = "progress-bar")]
        self.0.finish_and_clear();
        #[cfg(not(feature = "progress-bar"))]
        match *self {}
    }
}
