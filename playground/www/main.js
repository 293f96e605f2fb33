// The page: starts the training worker, forwards the controls to it, and draws what it sends
// back (status, curves, weights, filters, feature maps, the drawing's prediction).
// The latest numbers are also kept on `window.playground` for the headless test.

import { LineChart } from './charts.js';
import { bindControls, readConfig, setButtons } from './controls.js';
import { createDrawingPad } from './drawing.js';
import { drawDigit, drawTiles, formatScale } from './images.js';
import { drawHidden, OutputBars } from './outputs.js';

const $ = (id) => document.getElementById(id);
const NAMES = { perceptron: 'perceptron', mlp: 'MLP', cnn: 'CNN' };
const MAX_LOSS_POINTS = 3000;

const playground = {
  state: 'loading',
  readyAt: null,          // ms from navigation start to the first 'ready'
  config: null,
  networks: 0,            // how many fresh networks (configure or reset) have been shown ready
  stats: null,
  updates: 0,
  loss: null,             // mean training loss of the latest slice
  imagesPerSecond: 0,
  evaluation: null,
  symmetry: null,
  prediction: null,       // the drawing's prediction, or null
  predictions: 0,         // how many predictions of the drawing have arrived
  testImage: null,        // {index, label}
  drawn: { weights: 0, filters: 0, featureMaps: 0, drawingMaps: 0 }, // tiles drawn per view
  error: null,
};
window.playground = playground;

let loaded = false;
let canTrain = false;
let history = { losses: [], evaluations: [] };

const lossChart = new LineChart($('loss-chart'), { xLabel: 'updates', yLabel: 'loss' });
const accuracyChart = new LineChart($('accuracy-chart'), {
  xLabel: 'updates', yLabel: 'accuracy', yRange: [0, 1], percent: true,
});
const bars = new OutputBars($('outputs'));

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

// ---- status ----

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
  const parameters = s ? `${n(s.parameters)} parameters` : '';
  const text = {
    loading: `Loading: ${loadingMessage ?? '…'}`,
    ready: `Ready: ${name}, ${parameters}. Press Start or Step.`,
    training: `Training ${name}: ${numbers}${speed}`,
    paused: `Paused: ${numbers}${speed}`,
    error: 'Error: see the message below the title.',
  }[playground.state];
  let warning = '';
  if (playground.loss !== null && !Number.isFinite(playground.loss)) {
    warning = ' · the loss diverged: lower the learning rate';
  }
  $('status').textContent = text + (playground.state === 'error' ? '' : warning);
}

function showError(message) {
  playground.error = message;
  $('error').hidden = !message;
  $('error').textContent = message ?? '';
}

// ---- curves ----

const percent = (x) => `${(100 * x).toFixed(1)}%`;

function drawCurves() {
  const e = history.evaluations;
  lossChart.update([
    { name: 'training loss (each slice)', color: '#b9c6d6', width: 1, points: history.losses },
    { name: 'training', color: '#1f5fa8', points: e.map((p) => [p.updates, p.train.loss]), dots: e.length < 30 },
    { name: 'held-out', color: '#d9730d', points: e.map((p) => [p.updates, p.heldout.loss]), dots: e.length < 30 },
  ]);
  accuracyChart.update([
    { name: 'training', color: '#1f5fa8', points: e.map((p) => [p.updates, p.train.accuracy]), dots: e.length < 30 },
    { name: 'held-out', color: '#d9730d', points: e.map((p) => [p.updates, p.heldout.accuracy]), dots: e.length < 30 },
  ]);
  const last = e[e.length - 1];
  $('heldout-accuracy').textContent = last ? percent(last.heldout.accuracy) : '–';
  $('train-accuracy').textContent = last ? percent(last.train.accuracy) : '–';
}

function addLoss(updates, loss) {
  const losses = history.losses;
  losses.push([updates, loss]);
  // Halve the resolution of long runs: keeps drawing cheap, the shape stays.
  if (losses.length > MAX_LOSS_POINTS) {
    const merged = [];
    for (let i = 0; i + 1 < losses.length; i += 2) {
      merged.push([losses[i + 1][0], (losses[i][1] + losses[i + 1][1]) / 2]);
    }
    if (losses.length % 2) merged.push(losses[losses.length - 1]);
    history.losses = merged;
  }
  $('last-loss').textContent = Number.isFinite(loss) ? loss.toFixed(4) : String(loss);
}

// ---- per-network captions ----

function explainNetwork(config) {
  const network = config.network;
  $('panel-weights').hidden = network === 'cnn';
  $('panel-cnn').hidden = network !== 'cnn';
  if (network === 'perceptron') {
    $('weights-title').textContent = 'Weights of the ten output units';
    $('weights-hint').textContent = 'Each picture is one class\'s 784 weights laid out as the image: '
      + 'red pixels push towards the class, blue pixels away from it. With training they start to look like the digits.';
  } else {
    $('weights-title').textContent = 'Weights of the first 16 hidden units';
    $('weights-hint').textContent = 'Each picture is one hidden unit\'s 784 input weights: the pattern of ink it '
      + 'responds to (red: ink here raises its input, blue: lowers it).';
  }
  $('symmetry-hint').textContent = network === 'perceptron'
    ? 'How many of the 10 output units have different weights.'
    : 'Hidden units with identical weights compute the same thing: with zero initialization they also get '
      + 'the same gradient and never separate, so the whole layer is worth one unit.';
  const hiddenTitle = { perceptron: 'Hidden layer', mlp: 'Hidden layer: 128 activations', cnn: 'Feature maps of the drawing' };
  $('hidden-title').textContent = hiddenTitle[network];
  $('hidden').hidden = network === 'cnn';
  $('drawing-maps').hidden = network !== 'cnn';
  $('hidden-hint').textContent = {
    perceptron: 'The perceptron has none: its outputs are computed straight from the pixels.',
    mlp: 'One cell per hidden unit (red: positive, blue: negative). These 128 numbers are all the output layer sees.',
    cnn: 'The first convolution\'s 32 maps for your drawing, after the activation.',
  }[network];
  const probabilities = config.loss === 'cross-entropy';
  $('outputs-title').textContent = probabilities ? 'Outputs: softmax probabilities' : 'Outputs: sigmoid activations';
  $('outputs-hint').textContent = probabilities
    ? 'The probabilities sum to 1; the largest is the prediction.'
    : 'With mean squared error each output is trained towards 1 for its class and 0 for the others; the largest is the prediction.';
}

