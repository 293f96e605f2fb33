//! The page's settings, parsed and checked before anything is built.
//!
//! The page sends them as JSON. Every field is required and every value is
//! checked, so a typo in a select's value or an empty number field becomes a
//! [`ConfigError`] naming the field, never a network built from a default.

use serde::Deserialize;
use sinapse_nn::Init;
use sinapse_optim::GdMode;
use thiserror::Error;

/// The largest training set: MNIST's 60,000 images.
pub const MAX_TRAIN_SIZE: usize = 60_000;

/// Which of the course's networks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Network {
    /// Practice I: `784 -> 10`, one layer.
    Perceptron,
    /// `784 -> 128 -> 10`.
    Mlp,
    /// The course CNN: `Conv(32, 3x3) -> MaxPool 2 -> Conv(64, 3x3) -> MaxPool 2 -> Dense(10)`.
    Cnn,
}

/// The activation of the hidden layers (and of the perceptron's outputs
/// under the squared error).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Activation {
    /// `1 / (1 + e^-z)`.
    Sigmoid,
    /// `tanh z`.
    Tanh,
    /// `max(0, z)`.
    Relu,
}

/// The loss the updates descend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LossChoice {
    /// Mean squared error between the output activations and the one-hot label.
    Mse,
    /// Softmax cross-entropy on the logits against the one-hot label.
    CrossEntropy,
}

/// How the weights start (biases always start at zero).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InitChoice {
    /// All zeros: every hidden unit computes the same thing, forever.
    Zeros,
    /// `N(0, 0.05^2)`, Keras's `RandomNormal()`.
    Normal,
    /// `U(-0.05, 0.05)`, Keras's `RandomUniform()`.
    Uniform,
    /// The course's Glorot: `U(-1/sqrt(n_in), 1/sqrt(n_in))`.
    GlorotCourse,
    /// Glorot-uniform: `U(-a, a)`, `a = sqrt(6 / (n_in + n_out))`, Keras's default.
    Glorot,
}

impl InitChoice {
    /// The library's initializer for this choice.
    pub fn init(self) -> Init {
        match self {
            InitChoice::Zeros => Init::Zeros,
            InitChoice::Normal => Init::Normal { mean: 0.0, std: 0.05 },
            InitChoice::Uniform => Init::Uniform { limit: 0.05 },
            InitChoice::GlorotCourse => Init::GlorotCourse,
            InitChoice::Glorot => Init::GlorotUniform,
        }
    }
}

/// Which examples each update sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModeChoice {
    /// The whole training set per update.
    Batch,
    /// One example per update.
    Stochastic,
    /// `batch_size` examples per update.
    Minibatch,
}

/// Everything that defines a run. Two runs with equal configs compute the
/// same numbers.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The network.
    pub network: Network,
    /// The hidden activation.
    pub activation: Activation,
    /// The loss.
    pub loss: LossChoice,
    /// The weight initialization.
    pub init: InitChoice,
    /// `lambda` of the course's L2 term `lambda/2 * ||W||^2` on the weights.
    pub l2: f64,
    /// The gradient-descent regime.
    pub mode: ModeChoice,
    /// Examples per update in minibatch mode.
    pub batch_size: usize,
    /// The learning rate.
    pub lr: f64,
    /// How many of the training images are used (the first ones).
    pub train_size: usize,
    /// Seeds the weights and the order of the examples.
    pub seed: u64,
}

/// A setting the page sent that cannot be used.
#[derive(Debug, Error, PartialEq)]
pub enum ConfigError {
    /// Not JSON, a missing field, an unknown field or an unknown choice.
    #[error("the settings could not be read: {0}")]
    Malformed(String),
    /// A number outside its range.
    #[error("{field} must be {expected}, got {got}")]
    OutOfRange {
        /// The setting.
        field: &'static str,
        /// Its valid range, in words.
        expected: &'static str,
        /// What was sent.
        got: String,
    },
}

impl Config {
    /// The course's MLP recipe: ReLU, cross-entropy, Glorot, minibatch 64,
    /// learning rate 0.1, every training image, seed 0.
    pub fn default_mlp() -> Config {
        Config {
            network: Network::Mlp,
            activation: Activation::Relu,
            loss: LossChoice::CrossEntropy,
            init: InitChoice::Glorot,
            l2: 0.0,
            mode: ModeChoice::Minibatch,
            batch_size: 64,
            lr: 0.1,
            train_size: MAX_TRAIN_SIZE,
            seed: 0,
        }
    }

