// The learning curves: keeps the history of one network's training (the loss of every slice
// and each evaluation) and draws it as two charts, loss and accuracy against updates.

import { LineChart } from './charts.js';
import { decimal, t } from './language.js';

const $ = (id) => document.getElementById(id);
const MAX_LOSS_POINTS = 3000;
const TRAIN = '#1f5fa8';
const HELDOUT = '#d9730d';
const percent = (x) => `${decimal(100 * x, 1)}%`;

export class Curves {
  constructor() {
    this.lossChart = new LineChart($('loss-chart'), {});
    this.accuracyChart = new LineChart($('accuracy-chart'), { yRange: [0, 1], percent: true });
    this.clear();
  }

  clear() {
    this.losses = [];       // [updates, mean training loss of the slice]
    this.evaluations = [];  // {updates, train: {loss, accuracy}, heldout: {loss, accuracy}}
    this.lastLoss = null;
    this.draw();
  }

  addLoss(updates, loss) {
    this.losses.push([updates, loss]);
    // Halve the resolution of long runs: drawing stays cheap and the shape stays the same.
    if (this.losses.length > MAX_LOSS_POINTS) {
      const merged = [];
      for (let i = 0; i + 1 < this.losses.length; i += 2) {
        merged.push([this.losses[i + 1][0], (this.losses[i][1] + this.losses[i + 1][1]) / 2]);
      }
      if (this.losses.length % 2) merged.push(this.losses[this.losses.length - 1]);
      this.losses = merged;
    }
    this.lastLoss = loss;
    this.draw();
  }

  addEvaluation(updates, evaluation) {
    const e = this.evaluations;
    if (e.length && e[e.length - 1].updates === updates) e.pop();
    e.push({ updates, ...evaluation });
    this.draw();
  }

  // Also called when the language changes.
  draw() {
    const C = t().curves;
    const e = this.evaluations;
    const dots = e.length < 30;
    const series = (color, name, pick) => ({ name, color, dots, points: e.map((p) => [p.updates, pick(p)]) });
    const updates = Math.max(this.losses.at(-1)?.[0] ?? 0, e.at(-1)?.updates ?? 0);
    this.lossChart.update([
      { name: C.sliceLoss, color: '#b9c6d6', width: 1, points: this.losses },
      series(TRAIN, C.training, (p) => p.train.loss),
      series(HELDOUT, C.heldout, (p) => p.heldout.loss),
    ], updates, { x: C.updates, y: C.loss });
    this.accuracyChart.update([
      series(TRAIN, C.training, (p) => p.train.accuracy),
      series(HELDOUT, C.heldout, (p) => p.heldout.accuracy),
    ], updates, { x: C.updates, y: C.accuracy });
    const loss = this.lastLoss;
    $('last-loss').textContent = loss === null ? '–' : Number.isFinite(loss) ? decimal(loss, 4) : String(loss);
    const last = e[e.length - 1];
    $('heldout-accuracy').textContent = last ? percent(last.heldout.accuracy) : '–';
    $('train-accuracy').textContent = last ? percent(last.train.accuracy) : '–';
  }
}
