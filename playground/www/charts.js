// Line charts drawn on a <canvas> (loss and accuracy against the number of updates), with
// axes, tick labels, axis titles and a legend. No chart library: the page works offline.

import { decimal } from './language.js';

const FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
const MARGIN = { left: 50, right: 10, top: 18, bottom: 30 };

// A round step giving about `count` ticks over `range` (1, 2 or 5 times a power of ten).
function niceStep(range, count) {
  const raw = range / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / magnitude;
  const nice = scaled < 1.5 ? 1 : scaled < 3 ? 2 : scaled < 7 ? 5 : 10;
  return nice * magnitude;
}

// 1.5k, 2k, 1.2M (1,5k in Portuguese)
function formatCount(value) {
  const short = (x) => (Number.isInteger(x) ? String(x) : decimal(x, 1));
  if (value >= 1e6) return `${short(Math.round(value / 1e5) / 10)}M`;
  if (value >= 1e3) return `${short(Math.round(value / 1e2) / 10)}k`;
  return String(Math.round(value));
}

function formatTick(value, step, percent) {
  if (percent) return `${Math.round(value * 100)}%`;
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  return decimal(value, Math.min(decimals, 6));
}

export class LineChart {
  // options: {yRange: [min, max] fixed or undefined (0 to the data's maximum),
  //           percent: tick labels as percentages}
  constructor(canvas, options) {
    this.canvas = canvas;
    this.options = options;
    this.series = [];
    this.labels = { x: '', y: '' };
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  // series: [{name, color, points: [[x, y], ...], width, dots}]; non-finite y values are gaps.
  // xMax: the end of the x axis (at least the largest x), so that charts side by side agree.
  // labels: {x, y}, the axis titles.
  update(series, xMax, labels) {
    this.series = series;
    this.xMax = xMax;
    this.labels = labels;
    this.draw();
  }

  draw() {
    const { canvas, options, labels } = this;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (width === 0 || height === 0) return;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = FONT;

    let xMax = Math.max(1, this.xMax ?? 0);
    let yMax = -Infinity;
    for (const s of this.series) {
      for (const [x, y] of s.points) {
        if (x > xMax) xMax = x;
        if (Number.isFinite(y) && y > yMax) yMax = y;
      }
    }
    let [y0, y1] = options.yRange ?? [0, yMax > 0 ? yMax : 1];
    const xStep = Math.max(1, niceStep(xMax, 5)); // updates are whole numbers
    xMax = Math.ceil(xMax / xStep) * xStep;
    const yStep = niceStep(y1 - y0, 4);
    if (!options.yRange) y1 = Math.ceil(y1 / yStep) * yStep;

    const plotW = width - MARGIN.left - MARGIN.right;
    const plotH = height - MARGIN.top - MARGIN.bottom;
    const px = (x) => MARGIN.left + (x / xMax) * plotW;
    const py = (y) => MARGIN.top + (1 - (y - y0) / (y1 - y0)) * plotH;

    // Grid and tick labels.
    ctx.strokeStyle = '#e6e9ed';
    ctx.fillStyle = '#5b6673';
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let y = y0; y <= y1 + yStep / 2; y += yStep) {
      const yy = Math.round(py(y)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(MARGIN.left, yy);
      ctx.lineTo(MARGIN.left + plotW, yy);
      ctx.stroke();
      ctx.fillText(formatTick(y, yStep, options.percent), MARGIN.left - 4, yy);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let x = 0; x <= xMax + xStep / 2; x += xStep) {
      const xx = Math.round(px(x)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(xx, MARGIN.top);
      ctx.lineTo(xx, MARGIN.top + plotH);
      ctx.stroke();
      ctx.fillText(formatCount(x), xx, MARGIN.top + plotH + 3);
    }
    ctx.strokeStyle = '#8893a0';
    ctx.strokeRect(MARGIN.left + 0.5, MARGIN.top + 0.5, plotW, plotH);

    // Axis titles.
    ctx.fillStyle = '#3b4550';
    ctx.fillText(labels.x, MARGIN.left + plotW / 2, height - 13);
    ctx.save();
    ctx.translate(11, MARGIN.top + plotH / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText(labels.y, 0, 0);
    ctx.restore();

    // Lines, clipped to the plot.
    ctx.save();
    ctx.beginPath();
    ctx.rect(MARGIN.left, MARGIN.top, plotW, plotH);
    ctx.clip();
    for (const s of this.series) {
      ctx.strokeStyle = s.color;
      ctx.fillStyle = s.color;
      ctx.lineWidth = s.width ?? 1.5;
      ctx.lineJoin = 'round';
      ctx.beginPath();
      let drawing = false;
      for (const [x, y] of s.points) {
        if (!Number.isFinite(y)) {
          drawing = false;
          continue;
        }
        const yy = Math.min(Math.max(py(y), MARGIN.top - 2), MARGIN.top + plotH + 2);
        if (drawing) ctx.lineTo(px(x), yy);
        else ctx.moveTo(px(x), yy);
        drawing = true;
      }
      ctx.stroke();
      if (s.dots || s.points.length === 1) {
        for (const [x, y] of s.points) {
          if (!Number.isFinite(y)) continue;
          ctx.beginPath();
          ctx.arc(px(x), py(y), 2.2, 0, 2 * Math.PI);
          ctx.fill();
        }
      }
    }
    ctx.restore();

    // Legend, above the plot on the right.
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    let lx = width - MARGIN.right;
    for (const s of [...this.series].reverse()) {
      const textWidth = ctx.measureText(s.name).width;
      lx -= textWidth + 22;
      ctx.fillStyle = s.color;
      ctx.fillRect(lx, MARGIN.top / 2 - 1, 14, 3);
      ctx.fillStyle = '#3b4550';
      ctx.fillText(s.name, lx + 18, MARGIN.top / 2);
      lx -= 8;
    }
  }
}
