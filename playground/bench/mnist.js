// MNIST for the benchmark page: the gzipped IDX files fetched from the site
// and, for the TensorFlow.js side, decompressed and parsed in JavaScript.

export const FILES = {
  trainImages: '../data/mnist/train-images-idx3-ubyte.gz',
  trainLabels: '../data/mnist/train-labels-idx1-ubyte.gz',
  testImages: '../data/mnist/t10k-images-idx3-ubyte.gz',
  testLabels: '../data/mnist/t10k-labels-idx1-ubyte.gz',
};

export async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** The four gzipped files as Uint8Array, keyed as FILES. */
export async function fetchAll() {
  const entries = await Promise.all(
    Object.entries(FILES).map(async ([key, url]) => [key, await fetchBytes(url)]),
  );
  return Object.fromEntries(entries);
}

export async function gunzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function header(raw, name, magic, words) {
  if (raw.length < 4 * words) throw new Error(`${name}: ${raw.length} bytes, shorter than its header`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const found = view.getUint32(0, false);
  if (found !== magic) {
    throw new Error(`${name}: magic number 0x${found.toString(16)}, expected 0x${magic.toString(16)}`);
  }
  return Array.from({ length: words - 1 }, (_, i) => view.getUint32(4 * (i + 1), false));
}

/** IDX3 images (16-byte header) as {count, bytes: Uint8Array(count * 784), the pixels 0..255}. */
export function parseImageBytes(raw, name) {
  const [count, rows, cols] = header(raw, name, 0x00000803, 4);
  const size = rows * cols;
  if (size !== 784) throw new Error(`${name}: images of ${rows}x${cols}, expected 28x28`);
  if (raw.length !== 16 + count * size) {
    throw new Error(`${name}: ${raw.length} bytes, expected ${16 + count * size} for ${count} images`);
  }
  return { count, bytes: raw.subarray(16) };
}

/** The first n images as Float32Array(n * 784) of p / 255. */
export function toFloats(bytes, n) {
  const out = new Float32Array(n * 784);
  for (let i = 0; i < out.length; i++) out[i] = bytes[i] / 255;
  return out;
}

/** IDX1 labels (8-byte header) as Uint8Array of 0..9. */
export function parseLabels(raw, name) {
  const [count] = header(raw, name, 0x00000801, 2);
  if (raw.length !== 8 + count) {
    throw new Error(`${name}: ${raw.length} bytes, expected ${8 + count} for ${count} labels`);
  }
  const labels = raw.slice(8);
  for (let i = 0; i < count; i++) {
    if (labels[i] > 9) throw new Error(`${name}: label ${labels[i]} at ${i}`);
  }
  return labels;
}
