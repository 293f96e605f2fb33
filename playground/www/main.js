// The page: starts the training worker, forwards the controls and the drawing to it, shows the
// status, and hands what the worker sends back to the views. The latest numbers are also kept
// on `window.playground` (and the state on <body data-state>) for the headless test.
// The language switch rewrites every text at once; training goes on.

import { bindControls, explainSettings, readConfig, setButtons } from './controls.js';
import { Curves } from './curves.js';
import { createDrawingPad } from './drawing.js';
import { drawDigit } from './images.js';
import { decimal, initialLanguage, language, onLanguageChange, setLanguage, t, whole } from './language.js';
import { explainNetwork, showDrawing, showModel, showTestImage } from './views.js';

const $ = (id) => document.getElementById(id);

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
let loadingStep = null;  // what the worker is loading: 'engine', 'download' or 'decompress'
let error = null;        // the error shown: {context, detail, stopped}
let lastViews = null;    // the latest 'views' and 'drawing' messages, shown again in another language
let lastDrawing = null;

setLanguage(initialLanguage());
$('lang').value = language();
$('lang').addEventListener('change', () => setLanguage($('lang').value, { remember: true }));

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

function showStatus() {
  const T = t().status;
  const s = playground.stats;
  const progress = (s ? T.progress(whole(s.updates), decimal(s.epoch, 2)) : '')
    + (playground.imagesPerSecond ? T.speed(whole(playground.imagesPerSecond)) : '');
  const name = playground.config ? T.networks[playground.config.network] : '';
  const text = {
    loading: () => (loadingStep ? T.loading(T[loadingStep]) : T.loadingStart),
    ready: () => T.ready(name, s ? whole(s.parameters) : '?'),
    training: () => T.training(name, progress),
    paused: () => T.paused(progress),
    error: () => T.error,
  }[playground.state]();
  const diverged = playground.loss !== null && !Number.isFinite(playground.loss)
    && playground.state !== 'error';
  $('status').textContent = text + (diverged ? T.diverged : '');
}

// `shown`: null, or {context, messageType, detail, stopped}: what was going on (a key of
// `errors` in strings.js; 'message' while the worker handled the page's message of type
// `messageType`), the error's own message (the engine's are in English) and whether the engine
// stopped for good.
function showError(shown) {
  error = shown;
  let message = null;
  if (shown) {
    const T = t().errors;
    const context = shown.context === 'message' ? T.message(shown.messageType) : T[shown.context];
    message = (shown.detail ? `${context}: ${shown.detail}` : context) + (shown.stopped ? T.stopped : '');
  }
  playground.error = message;
  $('error').hidden = !message;
  $('error').textContent = message ?? '';
}

// Every text the code writes, again in the language just chosen (index.html's own texts are
// already done): the status, the error, the hints, the charts and the views.
onLanguageChange(() => {
  showStatus();
  showError(error);
  explainSettings(readConfig());
  const network = playground.config?.network;
  if (playground.config) explainNetwork(playground.config);
  curves.draw();
  if (lastViews) showModel(network, lastViews);
  if (lastDrawing) showDrawing(network, lastDrawing);
});

worker.onmessage = ({ data: message }) => {
  const network = playground.config?.network;
  switch (message.type) {
    case 'loading':
      loadingStep = message.step;
      showStatus();
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
      lastViews = message;
      Object.assign(playground.drawn, showModel(network, message));
      showStatus();
      break;
    case 'drawing':
      lastDrawing = message;
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
      showError({ context: message.context, messageType: message.messageType, detail: message.detail,
        stopped: message.stopped });
      break;
    default:
      showError({ context: 'unexpected', detail: message.type });
  }
};

// The worker script itself failed (a missing file, a syntax error): nothing else will report it.
worker.onerror = (event) => {
  event.preventDefault();
  loaded = false;
  canTrain = false;
  showError(event.message ? { context: 'worker', detail: event.message } : { context: 'workerMissing' });
  setState('error');
};

setState('loading');
drawDigit($('preprocessed'), null);
drawDigit($('test-image'), null);
send({ type: 'init', config: readConfig() });
