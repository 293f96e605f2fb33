// The pictures of the network: weight images and the symmetry indicator, the CNN's filters and
// feature maps, the chosen test image, and the network's answer to the drawing. Each function
// returns how many tiles it drew, for the headless test.

import { drawDigit, drawTiles, formatScale } from './images.js';
import { drawHidden, OutputBars } from './outputs.js';

const $ = (id) => document.getElementById(id);
const MAP = { width: 26, height: 26, cell: 52, columns: 8, gap: 3 }; // a 26x26 feature map tile

const bars = new OutputBars($('outputs'));

// Panels, titles and captions that depend on the network and the loss.
export function explainNetwork({ network, loss }) {
  $('panel-weights').hidden = network === 'cnn';
  $('panel-cnn').hidden = network !== 'cnn';
  if (network === 'perceptron') {
    $('weights-title').textContent = 'Weights of the ten output units';
    $('weights-hint').textContent = 'Each picture is one class\'s 784 weights laid out as the image: red pixels '
      + 'push towards the class, blue pixels away from it. With training they start to look like the digits '
      + '(clearest from zero initialization, which works here: each output unit gets its own gradient).';
    $('symmetry-hint').textContent = 'How many of the 10 output units have different weights.';
  } else {
    $('weights-title').textContent = 'Weights of the first 16 hidden units';
    $('weights-hint').textContent = 'Each picture is one hidden unit\'s 784 input weights: the pattern of ink it '
      + 'responds to (red: ink here raises its input, blue: lowers it).';
    $('symmetry-hint').textContent = 'Hidden units with identical weights compute the same thing: with zero '
      + 'initialization they also get the same gradient and never separate, so the whole layer is worth one unit.';
  }
  $('hidden-title').textContent = {
    perceptron: 'Hidden layer', mlp: 'Hidden layer: 128 activations', cnn: 'Feature maps of the drawing',
  }[network];
  $('hidden').hidden = network === 'cnn';
  $('drawing-maps').hidden = network !== 'cnn';
  $('hidden-hint').textContent = {
    perceptron: 'The perceptron has none: its outputs are computed straight from the pixels.',
    mlp: 'One cell per hidden unit (red: positive, blue: negative). These 128 numbers are all the output layer sees.',
    cnn: 'The first convolution\'s 32 maps for your drawing, after the activation.',
  }[network];
  const probabilities = loss === 'cross-entropy';
  $('outputs-title').textContent = probabilities ? 'Outputs: softmax probabilities' : 'Outputs: sigmoid activations';
  $('outputs-hint').textContent = probabilities
    ? 'The probabilities sum to 1; the largest is the prediction.'
    : 'With mean squared error each output is trained towards 1 for its class and 0 for the others; '
      + 'the largest is the prediction.';
}

// Weight images (perceptron, MLP) or filters (CNN), and the symmetry indicator.
export function showModel(network, { stats, weights, filters, symmetry }) {
  const drawn = { weights: 0, filters: 0 };
  if (network === 'cnn') {
    drawn.filters = filters.length / 9;
    const scale = drawTiles($('filters'), filters, { count: drawn.filters, width: 3, height: 3, cell: 30, columns: 16 });
    $('filters-scale').textContent = `colour scale ${formatScale(scale)}`;
  } else {
    const perceptron = network === 'perceptron';
    drawn.weights = weights.length / 784;
    const scale = drawTiles($('weights'), weights, {
      count: drawn.weights, width: 28, height: 28,
      cell: perceptron ? 72 : 54, columns: perceptron ? 5 : 8,
      labels: perceptron ? [...'0123456789'] : null,
    });
    $('weights-scale').textContent = `colour scale ${formatScale(scale)}`;
  }
  showSymmetry(network, symmetry, stats.updates);
  return drawn;
}

function showSymmetry(network, symmetry, updates) {
  const element = $('symmetry');
  element.textContent = '';
  if (!symmetry?.hidden_units) return;
  const { hidden_units: total, distinct } = symmetry;
  const strong = document.createElement('strong');
  strong.textContent = `${total} ${network === 'perceptron' ? 'output' : 'hidden'} units, ${distinct} distinct`;
  element.append(strong);
  if (distinct === 1 && total > 1) {
    strong.className = 'alert';
    element.append(updates > 0 ? ' — still all identical: training has not separated them' : ' — all identical');
  }
  const difference = symmetry.max_difference;
  if (Number.isFinite(difference)) {
    element.append(` (largest weight difference from the first unit: ${difference === 0 ? 0 : difference.toPrecision(2)})`);
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
