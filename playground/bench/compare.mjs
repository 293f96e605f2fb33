#!/usr/bin/env node
// Runs the side-by-side page (playground/bench/) in headless Chromium and prints
// its table. Usage, from the repository root:
//
//   node playground/bench/compare.mjs [--url URL] [--updates N] [--windows W]
//        [--warmup K] [--frameworks LIST] [--no-build] [--timeout SECONDS] [--json FILE]
//
// LIST is comma-separated, by default sinapse,tfjs-wasm,tfjs-wasm-transposed,tfjs-cpu;
// also tfjs-cpu-transposed, tfjs-wasm-layers, tfjs-cpu-layers (see bench.js).
//
// Without --url it starts the playground server itself
// (`cargo run --release -p sinapse-playground -- --port 0`, plus --no-build when
// given), reads the port from its first line and stops it at the end.
// --url is the site's root (or its /bench/ page) of a server already running.
// --json writes the page's full results (every window) to FILE.

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SERVING = /serving the playground at (http:\/\/127\.0\.0\.1:\d+\/)/;

function usage(message) {
  if (message) console.error(`compare.mjs: ${message}`);
  console.error(
    'usage: node playground/bench/compare.mjs [--url URL] [--updates N] [--windows W] [--warmup K]\n' +
      '       [--frameworks sinapse,tfjs-wasm,tfjs-wasm-transposed,tfjs-cpu] [--no-build] [--timeout SECONDS] [--json FILE]',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const options = { url: null, updates: 1000, windows: 5, warmup: null, frameworks: null, json: null, noBuild: false, timeout: 1800 };
  const integer = (name, value, min) => {
    const v = Number(value);
    if (!Number.isInteger(v) || v < min) usage(`${name} ${value}: expected an integer >= ${min}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${arg} needs a value`);
      return argv[++i];
    };
    switch (arg) {
      case '--url': options.url = value(); break;
      case '--updates': options.updates = integer(arg, value(), 2); break;
      case '--windows': options.windows = integer(arg, value(), 1); break;
      case '--warmup': options.warmup = integer(arg, value(), 0); break;
      case '--frameworks': options.frameworks = value(); break;
      case '--json': options.json = value(); break;
      case '--timeout': options.timeout = integer(arg, value(), 1); break;
      case '--no-build': options.noBuild = true; break;
      case '-h': case '--help': usage(); break;
      default: usage(`unknown argument ${arg}`);
    }
  }
  return options;
}

/** Starts the playground server; resolves to {base, stop}. */
function startServer(noBuild) {
  const args = ['run', '--release', '-p', 'sinapse-playground', '--', '--port', '0'];
  if (noBuild) args.push('--no-build');
  console.error(`starting: cargo ${args.join(' ')}`);
  const child = spawn('cargo', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  let stopped = false;
  const status = { exited: null };
  child.on('exit', (code, signal) => {
    status.exited = signal ?? `code ${code}`;
    if (!stopped) console.error(`the playground server exited (${status.exited}) while in use`);
  });
  const stop = () => {
    if (stopped || child.exitCode !== null) return;
    stopped = true;
    try {
      process.kill(-child.pid, 'SIGTERM'); // cargo and the server it started
    } catch {
      child.kill('SIGTERM');
    }
  };
  const ready = new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const match = SERVING.exec(buffered);
      if (match) resolve(match[1]);
      // Keep the server's stdout visible without mixing it into the table.
      process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      reject(new Error(`the playground server exited (${signal ?? `code ${code}`}) before serving`)),
    );
  });
  return { ready, stop, status };
}

function benchUrl(base, options) {
  const url = new URL(base);
  if (!/\/bench\/?$/.test(url.pathname)) url.pathname = url.pathname.replace(/\/?$/, '/bench/');
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.searchParams.set('updates', String(options.updates));
  url.searchParams.set('windows', String(options.windows));
  if (options.warmup !== null) url.searchParams.set('warmup', String(options.warmup));
  if (options.frameworks) url.searchParams.set('frameworks', options.frameworks);
  return url.href;
}

