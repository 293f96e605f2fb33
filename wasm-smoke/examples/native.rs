//! Runs the smoke training natively and prints what `run.mjs` prints for
//! the WebAssembly build, so the two can be compared line for line.
//!
//!     cargo run --release -p sinapse-wasm-smoke --example native -- 3

fn main() {
    let epochs = std::env::args().nth(1).map_or(3, |a| a.parse().expect("epochs: a whole number"));
    let outcome = sinapse_wasm_smoke::train(epochs);
    // The bits as well as the value: the comparison is exact.
    println!("first loss {} ({:016x})", outcome.first_loss, outcome.first_loss.to_bits());
    println!("last loss {} ({:016x})", outcome.last_loss, outcome.last_loss.to_bits());
    println!("hash {:016x}", outcome.hash);
}
