// Runs the WebAssembly build of sinapse-wasm-smoke in Node.js: trains the
// small network, checks that the loss went down, and prints the same lines
// as the native example so that the two runs can be compared exactly.
//
//     node wasm-smoke/run.mjs path/to/sinapse_wasm_smoke.wasm [epochs]

import { readFileSync } from "node:fs";

const [path, epochsArg = "3"] = process.argv.slice(2);
if (!path) {
    console.error("usage: node run.mjs <module.wasm> [epochs]");
    process.exit(2);
}
const epochs = Number(epochsArg);

// The module imports nothing: the libraries need no host functions.
const { instance } = await WebAssembly.instantiate(readFileSync(path), {});
const smoke = instance.exports;

// Rust prints an f64 as the shortest string that reads back to it; so does
// JavaScript, but the bits are printed too, so that formatting cannot hide
// or fake a difference.
const bits = (x) => {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, x);
    return view.getBigUint64(0).toString(16).padStart(16, "0");
};

const first = smoke.smoke_first_loss(epochs);
const last = smoke.smoke_last_loss(epochs);
const hash = BigInt.asUintN(64, smoke.smoke_hash(epochs));
console.log(`first loss ${first} (${bits(first)})`);
console.log(`last loss ${last} (${bits(last)})`);
console.log(`hash ${hash.toString(16).padStart(16, "0")}`);

if (!(Number.isFinite(first) && Number.isFinite(last) && last < first)) {
    console.error(`the loss did not go down: ${first} -> ${last}`);
    process.exit(1);
}
