// The pictures of the network: weight images and the symmetry indicator, the CNN's filters and
// feature maps, the chosen test image, and the network's answer to the drawing. Each function
// returns how many tiles it drew, for the headless test.

import { drawDigit, drawTiles, formatScale } from './images.js';
import { significant, t } from './language.js';
import { drawHidden, OutputBars } from './outputs.js';

const $ = (id) => document.getElementById(id);
const MAP = { width: 26, height: 26, cell: 52, columns: 8, gap: 3 }; // a 26x26 feature map tile

const bars = new OutputBars($('outputs'));

// Panels, titles and captions that depend on the network and the loss.
export function explainNetwork({ network, loss }) {
  const { weights: W, draw: D } = t();
  $('panel-weights').hidden = network === 'cnn';
  $('panel-cnn').hidden = network !== 'cnn';
  if (network === 'perceptron') {
    $('weights-title').textContent = W.perceptronTitle;
    $('weights-hint').textContent = W.perceptronHint;
    $('symmetry-hint').textContent = W.perceptronSymmetryHint;
  } else {
    $('weights-title').textContent = W.mlpTitle;
    $('weights-hint').textContent = W.mlpHint;
    $('symmetry-hint').textContent = W.mlpSymmetryHint;
  }
  $('hidden-title').textContent = { perceptron: D.hidden, mlp: D.mlpHidden, cnn: D.cnnHidden }[network];
  $('hidden').hidden = network === 'cnn';
  $('drawing-maps').hidden = network !== 'cnn';
  $('hidden-hint').textContent = {
    perceptron: D.perceptronHiddenHint, mlp: D.mlpHiddenHint, cnn: D.cnnHiddenHint,
  }[network];
  const probabilities = loss === 'cross-entropy';
  $('outputs-title').textContent = probabilities ? D.probabilities : D.sigmoids;
  $('outputs-hint').textContent = probabilities ? D.probabilitiesHint : D.sigmoidsHint;
}

// Weight images (perceptron, MLP) or filters (CNN), and the symmetry indicator.
export function showModel(network, { stats, weights, filters, symmetry }) {
  const drawn = { weights: 0, filters: 0 };
  if (network === 'cnn') {
    drawn.filters = filters.length / 9;
    const scale = drawTiles($('filters'), filters, { count: drawn.filters, width: 3, height: 3, cell: 30, columns: 16 });
    $('filters-scale').textContent = t().weights.scale(formatScale(scale));
  } else {
    const perceptron = network === 'perceptron';
    drawn.weights = weights.length / 784;
    const scale = drawTiles($('weights'), weights, {
      count: drawn.weights, width: 28, height: 28,
      cell: perceptron ? 72 : 54, columns: perceptron ? 5 : 8,
      labels: perceptron ? [...'0123456789'] : null,
    });
    $('weights-scale').textContent = t().weights.scale(formatScale(scale));
  }
  showSymmetry(network, symmetry, stats.updates);
  return drawn;
}

function showSymmetry(network, symmetry, updates) {
  const W = t().weights;
  const element = $('symmetry');
  element.textContent = '';
  if (!symmetry?.hidden_units) return;
  const { hidden_units: total, distinct } = symmetry;
  const strong = document.createElement('strong');
  strong.textContent = W.units(total, distinct, network === 'perceptron');
  element.append(strong);
  if (distinct === 1 && total > 1) {
    strong.className = 'alert';
    element.append(updates > 0 ? W.stillIdentical : W.allIdentical);
  }
  const difference = symmetry.max_difference;
  if (Number.isFinite(difference)) {
    element.append(W.difference(difference === 0 ? '0' : significant(difference)));
  }
}

// The drawing as the network sees it, its outputs and hidden activations (or feature maps).
export function showDrawing(network, message) {
  const empty = message.empty;
  drawDigit($('preprocessed'), empty ? null : message.pixels);
  $('prediction').textContent = empty ? '–' : String(message.prediction.class);
  bars.show(empty ? null : message.prediction.outputs, empty ? -1 : message.prediction.class);
  const hidden = !empty && network === 'mlp' ? message.prediction.hidden : [];
  $('hidden-caption').textContent = drawHidden($('hidden'), hidden);
  const maps = empty ? [] : message.maps;
  drawTiles($('drawing-maps'), maps, { count: maps.length / 676, ...MAP });
  return maps.length / 676;
}

// The chosen test image, its label and (CNN) its feature maps.
export function showTestImage({ index, label, pixels, maps }) {
  $('test-index').value = String(index);
  $('test-label').textContent = String(label);
  drawDigit($('test-image'), pixels);
  drawTiles($('feature-maps'), maps, { count: maps.length / 676, ...MAP });
  return maps.length / 676;
}
