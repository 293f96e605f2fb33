// The course's MLP in TensorFlow.js: 784 -> Dense(128, ReLU) -> Dense(10) logits,
// softmax cross-entropy (mean over the batch), Glorot-uniform weights, zero biases,
// plain SGD. Three ways to write the step:
//   'minimize': tf.variable weights, tf.fused.matMul (bias and ReLU fused into the
//     product, as tf.layers.dense does), tf.losses.softmaxCrossEntropy,
//     optimizer.minimize inside tf.tidy, tfjs's own gradients; the loss is read
//     back once per window.
//   'transposed': the same, but each dense layer has a hand-written gradient with
//     explicit transposes (see denseWithExplicitTransposes).
//   'layers': tf.sequential of two tf.layers.dense and model.trainOnBatch, which
//     awaits the loss of every update.

const tf = globalThis.tf;
const INPUTS = 784;
const HIDDEN = 128;
const CLASSES = 10;

/** A small seeded generator (mulberry32) for the tfjs side's shuffles. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Minibatches of the training set as Sinapse's playground makes them: a fresh
 * shuffle every epoch (here Fisher-Yates with mulberry32, so not Sinapse's order),
 * the epoch's last batch holding what is left (60000 mod 64 = 32 images), pixels
 * kept as bytes and divided by 255 when a batch is assembled.
 */
export class Batches {
  constructor(pixels, labels, count, batchSize, seed) {
    this.pixels = pixels; // Uint8Array, 784 bytes per image
    this.labels = labels;
    this.count = count;
    this.batchSize = batchSize;
    this.random = mulberry32(seed);
    this.order = new Uint32Array(count);
    for (let i = 0; i < count; i++) this.order[i] = i;
    this.position = count; // forces a shuffle before the first batch
    this.x = new Float32Array(batchSize * INPUTS);
    this.y = new Float32Array(batchSize * CLASSES);
  }

  shuffle() {
    const order = this.order;
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    this.position = 0;
  }

  /**
   * The next batch: {n, x: Float32Array(n * 784), y: Float32Array(n * 10) one-hot},
   * views of buffers that the following call overwrites.
   */
  next() {
    if (this.position === this.count) this.shuffle();
    const n = Math.min(this.batchSize, this.count - this.position);
    const { x, y, pixels } = this;
    y.fill(0);
    for (let r = 0; r < n; r++) {
      const index = this.order[this.position + r];
      const from = index * INPUTS;
      const to = r * INPUTS;
      for (let j = 0; j < INPUTS; j++) x[to + j] = pixels[from + j] / 255;
      y[r * CLASSES + this.labels[index]] = 1;
    }
    this.position += n;
    return { n, x: x.subarray(0, n * INPUTS), y: y.subarray(0, n * CLASSES) };
  }
}

/**
 * x w + b with a hand-written gradient that transposes explicitly
 * (matMul(transpose(x), dz) rather than matMul(x, dz, true, false)): the wasm
 * backend of tfjs 4.22 runs products with a transposed operand about 8x slower
 * than a transpose followed by a plain product. The input's gradient is computed
 * only when asked for (not for the first layer, whose input is the data).
 */
function denseWithExplicitTransposes(inputGradient) {
  return tf.customGrad((x, w, b, save) => {
    save([x, w]);
    return {
      value: tf.add(tf.matMul(x, w), b),
      gradFunc: (dz, [xs, ws]) => [
        inputGradient ? tf.matMul(dz, tf.transpose(ws)) : tf.zerosLike(xs),
        tf.matMul(tf.transpose(xs), dz),
        tf.sum(dz, 0),
      ],
    };
  });
}

function oneHot(labels, count) {
  const y = new Float32Array(count * CLASSES);
  for (let i = 0; i < count; i++) y[i * CLASSES + labels[i]] = 1;
  return y;
}

/**
 * A trainer on one tfjs backend ('wasm' or 'cpu'). The backend is made current by
 * activate(), which the caller runs before each timed window (outside the timing).
 */
