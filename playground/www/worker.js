// The training worker: owns the Sinapse engine (the WebAssembly `Playground`) and does all the
// training here, so the page stays responsive while the network learns.
//
// Page -> worker: {type: 'init', config} | 'configure' {config} | 'start' | 'pause'
//   | 'step' {n} | 'reset' | 'drawing' {gray, width, height} | 'clear-drawing' | 'test-index' {index}
// Worker -> page: 'loading' {step} | 'ready' {trainCount, testCount}
//   | 'state' {state} | 'configured' {config, stats} | 'progress' {stats, loss, imagesPerSecond}
//   | 'views' {...} | 'drawing' {...} | 'test-image' {...}
//   | 'error' {context, messageType, detail, stopped, fatal, configured}
// The worker sends no text of its own for the page to show: 'loading' names a step, and an
// error names what was going on (the page words both in its language) and carries the
// message of the error itself.

import init, { Playground, preprocess_drawing } from './pkg/sinapse_playground_wasm.js';

const DATA_FILES = [
  'train-images-idx3-ubyte.gz',
  'train-labels-idx1-ubyte.gz',
  't10k-images-idx3-ubyte.gz',
  't10k-labels-idx1-ubyte.gz',
];
// Training time per slice: long enough that messaging costs nothing, short enough that pause
// and setting changes answer at once.
const SLICE_MS = 120;
// Evaluation (2000 images) and the views are refreshed after at least this much training time,
// or three times the evaluation's own cost, so that the CNN's evaluation never takes more than
// a quarter of the time.
const VIEW_INTERVAL_MS = 700;
// images/s is averaged over the last slices that add up to this much training time.
const RATE_WINDOW_MS = 1500;

let pg = null;
let configured = false;   // the engine holds a network built from the last config sent
let config = null;
let running = false;
let runId = 0;            // a new id per run: a stale scheduled slice of an older run stops itself
let target = Infinity;    // the update count at which the current run stops (Step)
let msPerUpdate = null;
let sinceViewsMs = 0;
let evaluateMs = 0;
let rateWindow = [];      // [{images, ms}] of recent slices
let testIndex = 0;
let drawing = null;       // the preprocessed drawing (784 values) or null when nothing is drawn

const post = (message, transfer = []) => self.postMessage(message, transfer);

function errorMessage(error) {
  if (error instanceof Error) return error.message || String(error);
  return typeof error === 'string' ? error : JSON.stringify(error);
}

// `context`: what was going on, one of 'engine', 'download', 'read', 'settings', 'training', or
// 'message' while handling the page's message of type `messageType`.
function reportError(error, context, { fatal = false, messageType = null } = {}) {
  // A Rust panic surfaces as a RuntimeError ('unreachable'); the engine is unusable after it.
  const stopped = error instanceof WebAssembly.RuntimeError;
  if (stopped) fatal = true;
  if (fatal) pg = null;
  running = false;
  post({ type: 'error', context, messageType, detail: errorMessage(error), stopped, fatal,
    configured: configured && !fatal });
  setState('error');
}

function setState(state) {
  post({ type: 'state', state });
}

function stats() {
  return JSON.parse(pg.stats());
}

