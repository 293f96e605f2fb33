// Headless test of the playground page in Debian's Chromium:
//   node playground/tests/browser.mjs <url> <artefact-dir>
// Loads the page, trains the course's MLP, draws a digit, checks the zero-initialization
// symmetry, the CNN's filters and feature maps, the perceptron's weight images, the error
// display and the Portuguese version of the page, saves screenshot.png (the MLP mid-training),
// one screenshot per other network and screenshot-pt.png (in Portuguese) into <artefact-dir>,
// and prints one line per check.
// Exit code 0 only when every check passes, no request left the machine, and the page logged
// no error.

import { chromium } from 'playwright-core';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const [url, artefacts] = process.argv.slice(2);
if (!url || !artefacts) {
  console.error('usage: node playground/tests/browser.mjs <url> <artefact-dir>');
  process.exit(2);
}

const LOAD_TIMEOUT = 120_000;
const TRAIN_TIMEOUT = 180_000;
const MLP_UPDATES = 300;

const results = [];
function check(name, ok, detail) {
  results.push({ name, ok });
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}: ${detail}`);
}

const external = [];
const local = [];
const consoleErrors = [];

await mkdir(artefacts, { recursive: true });
const profile = await mkdtemp(path.join(tmpdir(), 'sinapse-playground-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

let exitCode = 1;
try {
  // Every request must stay on this machine; anything else is aborted and counted.
  await context.route('**/*', (route) => {
    const requestUrl = route.request().url();
    const { protocol, hostname } = new URL(requestUrl);
    const isLocal = ['data:', 'blob:'].includes(protocol)
      || ['127.0.0.1', 'localhost', '[::1]'].includes(hostname);
    if (isLocal) {
      local.push(requestUrl);
      return route.continue();
    }
    external.push(requestUrl);
    return route.abort();
  });

  const page = context.pages()[0] ?? await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
  page.on('worker', (worker) => {
    worker.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`worker console: ${message.text()}`);
    });
  });

  const pg = () => page.evaluate(() => window.playground);
  const waitFor = (predicate, arg, timeout = TRAIN_TIMEOUT) =>
    page.waitForFunction(predicate, arg, { timeout, polling: 100 });
  // Changes a setting (or clicks a preset) and waits until the fresh network's views are shown.
  async function reconfigure(action, network) {
    const before = (await pg()).networks;
    await action();
    await waitFor(([n, count]) => window.playground.networks > count
      && window.playground.config.network === n, [network, before]);
  }
  // Step `n` updates from a ready network and wait until the views after them have arrived.
  async function step(n) {
    const before = (await pg()).updates;
    await page.fill('#steps', String(n));
    await page.click('#step');
    await waitFor((target) => window.playground.state === 'paused'
      && window.playground.updates >= target, before + n);
  }
  // How many different colours a canvas holds (a drawn view has many, an empty one 0 or 1).
  const colours = (selector) => page.$eval(selector, (canvas) => {
    if (canvas.width === 0 || canvas.height === 0) return 0;
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const seen = new Set();
    for (let i = 0; i < data.length; i += 4) {
      seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      if (seen.size > 50) break;
    }
    return seen.size;
  });

  // 1. Load.
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state), null,
    { timeout: LOAD_TIMEOUT, polling: 100 });
  let state = await pg();
  check('load', state.state === 'ready',
    state.state === 'ready'
      ? `ready ${Math.round(state.readyAt)} ms after navigation start (${state.trainCount} training, ${state.testCount} test images)`
      : `state ${state.state}: ${state.error}`);
  if (state.state !== 'ready') throw new Error('the page did not load');
  console.log(`figure: page load time ${Math.round(state.readyAt)} ms`);

  // 2. The course's MLP (the defaults): a fixed number of updates, then the held-out accuracy.
  const defaults = state.config;
  const expected = { network: 'mlp', activation: 'relu', loss: 'cross-entropy', init: 'glorot', l2: 0,
    mode: 'minibatch', batch_size: 64, lr: 0.1, train_size: 60000, seed: 0 };
  const sameDefaults = JSON.stringify(defaults) === JSON.stringify(expected);
  check('defaults', sameDefaults, JSON.stringify(defaults));
  const t0 = Date.now();
  await step(MLP_UPDATES);
  const seconds = (Date.now() - t0) / 1000;
  state = await pg();
  const accuracy = state.evaluation.heldout.accuracy;
  check('mlp accuracy', state.updates === MLP_UPDATES && accuracy >= 0.85,
    `${state.updates} updates in ${seconds.toFixed(1)} s, held-out accuracy ${(100 * accuracy).toFixed(1)}%`
    + ` (training ${(100 * state.evaluation.train.accuracy).toFixed(1)}%), page shows ${await page.textContent('#heldout-accuracy')}`);
  console.log(`figure: MLP ${MLP_UPDATES} updates of 64: ${Math.round(state.imagesPerSecond)} images/s inside train(),`
    + ` ${Math.round((MLP_UPDATES * 64) / seconds)} images/s from click to views (evaluations included)`);

  // 3. Draw a "1": one stroke down the middle of the canvas, 140 px long and slightly slanted
  // as handwriting is. Preprocessing scales the ink's bounding box to 20 px high, so the 20 px
  // pen becomes about 2.5 px wide, as MNIST's ones are; a stroke the canvas's full height would
  // become a 1.8 px line, which the MLP reads less surely (probability ~0.55 against ~0.97).
  const box = await page.locator('#canvas').boundingBox();
  const predictionsBefore = state.predictions;
  await page.mouse.move(box.x + 144, box.y + 70);
  await page.mouse.down();
  for (let i = 1; i <= 20; i++) await page.mouse.move(box.x + 144 - i * 0.4, box.y + 70 + i * 7);
  await page.mouse.up();
  await waitFor((n) => window.playground.predictions > n, predictionsBefore, 30_000);
  state = await pg();
  const shown = (await page.textContent('#prediction')).trim();
  const outputs = state.prediction.outputs.map((v) => v.toFixed(2)).join(' ');
  check('drawing a 1', shown === '1' && state.prediction.class === 1,
    `#prediction reads ${shown}, outputs [${outputs}], ${state.prediction.hidden.length} hidden activations`);
  check('drawing preprocessed', (await colours('#preprocessed')) > 2, 'the 28x28 input shown has ink');

  // 4. Mid-training screenshot of the MLP, and the speed while running freely.
  await page.click('#start');
  await waitFor(() => window.playground.state === 'training');
  const runStart = await pg();
  const runT0 = Date.now();
  await page.waitForTimeout(4000);
  await page.screenshot({ path: path.join(artefacts, 'screenshot.png') });
  const runEnd = await pg();
  await page.click('#pause');
  await waitFor(() => window.playground.state === 'paused');
  const freeRate = ((runEnd.updates - runStart.updates) * 64) / ((Date.now() - runT0) / 1000);
  check('start and pause', runEnd.updates > runStart.updates,
    `${runEnd.updates - runStart.updates} updates in 4 s of Start, then paused`);
  console.log(`figure: MLP training freely: ${Math.round(runEnd.imagesPerSecond)} images/s inside train(),`
    + ` about ${Math.round(freeRate)} images/s overall (evaluations and drawing included)`);

  // 5. Zero initialization: the hidden units never separate.
  await reconfigure(() => page.click('#preset-zero'), 'mlp');
  await step(20);
  state = await pg();
  const symmetryText = (await page.textContent('#symmetry')).trim();
  check('zero initialization', state.config.init === 'zeros' && state.symmetry.distinct === 1
    && /\b1 distinct\b/.test(symmetryText), `after ${state.updates} updates: "${symmetryText}"`);
  await page.screenshot({ path: path.join(artefacts, 'zero-initialization.png') });

  // 6. The CNN: filters and feature maps drawn after one update.
  await reconfigure(() => page.click('#preset-course'), 'mlp');
  await reconfigure(() => page.selectOption('#network', 'cnn'), 'cnn');
  await step(1);
  state = await pg();
  const filterColours = await colours('#filters');
  const mapColours = await colours('#feature-maps');
  check('cnn views', state.drawn.filters === 32 && state.drawn.featureMaps === 32
    && filterColours > 10 && mapColours > 10 && state.drawn.drawingMaps === 32,
    `${state.drawn.filters} filters (${filterColours}+ colours), ${state.drawn.featureMaps} feature maps of test image `
    + `#${state.testImage.index} (label ${state.testImage.label}, ${mapColours}+ colours), `
    + `${state.drawn.drawingMaps} maps of the drawing; held-out accuracy after 1 update `
    + `${(100 * state.evaluation.heldout.accuracy).toFixed(1)}%`);
  await page.screenshot({ path: path.join(artefacts, 'cnn.png') });
  await page.fill('#test-index', '7');
  await page.press('#test-index', 'Tab');
  await waitFor(() => window.playground.testImage?.index === 7, null, 30_000);
  state = await pg();
  check('test image picker', state.testImage.index === 7, `test image #7 has label ${state.testImage.label}`);

  // 7. The perceptron: its ten weight images.
  await reconfigure(() => page.selectOption('#network', 'perceptron'), 'perceptron');
  await step(300);
  state = await pg();
  const weightColours = await colours('#weights');
  check('perceptron weights', state.drawn.weights === 10 && weightColours > 10,
    `${state.drawn.weights} weight images (${weightColours}+ colours) after ${state.updates} updates, `
    + `held-out accuracy ${(100 * state.evaluation.heldout.accuracy).toFixed(1)}%`);
  await page.screenshot({ path: path.join(artefacts, 'perceptron.png') });

  // 8. An invalid setting is reported on the page, and a valid one recovers.
  await page.fill('#lr', '0');
  await page.press('#lr', 'Tab');
  await waitFor(() => window.playground.state === 'error', null, 30_000);
  const errorText = (await page.textContent('#error')).trim();
  const errorVisible = await page.isVisible('#error');
  await reconfigure(async () => {
    await page.fill('#lr', '0.1');
    await page.press('#lr', 'Tab');
  }, 'perceptron');
  const errorGone = !(await page.isVisible('#error'));
  check('error display', errorVisible && errorText.length > 0 && errorGone,
    `learning rate 0 shows "${errorText}"; 0.1 clears it`);

  // 9. Every other control, one value at a time on a small MLP: the engine receives the value,
  // two updates run, and each gradient-descent mode takes the examples it should. Reset brings
  // the run back to 0 updates.
  await reconfigure(() => page.click('#preset-course'), 'mlp');
  await reconfigure(async () => {
    await page.fill('#train-size', '500');
    await page.press('#train-size', 'Tab');
  }, 'mlp');
  const sweep = [
    ['activation', 'activation', ['sigmoid', 'tanh', 'relu']],
    ['loss', 'loss', ['mse', 'cross-entropy']],
    ['init', 'init', ['zeros', 'normal', 'uniform', 'glorot-course', 'glorot']],
    ['mode', 'mode', ['batch', 'stochastic', 'minibatch']],
    ['batch-size', 'batch_size', [32]],
    ['l2', 'l2', [0.001, 0]],
    ['lr', 'lr', [0.05, 0.1]],
    ['seed', 'seed', [3]],
  ];
  // Examples per update: every image used, one, or the minibatch size (64, then 32 once set).
  const perUpdate = { batch: 500, stochastic: 1, minibatch: 64 };
  const failures = [];
  let tried = 0;
  for (const [id, field, values] of sweep) {
    for (const value of values) {
      await reconfigure(async () => {
        if (typeof value === 'string') {
          await page.selectOption(`#${id}`, value);
        } else {
          await page.fill(`#${id}`, String(value));
          await page.press(`#${id}`, 'Tab');
        }
      }, 'mlp');
      await step(2);
      state = await pg();
      tried += 1;
      const modeOk = (field !== 'mode' || state.stats.examples_per_update === perUpdate[value])
        && (field !== 'batch_size' || state.stats.examples_per_update === value);
      if (state.config[field] !== value || state.updates !== 2 || !Number.isFinite(state.loss) || !modeOk) {
        failures.push(`${field}=${value}: config ${state.config[field]}, ${state.updates} updates, `
          + `loss ${state.loss}, ${state.stats.examples_per_update} examples per update`);
      }
    }
  }
  await page.click('#reset');
  await waitFor(() => window.playground.updates === 0, null, 30_000);
  state = await pg();
  check('every control', failures.length === 0 && state.updates === 0,
    failures.length ? failures.join('; ')
      : `${tried} settings each reached the engine and trained 2 updates (batch 500, stochastic 1, `
        + `minibatch 64 then 32 examples per update); reset returned to 0 updates`);

  // 10. The page in Portuguese: the language switch rewrites the texts (those of index.html and
  // those the code writes, numbers with a decimal comma), the network keeps training, and every
  // text exists in both languages. Then back to English.
  const texts = () => page.evaluate(() => ({
    lang: document.documentElement.lang,
    start: document.getElementById('start').textContent.trim(),
    symmetry: document.getElementById('symmetry').textContent.trim(),
    status: document.getElementById('status').textContent.trim(),
    modeHint: document.getElementById('mode-hint').textContent.trim(),
    accuracy: document.getElementById('heldout-accuracy').textContent.trim(),
  }));
  const english = await texts();
  const updatesBefore = (await pg()).updates;
  await page.selectOption('#lang', 'pt');
  const portuguese = await texts();
  const unchanged = (await pg()).updates === updatesBefore;
  const sameKeys = await page.evaluate(async () => {
    const { STRINGS } = await import('./strings.js');
    const shape = (object) => Object.entries(object).sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) =>
      (value && typeof value === 'object' ? `${key}{${shape(value)}}` : `${key}:${typeof value}`)).join(',');
    return shape(STRINGS.en) === shape(STRINGS.pt);
  });
  await step(2);
  state = await pg();
  const trained = await texts();
  // The screenshot: the course's MLP on all the training images, as in screenshot.png.
  await reconfigure(() => page.click('#preset-course'), 'mlp');
  await page.click('#start');
  await waitFor(() => window.playground.state === 'training');
  await page.waitForTimeout(2000);
  const training = await texts();
  await page.screenshot({ path: path.join(artefacts, 'screenshot-pt.png') });
  await page.click('#pause');
  await waitFor(() => window.playground.state === 'paused');
  const remembered = await page.evaluate(() => localStorage.getItem('sinapse-playground-language'));
  await page.selectOption('#lang', 'en');
  const back = await texts();
  check('portuguese', english.lang === 'en' && portuguese.lang === 'pt-BR' && unchanged
    && portuguese.start === 'Iniciar' && /\b\d+ unidades ocultas, \d+ distintas?\b/.test(portuguese.symmetry)
    && portuguese.status.startsWith('Pronto') && portuguese.modeHint !== english.modeHint
    && /^\d+,\d%$/.test(portuguese.accuracy) && sameKeys
    && state.updates === 2 && state.state === 'paused' && state.error === null && trained.symmetry.includes('distint')
    && training.status.startsWith('Treinando') && remembered === 'pt'
    && back.lang === 'en' && back.start === 'Start' && /\bdistinct\b/.test(back.symmetry),
    `#start "${english.start}" -> "${portuguese.start}", #symmetry "${portuguese.symmetry}", `
    + `status "${training.status}", held-out accuracy ${portuguese.accuracy}; `
    + `${state.updates} updates by Step in Portuguese, ${state.error === null ? 'no error' : state.error}; `
    + `the same keys in both languages: ${sameKeys}; back to English: "${back.start}", "${back.symmetry}"`);

  check('local only', external.length === 0 && local.some((u) => u.includes('/data/mnist/')),
    `${local.length} local requests (the worker's data downloads included), ${external.length} external`
    + (external.length ? `: ${external.join(', ')}` : ''));
  check('no console errors', consoleErrors.length === 0,
    consoleErrors.length ? consoleErrors.join(' | ') : 'none');
  console.log(`screenshots: ${['screenshot', 'zero-initialization', 'cnn', 'perceptron', 'screenshot-pt']
    .map((name) => path.join(artefacts, `${name}.png`)).join(' ')}`);
  exitCode = results.every((r) => r.ok) ? 0 : 1;
} catch (error) {
  check('run', false, error.message.split('\n')[0]);
  if (consoleErrors.length) console.log(`console errors: ${consoleErrors.join(' | ')}`);
  if (external.length) console.log(`external requests: ${external.join(', ')}`);
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
}
console.log(`${results.filter((r) => r.ok).length} of ${results.length} checks passed`);
process.exit(exitCode);