export async function makeTfjsTrainer({ name, backend, train, test, batchSize, lr, seed, style }) {
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to initialise`);
  await tf.ready();
  const batches = new Batches(train.pixels, train.labels, train.count, batchSize, seed);
  const activate = async () => {
    if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) {
      throw new Error(`tfjs backend ${backend} could not be made current`);
    }
  };

  let forward;
  let runUpdates;
  let variables;
  if (style === 'minimize' || style === 'transposed') {
    const glorot = (shape, s) => tf.initializers.glorotUniform({ seed: s }).apply(shape);
    const w1 = tf.variable(glorot([INPUTS, HIDDEN], seed), true, `${name}-w1`);
    const b1 = tf.variable(tf.zeros([HIDDEN]), true, `${name}-b1`);
    const w2 = tf.variable(glorot([HIDDEN, CLASSES], seed + 1), true, `${name}-w2`);
    const b2 = tf.variable(tf.zeros([CLASSES]), true, `${name}-b2`);
    variables = [w1, b1, w2, b2];
    const optimizer = tf.train.sgd(lr);
    if (style === 'minimize') {
      forward = (x) => {
        const h = tf.fused.matMul({ a: x, b: w1, bias: b1, activation: 'relu' });
        return tf.fused.matMul({ a: h, b: w2, bias: b2 });
      };
    } else {
      const first = denseWithExplicitTransposes(false);
      const second = denseWithExplicitTransposes(true);
      forward = (x) => second(tf.relu(first(x, w1, b1)), w2, b2);
    }
    runUpdates = async (k) => {
      let sum = tf.scalar(0);
      let images = 0;
      for (let i = 0; i < k; i++) {
        const batch = batches.next();
        images += batch.n;
        const next = tf.tidy(() => {
          const x = tf.tensor2d(batch.x, [batch.n, INPUTS]);
          const y = tf.tensor2d(batch.y, [batch.n, CLASSES]);
          const cost = optimizer.minimize(
            () => tf.losses.softmaxCrossEntropy(y, forward(x)),
            true,
            variables,
          );
          return sum.add(cost);
        });
        sum.dispose();
        sum = next;
      }
      // Reading the summed loss back waits for every update of the window.
      const total = (await sum.data())[0];
      sum.dispose();
      return { loss: total / k, images };
    };
  } else if (style === 'layers') {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({
          inputShape: [INPUTS],
          units: HIDDEN,
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed }),
          biasInitializer: 'zeros',
        }),
        tf.layers.dense({
          units: CLASSES,
          kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
          biasInitializer: 'zeros',
        }),
      ],
    });
    model.compile({
      optimizer: tf.train.sgd(lr),
      loss: (yTrue, yPred) => tf.losses.softmaxCrossEntropy(yTrue, yPred),
    });
    variables = model.trainableWeights.map((w) => w.val);
    forward = (x) => model.apply(x);
    runUpdates = async (k) => {
      let total = 0;
      let images = 0;
      for (let i = 0; i < k; i++) {
        const batch = batches.next();
        images += batch.n;
        const x = tf.tensor2d(batch.x, [batch.n, INPUTS]);
        const y = tf.tensor2d(batch.y, [batch.n, CLASSES]);
        const loss = await model.trainOnBatch(x, y);
        x.dispose();
        y.dispose();
        total += Array.isArray(loss) ? loss[0] : loss;
      }
      return { loss: total / k, images };
    };
  } else {
    throw new Error(`unknown tfjs step style ${style}`);
  }

  const parameters = variables.reduce((n, v) => n + v.size, 0);
  const testX = test.images;
  const testY = oneHot(test.labels, test.count);

  return {
    parameters,
    activate,
    /** Runs k updates; returns {seconds, images, loss} (loss: the mean training loss of the k updates). */
    async train(k) {
      await activate();
      const t0 = performance.now();
      const { loss, images } = await runUpdates(k);
      const seconds = (performance.now() - t0) / 1000;
      return { seconds, images, loss };
    },
    /** Loss and accuracy on the test images given (the first 1000 of t10k). */
    async evaluate() {
      await activate();
      const [loss, predicted] = tf.tidy(() => {
        const logits = forward(tf.tensor2d(testX, [test.count, INPUTS]));
        const l = tf.losses.softmaxCrossEntropy(tf.tensor2d(testY, [test.count, CLASSES]), logits);
        return [l.dataSync()[0], logits.argMax(1).dataSync()];
      });
      let correct = 0;
      for (let i = 0; i < test.count; i++) if (predicted[i] === test.labels[i]) correct++;
      return { loss, accuracy: correct / test.count };
    },
    tensors: () => tf.memory().numTensors,
  };
}
