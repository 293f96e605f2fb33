// The learning curves: keeps the history of one network's training (the loss of every slice
// and each evaluation) and draws it as two charts, loss and accuracy against updates.

import { LineChart } from './charts.js';

const $ = (id) => document.getElementById(id);
const MAX_LOSS_POINTS = 3000;
const TRAIN = '#1f5fa8';
const HELDOUT = '#d9730d';
const percent = (x) => `${(100 * x).toFixed(1)}%`;

export class Curves {
  constructor() {
    this.lossChart = new LineChart($('loss-chart'), { xLabel: 'updates', yLabel: 'loss' });
    this.accuracyChart = new LineChart($('accuracy-chart'), {
      xLabel: 'updates', yLabel: 'accuracy', yRange: [0, 1], percent: true,
    });
    this.clear();
  }

  clear() {
    this.losses = [];       // [updates, mean training loss of the slice]
    this.evaluations = [];  // {updates, train: {loss, accuracy}, heldout: {loss, accuracy}}
    $('last-loss').textContent = '–';
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
    $('last-loss').textContent = Number.isFinite(loss) ? loss.toFixed(4) : String(loss);
    this.draw();
  }

  addEvaluation(updates, evaluation) {
    const e = this.evaluations;
    if (e.length && e[e.length - 1].updates === updates) e.pop();
    e.push({ updates, ...evaluation });
    this.draw();
  }

  draw() {
    const e = this.evaluations;
    const dots = e.length < 30;
    const series = (color, name, pick) => ({ name, color, dots, points: e.map((p) => [p.updates, pick(p)]) });
    const updates = Math.max(this.losses.at(-1)?.[0] ?? 0, e.at(-1)?.updates ?? 0);
    this.lossChart.update([
      { name: 'training loss (each slice)', color: '#b9c6d6', width: 1, points: this.losses },
      series(TRAIN, 'training', (p) => p.train.loss),
      series(HELDOUT, 'held-out', (p) => p.heldout.loss),
    ], updates);
    this.accuracyChart.update([
      series(TRAIN, 'training', (p) => p.train.accuracy),
      series(HELDOUT, 'held-out', (p) => p.heldout.accuracy),
    ], updates);
    const last = e[e.length - 1];
    $('heldout-accuracy').textContent = last ? percent(last.heldout.accuracy) : '–';
    $('train-accuracy').textContent = last ? percent(last.train.accuracy) : '–';
  }
}
