// The network's answer to the drawing: the ten outputs as bars (the largest is the predicted
// class) and the hidden layer's activations as a strip of coloured cells.

import { drawTiles, formatScale } from './images.js';
import { decimal, t } from './language.js';

export class OutputBars {
  constructor(container) {
    this.bars = [];
    for (let digit = 0; digit < 10; digit++) {
      const bar = document.createElement('div');
      bar.className = 'bar';
      bar.innerHTML = '<span class="value"></span><span class="fill"></span>'
        + `<span class="digit-label">${digit}</span>`;
      container.append(bar);
      this.bars.push({
        bar,
        value: bar.querySelector('.value'),
        fill: bar.querySelector('.fill'),
      });
    }
    this.show(null);
  }

  // outputs: 10 numbers (probabilities or sigmoid activations, both in [0, 1]) or null.
  show(outputs, predicted = -1) {
    this.bars.forEach(({ bar, value, fill }, digit) => {
      const v = outputs ? outputs[digit] : 0;
      fill.style.height = `${Math.max(0, Math.min(1, v)) * 70}px`;
      value.textContent = outputs ? decimal(v, 2) : '';
      bar.classList.toggle('predicted', digit === predicted);
    });
  }
}

// The 128 hidden activations of the MLP as 4 rows of 32 cells, on the diverging colour map.
// Returns a one-line description for the caption.
export function drawHidden(canvas, hidden) {
  if (!hidden || hidden.length === 0) {
    drawTiles(canvas, [], { count: 0 });
    return '';
  }
  const values = Float32Array.from(hidden);
  const columns = 32;
  const rows = Math.ceil(values.length / columns);
  const padded = new Float32Array(rows * columns);
  padded.set(values);
  const scale = drawTiles(canvas, padded, { count: 1, width: columns, height: rows, columns: 1,
    cell: columns * 14 });
  const low = Math.min(...values);
  const high = Math.max(...values);
  const zeros = values.filter((v) => v === 0).length;
  return t().draw.hiddenCaption(values.length, decimal(low, 2), decimal(high, 2), zeros, formatScale(scale));
}
