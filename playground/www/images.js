// Turns arrays of numbers into pictures on a <canvas>: a diverging colour map for weights,
// filters and activations (blue negative, white zero, red positive, on a scale symmetric about
// zero and shared by all the tiles, so that tiles can be compared) and gray for digits.

import { decimal, t } from './language.js';

const NEGATIVE = [33, 102, 172];
const POSITIVE = [178, 24, 43];

export function maxAbs(values, n = values.length) {
  let m = 0;
  for (let i = 0; i < n; i++) {
    const a = Math.abs(values[i]);
    if (a > m) m = a;
  }
  return m;
}

// value / scale in [-1, 1] -> r, g, b
function diverging(t, out, offset) {
  const c = t >= 0 ? POSITIVE : NEGATIVE;
  const a = Math.min(Math.abs(t), 1);
  out[offset] = 255 + (c[0] - 255) * a;
  out[offset + 1] = 255 + (c[1] - 255) * a;
  out[offset + 2] = 255 + (c[2] - 255) * a;
  out[offset + 3] = 255;
}

// ink in [0, 1] -> white on black, as MNIST and the drawing canvas
function ink(t, out, offset) {
  const g = 255 * Math.min(Math.max(t, 0), 1);
  out[offset] = g;
  out[offset + 1] = g;
  out[offset + 2] = g;
  out[offset + 3] = 255;
}

const scratch = document.createElement('canvas');

function tileImage(values, start, width, height, color, scale) {
  scratch.width = width;
  scratch.height = height;
  const ctx = scratch.getContext('2d');
  const image = ctx.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    color(scale > 0 ? values[start + i] / scale : 0, image.data, 4 * i);
  }
  ctx.putImageData(image, 0, 0);
  return scratch;
}

// Draws `count` tiles of width x height values each, laid out in `columns`, each tile enlarged
// to `cell` pixels, with optional labels under the tiles. Returns the scale used.
export function drawTiles(canvas, values, { count, width, height, columns, cell, gap = 3,
  labels = null, map = 'diverging', scale = null }) {
  if (!count || values.length < count * width * height) {
    canvas.width = 0;
    canvas.height = 0;
    return 0;
  }
  const labelHeight = labels ? 13 : 0;
  const rows = Math.ceil(count / columns);
  const cellH = Math.round((cell * height) / width);
  canvas.width = columns * cell + (columns - 1) * gap;
  canvas.height = rows * (cellH + labelHeight) + (rows - 1) * gap;
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.imageSmoothingEnabled = false;
  const color = map === 'gray' ? ink : diverging;
  const used = scale ?? (map === 'gray' ? 1 : maxAbs(values, count * width * height));
  ctx.font = '11px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.fillStyle = '#3b4550';
  for (let t = 0; t < count; t++) {
    const x = (t % columns) * (cell + gap);
    const y = Math.floor(t / columns) * (cellH + labelHeight + gap);
    ctx.drawImage(tileImage(values, t * width * height, width, height, color, used), x, y, cell, cellH);
    if (map !== 'gray') {
      ctx.strokeStyle = '#d8dde3';
      ctx.strokeRect(x + 0.5, y + 0.5, cell - 1, cellH - 1);
    }
    if (labels) ctx.fillText(labels[t], x + cell / 2, y + cellH + 1);
  }
  return used;
}

// A 28x28 digit (values in [0, 1]) on a 28x28 canvas, enlarged by CSS.
export function drawDigit(canvas, pixels) {
  canvas.width = 28;
  canvas.height = 28;
  const ctx = canvas.getContext('2d');
  if (!pixels) {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, 28, 28);
    return;
  }
  ctx.drawImage(tileImage(pixels, 0, 28, 28, ink, 1), 0, 0);
}

export function formatScale(scale) {
  if (scale === 0) return t().weights.allZero;
  const digits = scale >= 1 ? 2 : Math.min(6, 1 - Math.floor(Math.log10(scale)));
  return `±${decimal(scale, digits)}`;
}