    /// Parses and checks the page's JSON.
    pub fn from_json(json: &str) -> Result<Config, ConfigError> {
        let config: Config = serde_json::from_str(json).map_err(|e| ConfigError::Malformed(e.to_string()))?;
        config.check()?;
        Ok(config)
    }

    /// Checks every number against its range.
    pub fn check(&self) -> Result<(), ConfigError> {
        let bad = |field, expected, got: String| Err(ConfigError::OutOfRange { field, expected, got });
        if !(self.l2.is_finite() && self.l2 >= 0.0) {
            return bad("l2", "a number >= 0", self.l2.to_string());
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return bad("lr", "a number > 0", self.lr.to_string());
        }
        if self.batch_size == 0 || self.batch_size > MAX_TRAIN_SIZE {
            return bad("batch_size", "between 1 and 60000", self.batch_size.to_string());
        }
        if self.train_size == 0 || self.train_size > MAX_TRAIN_SIZE {
            return bad("train_size", "between 1 and 60000", self.train_size.to_string());
        }
        Ok(())
    }

    /// The regime as the optimizer crate names it.
    pub fn gd_mode(&self) -> GdMode {
        match self.mode {
            ModeChoice::Batch => GdMode::Batch,
            ModeChoice::Stochastic => GdMode::Stochastic,
            ModeChoice::Minibatch => GdMode::Minibatch(self.batch_size),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MLP: &str = r#"{"network":"mlp","activation":"relu","loss":"cross-entropy","init":"glorot","l2":0,
        "mode":"minibatch","batch_size":64,"lr":0.1,"train_size":60000,"seed":0}"#;

    #[test]
    fn the_page_defaults_parse_to_the_course_mlp() {
        assert_eq!(Config::from_json(MLP), Ok(Config::default_mlp()));
    }

    #[test]
    fn every_choice_the_page_offers_parses() {
        for (field, values) in [
            ("network", &["perceptron", "mlp", "cnn"][..]),
            ("activation", &["sigmoid", "tanh", "relu"][..]),
            ("loss", &["mse", "cross-entropy"][..]),
            ("init", &["zeros", "normal", "uniform", "glorot-course", "glorot"][..]),
            ("mode", &["batch", "stochastic", "minibatch"][..]),
        ] {
            for v in values {
                let mut json: serde_json::Value = serde_json::from_str(MLP).unwrap();
                json[field] = serde_json::Value::String(v.to_string());
                assert!(Config::from_json(&json.to_string()).is_ok(), "{field} = {v}");
            }
        }
    }

    #[test]
    fn unknown_choices_missing_fields_and_bad_numbers_are_refused() {
        let with = |field: &str, value: serde_json::Value| {
            let mut json: serde_json::Value = serde_json::from_str(MLP).unwrap();
            json[field] = value;
            Config::from_json(&json.to_string())
        };
        assert!(matches!(with("network", "resnet".into()), Err(ConfigError::Malformed(_))));
        assert!(matches!(with("lr", 0.0.into()), Err(ConfigError::OutOfRange { field: "lr", .. })));
        assert!(matches!(with("lr", (-1.0).into()), Err(ConfigError::OutOfRange { field: "lr", .. })));
        assert!(matches!(with("l2", (-0.1).into()), Err(ConfigError::OutOfRange { field: "l2", .. })));
        assert!(matches!(with("batch_size", 0.into()), Err(ConfigError::OutOfRange { field: "batch_size", .. })));
        assert!(matches!(with("train_size", 60_001.into()), Err(ConfigError::OutOfRange { field: "train_size", .. })));
        assert!(matches!(with("seed", (-3).into()), Err(ConfigError::Malformed(_))));
        assert!(matches!(with("batch_size", 6.5.into()), Err(ConfigError::Malformed(_))));
        assert!(matches!(with("extra", 1.into()), Err(ConfigError::Malformed(_))));
        let mut json: serde_json::Value = serde_json::from_str(MLP).unwrap();
        json.as_object_mut().unwrap().remove("lr");
        assert!(matches!(Config::from_json(&json.to_string()), Err(ConfigError::Malformed(_))));
        assert!(matches!(Config::from_json("not json"), Err(ConfigError::Malformed(_))));
    }
}
