// The side-by-side: the course's MLP trained with the same recipe in Sinapse's
// WebAssembly build, in TensorFlow.js on its wasm backend and on its CPU backend,
// in this page's main thread. Windows of updates are timed round-robin across the
// frameworks so that a change of the (shared) machine's load hits all of them alike;
// the round's first framework rotates, so none always follows the same one (the
// garbage the cpu backend leaves is collected in whichever window comes next).
//
// Query parameters (all optional):
//   updates=N     total updates per framework, warm-up included (default 1000)
//   windows=W     timed windows per framework (default 5)
//   warmup=K      untimed updates before the first window (default 50, at most
//                 N / 5; the remainder of (N - K) / W is added to it)
//   frameworks=   comma-separated rows (default sinapse,tfjs-wasm,tfjs-wasm-transposed,tfjs-cpu);
//                 also tfjs-cpu-transposed, tfjs-wasm-layers, tfjs-cpu-layers (see TFJS)

import { fetchAll, gunzip, parseImageBytes, parseLabels, toFloats } from './mnist.js';
import { makeTfjsTrainer } from './tfjs-mlp.js';

const RECIPE = {
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
const HELDOUT = 1000; // Sinapse's evaluate() uses the first 1000 test images
// The TensorFlow.js rows: backend and way of writing the step (see tfjs-mlp.js).
const TFJS = {
  'tfjs-wasm': { backend: 'wasm', style: 'minimize', label: 'TensorFlow.js wasm (SIMD, 1 thread), its own gradients' },
  'tfjs-wasm-transposed': { backend: 'wasm', style: 'transposed', label: 'TensorFlow.js wasm (SIMD, 1 thread), hand-written dense gradient' },
  'tfjs-wasm-layers': { backend: 'wasm', style: 'layers', label: 'TensorFlow.js wasm (SIMD, 1 thread), layers trainOnBatch' },
  'tfjs-cpu': { backend: 'cpu', style: 'minimize', label: 'TensorFlow.js cpu (plain JS), its own gradients' },
  'tfjs-cpu-transposed': { backend: 'cpu', style: 'transposed', label: 'TensorFlow.js cpu (plain JS), hand-written dense gradient' },
  'tfjs-cpu-layers': { backend: 'cpu', style: 'layers', label: 'TensorFlow.js cpu (plain JS), layers trainOnBatch' },
};
const ALL = ['sinapse', ...Object.keys(TFJS)];
const DEFAULT = ['sinapse', 'tfjs-wasm', 'tfjs-wasm-transposed', 'tfjs-cpu'];
const LABELS = {
  sinapse: 'Sinapse wasm32 (simd128, 1 thread)',
  ...Object.fromEntries(Object.entries(TFJS).map(([id, t]) => [id, t.label])),
};

const statusEl = document.getElementById('status');
const log = (message) => {
  console.log(`[bench] ${message}`);
  statusEl.textContent = message;
};
const pause = () => new Promise((resolve) => setTimeout(resolve, 0));

function params() {
  const q = new URLSearchParams(location.search);
  const int = (name, fallback, min) => {
    if (!q.has(name)) return fallback;
    const v = Number(q.get(name));
    if (!Number.isInteger(v) || v < min) throw new Error(`${name}=${q.get(name)}: expected an integer >= ${min}`);
    return v;
  };
  const updates = int('updates', 1000, 2);
  const windows = int('windows', 5, 1);
  const warmupAsked = int('warmup', Math.min(50, Math.floor(updates / 5)), 0);
  const perWindow = Math.floor((updates - warmupAsked) / windows);
  if (perWindow < 1) throw new Error(`updates=${updates} leaves no update per window after warmup=${warmupAsked}`);
  const warmup = updates - perWindow * windows;
  const frameworks = (q.get('frameworks') ?? DEFAULT.join(',')).split(',').filter(Boolean);
  for (const f of frameworks) if (!ALL.includes(f)) throw new Error(`unknown framework ${f} (known: ${ALL.join(', ')})`);
  if (frameworks.length === 0) throw new Error('frameworks= names none');
  return { updates, windows, warmup, perWindow, frameworks };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function makeSinapse(files) {
  const wasm = await import('../pkg/sinapse_playground_wasm.js');
  // The module's path is given explicitly: wasm-bindgen's library (unlike its
  // command line) leaves the default path out of the generated init unless told.
  await wasm.default({ module_or_path: new URL('../pkg/sinapse_playground_wasm_bg.wasm', import.meta.url) });
  const pg = new wasm.Playground(files.trainImages, files.trainLabels, files.testImages, files.testLabels);
  pg.configure(JSON.stringify(RECIPE));
  const stats = JSON.parse(pg.stats());
  return {
    pg,
    parameters: stats.parameters,
    /** Runs k updates; returns {seconds, images, loss} as the tfjs trainers do. */
    async train(k) {
      const before = JSON.parse(pg.stats()).seen;
      const t0 = performance.now();
      const loss = pg.train(k);
      const seconds = (performance.now() - t0) / 1000;
      const images = JSON.parse(pg.stats()).seen - before;
      return { seconds, images, loss };
    },
    async evaluate() {
      return JSON.parse(pg.evaluate()).heldout;
    },
    stats: () => JSON.parse(pg.stats()),
  };
}

function render(results) {
  const rows = results.frameworks.map((r) => {
    const tr = document.createElement('tr');
    const cells = [
      r.label,
      Math.round(r.imagesPerSecond.median).toLocaleString('en'),
      `${Math.round(r.imagesPerSecond.min).toLocaleString('en')} – ${Math.round(r.imagesPerSecond.max).toLocaleString('en')}`,
      r.lastWindowLoss.toFixed(4),
      `${(100 * r.heldout.accuracy).toFixed(1)}%`,
    ];
    for (const c of cells) {
      const td = document.createElement('td');
      td.textContent = c;
      tr.append(td);
    }
    tr.dataset.framework = r.id;
    return tr;
  });
  document.getElementById('rows').replaceChildren(...rows);
  const notes = [];
  for (const [name, value] of Object.entries(results.ratios)) notes.push(`${name}: ${value.toFixed(2)}x`);
  document.getElementById('ratios').textContent = notes.length ? `Median images/s, ${notes.join('; ')}.` : '';
  document.getElementById('json').textContent = JSON.stringify(results, null, 2);
}

async function run() {
  document.body.dataset.state = 'running';
  const p = params();
  const tf = globalThis.tf;
  if (!tf || !tf.wasm) throw new Error('TensorFlow.js or its wasm backend did not load from ../vendor/');
  document.getElementById('recipe').textContent =
    `${p.updates} updates of 64 images per framework: ${p.warmup} untimed warm-up, then ` +
    `${p.windows} timed windows of ${p.perWindow}, round-robin across the frameworks.`;

  log('fetching MNIST');
  const files = await fetchAll();

  const trainers = {};
  let sinapse = null;
  if (p.frameworks.includes('sinapse')) {
    log('loading Sinapse');
    sinapse = await makeSinapse(files);
    trainers.sinapse = sinapse;
  }

  log('decompressing MNIST for TensorFlow.js');
  const [trainImagesRaw, trainLabelsRaw, testImagesRaw, testLabelsRaw] = await Promise.all(
    [files.trainImages, files.trainLabels, files.testImages, files.testLabels].map(gunzip),
  );
  const trainImages = parseImageBytes(trainImagesRaw, 'train-images');
  const trainLabels = parseLabels(trainLabelsRaw, 'train-labels');
  const testImages = parseImageBytes(testImagesRaw, 't10k-images');
  const testLabels = parseLabels(testLabelsRaw, 't10k-labels');
  if (trainImages.count !== trainLabels.length || trainImages.count < RECIPE.train_size) {
    throw new Error(`training set: ${trainImages.count} images, ${trainLabels.length} labels`);
  }
  if (testImages.count !== testLabels.length || testImages.count < HELDOUT) {
    throw new Error(`test set: ${testImages.count} images, ${testLabels.length} labels`);
  }
  const train = { pixels: trainImages.bytes, labels: trainLabels, count: RECIPE.train_size };
  const test = {
    images: toFloats(testImages.bytes, HELDOUT),
    labels: testLabels.subarray(0, HELDOUT),
    count: HELDOUT,
  };

  // The tfjs side reads its test images through the JavaScript parser; check that
  // they are the images Sinapse evaluates on.
  let testImageCheck = null;
  if (sinapse) {
    let maxDiff = 0;
    let labelMismatches = 0;
    for (let i = 0; i < HELDOUT; i++) {
      const img = sinapse.pg.test_image(i);
      if (img.length !== 784) throw new Error(`pg.test_image(${i}) has ${img.length} values, expected 784`);
      for (let j = 0; j < 784; j++) maxDiff = Math.max(maxDiff, Math.abs(img[j] - test.images[i * 784 + j]));
      if (sinapse.pg.test_label(i) !== test.labels[i]) labelMismatches++;
    }
    testImageCheck = { images: HELDOUT, maxAbsDifference: maxDiff, labelMismatches };
    if (maxDiff > 1e-6 || labelMismatches > 0) {
      throw new Error(`test images differ between Sinapse and the JS parser: ${JSON.stringify(testImageCheck)}`);
    }
  }

  const common = { train, test, batchSize: RECIPE.batch_size, lr: RECIPE.lr, seed: RECIPE.seed };
  const tfjsRows = p.frameworks.filter((f) => f in TFJS);
  const usesWasm = tfjsRows.some((f) => TFJS[f].backend === 'wasm');
  if (tfjsRows.length) {
    // No cross-origin isolation, so no SharedArrayBuffer: the single-threaded SIMD
    // binary. Setting the flag makes that explicit whatever the page's headers.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    tf.wasm.setWasmPaths('../vendor/@tensorflow/tfjs-backend-wasm/dist/');
  }
  for (const id of tfjsRows) {
    log(`initialising ${id}`);
    trainers[id] = await makeTfjsTrainer({ name: id, backend: TFJS[id].backend, style: TFJS[id].style, ...common });
  }
  const order = ALL.filter((f) => p.frameworks.includes(f));

  for (const id of order) {
    if (p.warmup === 0) break;
    log(`warm-up: ${id}, ${p.warmup} updates`);
    await pause();
    await trainers[id].train(p.warmup);
  }
  const windows = Object.fromEntries(order.map((id) => [id, []]));
  for (let w = 0; w < p.windows; w++) {
    for (let j = 0; j < order.length; j++) {
      const id = order[(w + j) % order.length];
      log(`window ${w + 1}/${p.windows}: ${id}`);
      await pause();
      const { seconds, images, loss } = await trainers[id].train(p.perWindow);
      const imagesPerSecond = images / seconds;
      windows[id].push({ seconds, images, loss, imagesPerSecond });
      console.log(`[bench] ${id} window ${w + 1}: ${imagesPerSecond.toFixed(0)} images/s, loss ${loss.toFixed(4)}`);
    }
  }

  log('evaluating');
  const frameworks = [];
  for (const id of order) {
    const rates = windows[id].map((x) => x.imagesPerSecond);
    const heldout = await trainers[id].evaluate();
    frameworks.push({
      id,
      label: LABELS[id],
      parameters: trainers[id].parameters,
      imagesPerSecond: { median: median(rates), min: Math.min(...rates), max: Math.max(...rates) },
      windows: windows[id],
      lastWindowLoss: windows[id][windows[id].length - 1].loss,
      heldout,
    });
  }
  const by = Object.fromEntries(frameworks.map((f) => [f.id, f.imagesPerSecond.median]));
  const ratios = {};
  const first = by.sinapse ? 'sinapse' : order[0];
  for (const id of order) if (id !== first) ratios[`${first} / ${id}`] = by[first] / by[id];

  const results = {
    recipe: RECIPE,
    updates: p.updates,
    warmup: p.warmup,
    windows: p.windows,
    updatesPerWindow: p.perWindow,
    heldoutImages: HELDOUT,
    frameworks,
    ratios,
    sinapseStats: sinapse ? sinapse.stats() : null,
    testImageCheck,
    environment: {
      userAgent: navigator.userAgent,
      hardwareConcurrency: navigator.hardwareConcurrency,
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      tfjs: tf.version.tfjs,
      tfjsBackendWasm: tf.wasm.version_wasm,
      wasmSimd: usesWasm ? await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') : null,
      wasmMultithread: usesWasm ? await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT') : null,
      wasmThreads: usesWasm ? tf.wasm.getThreadsCount() : null,
      tfjsTensorsLeft: tf.memory().numTensors,
    },
  };
  window.benchResults = results;
  render(results);
  log('done');
  document.body.dataset.state = 'done';
}

run().catch((error) => {
  const message = error && error.stack ? error.stack : String(error && error.message ? error.message : error);
  console.error(`[bench] error: ${message}`);
  window.benchError = String(error && error.message ? error.message : error);
  statusEl.textContent = `error: ${window.benchError}`;
  document.body.dataset.state = 'error';
});
