//! The playground's training engine: the course's perceptron, MLP and CNN
//! trained on MNIST inside a web page, with Sinapse compiled to
//! WebAssembly.
//!
//! The page's worker builds a [`Playground`] from the four gzipped MNIST
//! files, sends it settings as JSON ([`Config`]), and then asks for updates
//! and for what to draw. Everything here is plain Rust over the library's
//! `Sequential`, `Sgd` and `accumulate_gradients`, so the native tests run
//! the very code the page runs; this file only translates to and from
//! JavaScript.
//!
//! ```text
//! page (main thread) --messages--> worker.js --calls--> Playground (this crate)
//! ```

pub mod config;
pub mod data;
pub mod drawing;
mod host;
pub mod network;
pub mod session;
pub mod views;

pub use config::{Config, ConfigError};
pub use data::{DataError, Digits};
pub use drawing::{preprocess, DrawingError};
pub use session::{Evaluation, Session, Stats};
pub use views::{Prediction, Symmetry};

use sinapse_datasets::Split;
use wasm_bindgen::prelude::*;

/// MNIST, and the run the page is showing.
#[wasm_bindgen]
pub struct Playground {
    train: Digits,
    test: Digits,
    session: Session,
}

#[wasm_bindgen]
impl Playground {
    /// Decompresses and checks the four gzipped MNIST files (training
    /// images and labels, test images and labels) and starts the course's
    /// MLP ([`Config::default_mlp`]). Throws an `Error` naming the file
    /// that is unreadable or not MNIST's.
    #[wasm_bindgen(constructor)]
    pub fn new(
        train_images_gz: &[u8],
        train_labels_gz: &[u8],
        test_images_gz: &[u8],
        test_labels_gz: &[u8],
    ) -> Result<Playground, JsError> {
        let train = Digits::from_gz(Split::Train, train_images_gz, train_labels_gz)?;
        let test = Digits::from_gz(Split::Test, test_images_gz, test_labels_gz)?;
        Ok(Playground { train, test, session: Session::new(Config::default_mlp()) })
    }

    /// The number of training images.
    #[wasm_bindgen(getter)]
    pub fn train_count(&self) -> usize {
        self.train.len()
    }

    /// The number of test images.
    #[wasm_bindgen(getter)]
    pub fn test_count(&self) -> usize {
        self.test.len()
    }

    /// Starts a new run with the settings in `json` (see [`Config`]).
    /// Throws an `Error` naming the setting when one is invalid; the
    /// current run is then left as it was.
    pub fn configure(&mut self, json: &str) -> Result<(), JsError> {
        self.session = Session::new(Config::from_json(json)?);
        Ok(())
    }

    /// Starts the same run again: the same settings, so the same first weights.
    pub fn reset(&mut self) {
        self.session = Session::new(*self.session.config());
    }

    /// Runs `updates` updates (at least one) and returns their mean loss.
    pub fn train(&mut self, updates: usize) -> f64 {
        self.session.train(&self.train, updates.max(1))
    }

    /// [`Stats`] as JSON.
    pub fn stats(&self) -> String {
        json(&self.session.stats())
    }

    /// [`Evaluation`] as JSON.
    pub fn evaluate(&self) -> String {
        json(&self.session.evaluate(&self.train, &self.test))
    }

    /// The weights drawn as images (see [`views::weight_images`]).
    pub fn weight_images(&self) -> Vec<f32> {
        views::weight_images(&self.session)
    }

    /// The CNN's first-layer kernels (see [`views::filters`]).
    pub fn filters(&self) -> Vec<f32> {
        views::filters(&self.session)
    }

    /// The CNN's first feature maps of an image (see [`views::feature_maps`]).
    pub fn feature_maps(&self, pixels: &[f32]) -> Result<Vec<f32>, JsError> {
        check_image(pixels)?;
        Ok(views::feature_maps(&self.session, pixels))
    }

    /// [`Prediction`] of an image, as JSON.
    pub fn predict(&self, pixels: &[f32]) -> Result<String, JsError> {
        check_image(pixels)?;
        Ok(json(&views::predict(&self.session, pixels)))
    }

    /// [`Symmetry`] of the first layer, as JSON.
    pub fn symmetry(&self) -> String {
        json(&views::symmetry(&self.session))
    }

    /// Test image `index` as 784 values in `[0, 1]`.
    pub fn test_image(&self, index: usize) -> Result<Vec<f32>, JsError> {
        self.check_index(index)?;
        Ok(self.test.image(index))
    }

    /// The label of test image `index`.
    pub fn test_label(&self, index: usize) -> Result<usize, JsError> {
        self.check_index(index)?;
        Ok(self.test.label(index))
    }

    fn check_index(&self, index: usize) -> Result<(), JsError> {
        if index < self.test.len() {
            Ok(())
        } else {
            Err(JsError::new(&format!("there are {} test images; {index} is out of range", self.test.len())))
        }
    }
}

/// A drawing (`height` rows of `width` ink levels in `[0, 1]`) as a 28x28
/// MNIST-style image (see [`drawing::preprocess`]).
#[wasm_bindgen]
pub fn preprocess_drawing(gray: &[f32], width: usize, height: usize) -> Result<Vec<f32>, JsError> {
    Ok(preprocess(gray, width, height)?)
}

/// An image from the page must be 784 numbers in `[0, 1]`.
fn check_image(pixels: &[f32]) -> Result<(), JsError> {
    if pixels.len() != data::PIXELS {
        return Err(JsError::new(&format!("an image has 784 pixels, got {}", pixels.len())));
    }
    if let Some(i) = pixels.iter().position(|v| !(0.0..=1.0).contains(v)) {
        return Err(JsError::new(&format!("pixel {i} is {}, not in [0, 1]", pixels[i])));
    }
    Ok(())
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).expect("plain numbers and strings serialize")
}
