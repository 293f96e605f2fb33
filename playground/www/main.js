// The page: starts the training worker, forwards the controls and the drawing to it, shows the
// status, and hands what the worker sends back to the views. The latest numbers are also kept
// on `window.playground` (and the state on <body data-state>) for the headless test.

import { bindControls, readConfig, setButtons } from './controls.js';
import { Curves } from './curves.js';
import { createDrawingPad } from './drawing.js';
import { drawDigit } from './images.js';
import { explainNetwork, showDrawing, showModel, showTestImage } from './views.js';

const $ = (id) => document.getElementById(id);
const NAMES = { perceptron: 'perceptron', mlp: 'MLP', cnn: 'CNN' };

const playground = {
  state: 'loading',       // loading | ready | training | paused | error
  readyAt: null,          // ms from navigation start to the first 'ready'
  config: null,
  networks: 0,            // how many fresh networks (settings or reset) have been shown ready
  stats: null,            // {updates, seen, epoch, examples_per_update, parameters}
  updates: 0,
  loss: null,             // mean training loss of the latest slice
  imagesPerSecond: 0,
  evaluation: null,       // {train: {loss, accuracy}, heldout: {loss, accuracy}}
  evaluateMs: null,       // how long the latest evaluation took in the worker
  symmetry: null,
  prediction: null,       // the drawing's prediction, or null
  predictions: 0,         // how many predictions of the drawing have arrived
  testImage: null,        // {index, label}
  drawn: { weights: 0, filters: 0, featureMaps: 0, drawingMaps: 0 }, // tiles drawn per view
  error: null,
};
window.playground = playground;

let loaded = false;   // the engine is up
let canTrain = false; // it holds a valid network for the settings shown
const curves = new Curves();

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const send = (message, transfer = []) => worker.postMessage(message, transfer);

const pad = createDrawingPad($('canvas'), {
  onStrokeEnd() {
    const { gray, width, height } = pad.ink();
    send({ type: 'drawing', gray, width, height }, [gray.buffer]);
  },
});
$('clear').addEventListener('click', () => {
  pad.clear();
  send({ type: 'clear-drawing' });
});
$('test-index').addEventListener('change', () => {
  send({ type: 'test-index', index: Number($('test-index').value) || 0 });
});

bindControls({
  configure(config) {
    showError(null);
    send({ type: 'configure', config });
  },
  start: () => send({ type: 'start' }),
  pause: () => send({ type: 'pause' }),
  step: (n) => send({ type: 'step', n }),
  reset() {
    showError(null);
    send({ type: 'reset' });
  },
});

function setState(state) {
  playground.state = state;
  document.body.dataset.state = state;
  setButtons({ loaded, training: state === 'training', canTrain });
  showStatus();
}

function showStatus(loadingMessage) {
  const s = playground.stats;
  const n = (x) => Math.round(x).toLocaleString('en-US');
  const numbers = s ? `${n(s.updates)} updates · epoch ${s.epoch.toFixed(2)}` : '';
  const speed = playground.imagesPerSecond ? ` · ${n(playground.imagesPerSecond)} images/s` : '';
  const name = playground.config ? NAMES[playground.config.network] : '';
  const text = {
    loading: `Loading: ${loadingMessage ?? '…'}`,
    ready: `Ready: ${name}, ${s ? n(s.parameters) : '?'} parameters. Press Start or Step.`,
    training: `Training ${name}: ${numbers}${speed}`,
    paused: `Paused: ${numbers}${speed}`,
    error: 'Error: see the message below the title.',
  }[playground.state];
  const diverged = playground.loss !== null && !Number.isFinite(playground.loss)
    && playground.state !== 'error';
  $('status').textContent = text + (diverged ? ' · the loss diverged: lower the learning rate' : '');
}

function showError(message) {
  playground.error = message;
  $('error').hidden = !message;
  $('error').textContent = message ?? '';
}

worker.onmessage = ({ data: message }) => {
  const network = playground.config?.network;
  switch (message.type) {
    case 'loading':
      showStatus(message.message);
      break;
    case 'ready':
      loaded = true;
      playground.trainCount = message.trainCount;
      playground.testCount = message.testCount;
      $('train-size').max = String(message.trainCount);
      $('test-index').max = String(message.testCount - 1);
      break;
    case 'configured':
      canTrain = true;
      Object.assign(playground, {
        config: message.config, stats: message.stats, updates: message.stats.updates,
        loss: null, imagesPerSecond: 0,
      });
      curves.clear();
      explainNetwork(message.config);
      break;
    case 'state':
      if (message.state === 'ready') {
        playground.networks += 1;
        playground.readyAt ??= performance.now();
      }
      setState(message.state);
      break;
    case 'progress':
      Object.assign(playground, {
        stats: message.stats, updates: message.stats.updates, loss: message.loss,
        imagesPerSecond: message.imagesPerSecond,
      });
      curves.addLoss(message.stats.updates, message.loss);
      showStatus();
      break;
    case 'views':
      Object.assign(playground, {
        stats: message.stats, updates: message.stats.updates, evaluation: message.evaluation,
        evaluateMs: message.evaluateMs, symmetry: message.symmetry,
      });
      curves.addEvaluation(message.stats.updates, message.evaluation);
      Object.assign(playground.drawn, showModel(network, message));
      showStatus();
      break;
    case 'drawing':
      playground.drawn.drawingMaps = showDrawing(network, message);
      playground.prediction = message.empty ? null : message.prediction;
      if (!message.empty) playground.predictions += 1;
      break;
    case 'test-image':
      playground.drawn.featureMaps = showTestImage(message);
      playground.testImage = { index: message.index, label: message.label };
      break;
    case 'error':
      canTrain = message.configured;
      if (message.fatal) loaded = false;
      showError(message.message);
      break;
    default:
      showError(`unexpected message from the worker: ${message.type}`);
  }
};

// The worker script itself failed (a missing file, a syntax error): nothing else will report it.
worker.onerror = (event) => {
  event.preventDefault();
  loaded = false;
  canTrain = false;
  showError(`the training worker failed: ${event.message || 'could not load worker.js or pkg/'}`);
  setState('error');
};

setState('loading');
drawDigit($('preprocessed'), null);
drawDigit($('test-image'), null);
send({ type: 'init', config: readConfig() });