// ---- views ----

function showViews({ stats, evaluation, weights, filters, symmetry }) {
  const network = playground.config.network;
  playground.stats = stats;
  playground.updates = stats.updates;
  playground.evaluation = evaluation;
  playground.symmetry = symmetry;
  const e = history.evaluations;
  if (e.length && e[e.length - 1].updates === stats.updates) e.pop();
  e.push({ updates: stats.updates, ...evaluation });
  drawCurves();

  if (network !== 'cnn') {
    const count = weights.length / 784;
    const scale = drawTiles($('weights'), weights, {
      count, width: 28, height: 28, cell: network === 'perceptron' ? 72 : 54, columns: network === 'perceptron' ? 5 : 8,
      labels: network === 'perceptron' ? [...'0123456789'] : null,
    });
    playground.drawn.weights = count;
    $('weights-scale').textContent = `colour scale ${formatScale(scale)}`;
  } else {
    playground.drawn.weights = 0;
  }
  showSymmetry(symmetry, network);

  if (network === 'cnn') {
    const count = filters.length / 9;
    const scale = drawTiles($('filters'), filters, { count, width: 3, height: 3, cell: 30, columns: 16 });
    playground.drawn.filters = count;
    $('filters-scale').textContent = `colour scale ${formatScale(scale)}`;
  } else {
    playground.drawn.filters = 0;
  }
}

function showSymmetry(symmetry, network) {
  const element = $('symmetry');
  if (!symmetry || !symmetry.hidden_units) {
    element.textContent = '';
    return;
  }
  const units = network === 'perceptron' ? 'output units' : 'hidden units';
  const { hidden_units: total, distinct } = symmetry;
  element.innerHTML = '';
  const strong = document.createElement('strong');
  strong.textContent = `${total} ${units}, ${distinct} distinct`;
  if (distinct === 1 && total > 1) strong.className = 'alert';
  element.append(strong);
  if (distinct === 1 && total > 1) element.append(' — all identical: the symmetry is never broken');
}

function showDrawing(message) {
  if (message.empty) {
    playground.prediction = null;
    drawDigit($('preprocessed'), null);
    $('prediction').textContent = '–';
    bars.show(null);
    drawHidden($('hidden'), []);
    $('hidden-caption').textContent = '';
    drawTiles($('drawing-maps'), [], { count: 0 });
    playground.drawn.drawingMaps = 0;
    return;
  }
  const { pixels, prediction, maps } = message;
  playground.prediction = prediction;
  playground.predictions += 1;
  drawDigit($('preprocessed'), pixels);
  $('prediction').textContent = String(prediction.class);
  bars.show(prediction.outputs, prediction.class);
  $('hidden-caption').textContent = drawHidden($('hidden'), playground.config.network === 'mlp' ? prediction.hidden : []);
  const count = maps.length / 676;
  drawTiles($('drawing-maps'), maps, { count, width: 26, height: 26, cell: 52, columns: 8, gap: 3 });
  playground.drawn.drawingMaps = count;
}

function showTestImage({ index, label, pixels, maps }) {
  playground.testImage = { index, label };
  $('test-index').value = String(index);
  $('test-label').textContent = String(label);
  drawDigit($('test-image'), pixels);
  const count = maps.length / 676;
  drawTiles($('feature-maps'), maps, { count, width: 26, height: 26, cell: 52, columns: 8, gap: 3 });
  playground.drawn.featureMaps = count;
}

// ---- messages from the worker ----

worker.onmessage = ({ data: message }) => {
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
      playground.config = message.config;
      playground.stats = message.stats;
      playground.updates = message.stats.updates;
      playground.loss = null;
      playground.imagesPerSecond = 0;
      history = { losses: [], evaluations: [] };
      $('last-loss').textContent = '–';
      explainNetwork(message.config);
      break;
    case 'state':
      if (message.state === 'ready') {
        playground.networks += 1;
        if (playground.readyAt === null) playground.readyAt = performance.now();
      }
      setState(message.state);
      break;
    case 'progress':
      playground.stats = message.stats;
      playground.updates = message.stats.updates;
      playground.loss = message.loss;
      playground.imagesPerSecond = message.imagesPerSecond;
      addLoss(message.stats.updates, message.loss);
      drawCurves();
      showStatus();
      break;
    case 'views':
      showViews(message);
      showStatus();
      break;
    case 'drawing':
      showDrawing(message);
      break;
    case 'test-image':
      showTestImage(message);
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