async function load(initialConfig) {
  post({ type: 'loading', step: 'engine' });
  try {
    // The path is given explicitly: the generated loader does not always default to it.
    await init({ module_or_path: new URL('./pkg/sinapse_playground_wasm_bg.wasm', import.meta.url) });
  } catch (error) {
    reportError(error, 'engine', { fatal: true });
    return;
  }
  post({ type: 'loading', step: 'download' });
  let buffers;
  try {
    buffers = await Promise.all(DATA_FILES.map(async (name) => {
      const url = new URL(`./data/mnist/${name}`, import.meta.url);
      const response = await fetch(url);
      if (!response.ok) throw new Error(`data/mnist/${name}: HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    }));
  } catch (error) {
    reportError(error, 'download', { fatal: true });
    return;
  }
  post({ type: 'loading', step: 'decompress' });
  try {
    pg = new Playground(...buffers);
  } catch (error) {
    reportError(error, 'read', { fatal: true });
    return;
  }
  post({ type: 'ready', trainCount: pg.train_count, testCount: pg.test_count });
  configure(initialConfig);
}

function configure(newConfig) {
  stopRun();
  config = newConfig;
  try {
    pg.configure(JSON.stringify(config));
  } catch (error) {
    configured = false;
    reportError(error, 'settings');
    return;
  }
  configured = true;
  afterFreshWeights();
}

function afterFreshWeights() {
  msPerUpdate = null;
  rateWindow = [];
  post({ type: 'configured', config, stats: stats() });
  postViews();
  postTestImage();
  setState('ready');
}

function stopRun() {
  running = false;
  runId += 1;
}

function startRun(updates) {
  if (!configured) return;
  const current = stats().updates;
  target = updates === Infinity ? Infinity : current + updates;
  if (running) return; // a Step while training just sets where the run stops
  running = true;
  runId += 1;
  const id = runId;
  setState('training');
  scheduleSlice(id);
}

// One slice of a run, scheduled by setTimeout so that messages (pause, new settings) are
// handled between slices; its errors are reported like those of a message.
function scheduleSlice(id) {
  setTimeout(() => {
    try {
      slice(id);
    } catch (error) {
      reportError(error, 'training');
    }
  }, 0);
}

function slice(id) {
  if (!running || id !== runId) return;
  const done = stats().updates;
  const remaining = target - done;
  if (remaining <= 0) return finishRun();
  // As many updates as fit in SLICE_MS at the measured speed (at least one: a 'batch' update
  // over 60000 images takes seconds, and that is fine).
  const fit = msPerUpdate ? Math.floor(SLICE_MS / msPerUpdate) : 1;
  const k = Math.max(1, Math.min(remaining, fit, 5000));
  const t0 = performance.now();
  const loss = pg.train(k);
  const ms = performance.now() - t0;
  const perUpdate = ms / k;
  msPerUpdate = msPerUpdate == null ? perUpdate : 0.5 * msPerUpdate + 0.5 * perUpdate;

  const s = stats();
  rateWindow.push({ images: k * s.examples_per_update, ms });
  let windowMs = rateWindow.reduce((sum, r) => sum + r.ms, 0);
  while (rateWindow.length > 1 && windowMs - rateWindow[0].ms >= RATE_WINDOW_MS) {
    windowMs -= rateWindow.shift().ms;
  }
  const images = rateWindow.reduce((sum, r) => sum + r.images, 0);
  const imagesPerSecond = windowMs > 0 ? (1000 * images) / windowMs : 0;
  post({ type: 'progress', stats: s, loss, imagesPerSecond });

  sinceViewsMs += ms;
  if (s.updates >= target) return finishRun();
  if (sinceViewsMs >= Math.max(VIEW_INTERVAL_MS, 3 * evaluateMs)) postViews();
  scheduleSlice(id);
}

function finishRun() {
  stopRun();
  postViews();
  setState('paused');
}

// Everything that changes when the weights change: evaluation, weight images, filters,
// symmetry, and the answers for the drawing and the chosen test image.
function postViews() {
  sinceViewsMs = 0;
  const t0 = performance.now();
  const evaluation = JSON.parse(pg.evaluate());
  evaluateMs = performance.now() - t0;
  const weights = pg.weight_images();
  const filters = pg.filters();
  const symmetry = JSON.parse(pg.symmetry());
  post({ type: 'views', stats: stats(), evaluation, evaluateMs, weights, filters, symmetry },
    [weights.buffer, filters.buffer]);
  postDrawing();
  if (config.network === 'cnn') postTestImage();
}

function postDrawing() {
  if (!drawing) return;
  const prediction = JSON.parse(pg.predict(drawing));
  const maps = pg.feature_maps(drawing);
  const pixels = drawing.slice();
  post({ type: 'drawing', empty: false, pixels, prediction, maps }, [pixels.buffer, maps.buffer]);
}

function postTestImage() {
  const pixels = pg.test_image(testIndex);
  const label = pg.test_label(testIndex);
  const maps = configured ? pg.feature_maps(pixels) : new Float32Array(0);
  post({ type: 'test-image', index: testIndex, label, pixels, maps }, [pixels.buffer, maps.buffer]);
}

function handle(message) {
  switch (message.type) {
    case 'init':
      load(message.config);
      return;
    case 'configure':
      configure(message.config);
      return;
    case 'start':
      startRun(Infinity);
      return;
    case 'step':
      startRun(Math.max(1, Math.floor(message.n) || 1));
      return;
    case 'pause':
      if (running) finishRun();
      return;
    case 'reset':
      if (!configured) return;
      stopRun();
      pg.reset();
      afterFreshWeights();
      return;
    case 'drawing': {
      const gray = new Float32Array(message.gray);
      drawing = preprocess_drawing(gray, message.width, message.height);
      if (drawing.every((v) => v === 0)) {
        drawing = null;
        post({ type: 'drawing', empty: true });
      } else if (configured) {
        postDrawing();
      }
      return;
    }
    case 'clear-drawing':
      drawing = null;
      post({ type: 'drawing', empty: true });
      return;
    case 'test-index':
      testIndex = Math.min(Math.max(0, Math.floor(message.index) || 0), pg.test_count - 1);
      postTestImage();
      return;
    default:
      throw new Error(`unknown message ${JSON.stringify(message.type)}`);
  }
}

self.onmessage = (event) => {
  const message = event.data;
  if (!pg && message.type !== 'init') return; // not loaded yet, or stopped after a fatal error
  try {
    handle(message);
  } catch (error) {
    reportError(error, 'message', { messageType: message.type });
  }
};
