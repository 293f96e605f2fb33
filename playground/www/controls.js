// The settings form: reads it into the engine's config, applies the presets, enables the
// buttons that make sense in each state, and says which settings matter for the network chosen.

import { t } from './language.js';

export const DEFAULTS = {
  network: 'mlp',
  activation: 'relu',
  loss: 'cross-entropy',
  init: 'glorot',
  l2: 0,
  mode: 'minibatch',
  batch_size: 64,
  lr: 0.1,
  train_size: 60000,
  seed: 0,
};

export const PRESETS = {
  // The course's MLP: 784 -> 128 ReLU -> 10, softmax cross-entropy, Glorot, SGD 0.1, batch 64.
  course: { ...DEFAULTS },
  // Zero weights: every hidden unit computes the same thing and gets the same gradient, so
  // they never separate (sigmoid so that the units are not all dead, as ReLU(0) would be).
  zero: { ...DEFAULTS, activation: 'sigmoid', init: 'zeros' },
};

// config field -> element id
const FIELDS = {
  network: 'network',
  activation: 'activation',
  loss: 'loss',
  init: 'init',
  l2: 'l2',
  mode: 'mode',
  batch_size: 'batch-size',
  lr: 'lr',
  train_size: 'train-size',
  seed: 'seed',
};
const NUMERIC = new Set(['l2', 'batch_size', 'lr', 'train_size', 'seed']);

const $ = (id) => document.getElementById(id);

// Numbers are passed as typed (an empty field becomes null): the engine validates them and its
// message is shown, rather than the page silently fixing them.
export function readConfig() {
  const config = {};
  for (const [field, id] of Object.entries(FIELDS)) {
    const value = $(id).value;
    config[field] = NUMERIC.has(field) ? (value.trim() === '' ? null : Number(value)) : value;
  }
  return config;
}

export function writeConfig(config) {
  for (const [field, id] of Object.entries(FIELDS)) $(id).value = String(config[field]);
  explain(config);
}

// Disabled fields and hints that follow the choices.
function explain(config) {
  $('batch-size').disabled = config.mode !== 'minibatch';
  explainSettings(config);
}

// The hints alone (also rewritten when the language changes).
export function explainSettings(config) {
  const T = t();
  let activation = T.network.activationHidden;
  if (config.network === 'perceptron') {
    activation = config.loss === 'mse'
      ? T.network.activationPerceptronMse
      : T.network.activationPerceptronCrossEntropy;
  }
  $('activation-hint').textContent = activation;
  const modes = {
    batch: T.descent.batchHint,
    stochastic: T.descent.stochasticHint,
    minibatch: T.descent.minibatchHint,
  };
  $('mode-hint').textContent = modes[config.mode] ?? '';
}

// Wires the form. `on` holds the callbacks: configure(config), start(), pause(), step(n), reset().
export function bindControls(on) {
  for (const id of Object.values(FIELDS)) {
    $(id).addEventListener('change', () => {
      const config = readConfig();
      explain(config);
      on.configure(config);
    });
  }
  $('start').addEventListener('click', () => on.start());
  $('pause').addEventListener('click', () => on.pause());
  $('reset').addEventListener('click', () => on.reset());
  $('step').addEventListener('click', () => on.step(Number($('steps').value) || 1));
  const preset = (config) => {
    writeConfig(config);
    on.configure(readConfig());
  };
  $('preset-course').addEventListener('click', () => preset(PRESETS.course));
  $('preset-zero').addEventListener('click', () => preset(PRESETS.zero));
  explain(readConfig());
}

// `loaded`: the engine is up; `canTrain`: it holds a valid network for the settings shown.
export function setButtons({ loaded, training, canTrain }) {
  $('start').disabled = !canTrain || training;
  $('step').disabled = !canTrain || training;
  $('pause').disabled = !training;
  $('reset').disabled = !canTrain;
  for (const element of $('controls').querySelectorAll('select, input, button.preset')) {
    element.disabled = !loaded;
  }
  if (loaded) explain(readConfig());
}
