#!/usr/bin/env bash
# Re-measures the inputs of docs/distributed-scaling.md and prints the model.
# Usage: bash distributed/measure.sh [OUTPUT_FOLDER]   (default: out/scaling)
# Needs Open MPI (apt-get install openmpi-bin libopenmpi-dev libclang-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/scaling}
mkdir -p "$out"
cargo build --release -p sinapse-distributed --example scaling_inputs
bin=${CARGO_TARGET_DIR:-target}/release/examples/scaling_inputs
mpirun=(mpirun --allow-run-as-root --oversubscribe)
echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$bin" compute --threads 2 | tee "$out/compute-2-threads.md"
"$bin" compute --threads 1 | tee "$out/compute-1-thread.md"
"${mpirun[@]}" -np 2 "$bin" allreduce | tee "$out/sum-shared-memory-2.md"
"${mpirun[@]}" -np 3 "$bin" allreduce | tee "$out/sum-shared-memory-3.md"
"${mpirun[@]}" -np 2 --mca btl self,tcp "$bin" allreduce | tee "$out/sum-tcp-loopback-2.md"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 distributed/scaling_model.py --compute "$out/compute-2-threads.md" --tcp "$out/sum-tcp-loopback-2.md" \
    | tee "$out/model.md"