const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const thousands = (x) => Math.round(x).toLocaleString('en');

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows
    .map((r, i) => {
      const line = r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c])));
      const text = line.join('  ');
      return i === 0 ? `${text}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : text;
    })
    .join('\n');
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const loadStart = loadavg();
  let server = null;
  let browser = null;
  const cleanup = () => {
    if (server) server.stop();
  };
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    let base = options.url;
    if (!base) {
      server = startServer(options.noBuild);
      serverStatus = server.status;
      base = await server.ready;
    }
    const url = benchUrl(base, options);

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    const blocked = [];
    await page.route('**/*', (route) => {
      const { hostname } = new URL(route.request().url());
      if (hostname === '127.0.0.1' || hostname === 'localhost') return route.continue();
      blocked.push(route.request().url());
      return route.abort();
    });
    const pageErrors = [];
    page.on('console', (msg) => {
      const text = msg.text();
      if (text.startsWith('[bench]') || msg.type() === 'error' || msg.type() === 'warning') {
        console.error(`page ${msg.type()}: ${text}`);
      }
    });
    page.on('pageerror', (error) => {
      pageErrors.push(String(error));
      console.error(`page exception: ${error}`);
    });

    console.error(`loading ${url}`);
    await page.goto(url);
    await page.waitForFunction(
      () => ['done', 'error'].includes(document.body && document.body.dataset.state),
      null,
      { timeout: options.timeout * 1000, polling: 1000 },
    );
    const state = await page.evaluate(() => document.body.dataset.state);
    if (state !== 'done') throw new Error(`the page failed: ${await page.evaluate(() => window.benchError)}`);
    const results = await page.evaluate(() => window.benchResults);
    const loadEnd = loadavg();
    results.run = { chromium: browser.version(), loadavgStart: loadStart, loadavgEnd: loadEnd, url };
    if (options.json) writeFileSync(options.json, `${JSON.stringify(results, null, 2)}\n`);

    const env = results.environment;
    const n = results.updates;
    console.log(`Chromium ${browser.version()} (headless, ${CHROMIUM}); ${os.cpus().length} logical CPUs, ${os.cpus()[0]?.model ?? ''}`.trim());
    console.log(`TensorFlow.js ${env.tfjs}, wasm backend ${env.tfjsBackendWasm}: SIMD ${env.wasmSimd}, multithread ${env.wasmMultithread}, threads ${env.wasmThreads}; crossOriginIsolated ${env.crossOriginIsolated}`);
    console.log(`load average (1, 5, 15 min): start ${loadStart}, end ${loadEnd}`);
    console.log(
      `${n} updates of ${results.recipe.batch_size} images per framework: ${results.warmup} untimed warm-up, ` +
        `${results.windows} timed windows of ${results.updatesPerWindow} updates, round-robin`,
    );
    console.log('');
    const rows = [['framework / backend', 'images/s (median)', 'min – max', `held-out acc. after ${n} updates`, 'loss, last window']];
    for (const f of results.frameworks) {
      rows.push([
        f.label,
        thousands(f.imagesPerSecond.median),
        `${thousands(f.imagesPerSecond.min)} – ${thousands(f.imagesPerSecond.max)}`,
        `${(100 * f.heldout.accuracy).toFixed(1)}%`,
        f.lastWindowLoss.toFixed(4),
      ]);
    }
    console.log(table(rows));
    console.log('');
    for (const [name, value] of Object.entries(results.ratios)) console.log(`${name}: ${value.toFixed(2)}x (median images/s)`);

    const problems = [];
    if (blocked.length) problems.push(`requests outside 127.0.0.1 were blocked: ${blocked.join(', ')}`);
    if (pageErrors.length) problems.push(`page exceptions: ${pageErrors.join('; ')}`);
    if (n >= 300) {
      for (const f of results.frameworks) {
        if (!(f.heldout.accuracy >= 0.5)) problems.push(`${f.id}: held-out accuracy ${f.heldout.accuracy} after ${n} updates: it did not train`);
      }
    }
    if (problems.length) throw new Error(problems.join('\n'));
  } finally {
    if (browser) await browser.close().catch(() => {});
    cleanup();
  }
}

let serverStatus = null;
main().catch((error) => {
  console.error(`compare.mjs: ${error && error.message ? error.message : error}`);
  if (serverStatus && serverStatus.exited) console.error(`(the playground server had exited: ${serverStatus.exited})`);
  process.exit(1);
});
