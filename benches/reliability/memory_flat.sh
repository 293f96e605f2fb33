#!/usr/bin/env bash
# Trains the CNN for about 1000 steps on MNIST and samples the resident
# memory (VmRSS from /proc/PID/status) of the process every second into a
# CSV, then prints the RSS near step 100, near the last step, and the max.
# A leak (a graph, a tape or a buffer kept across steps) shows as a rise
# between the two; a flat line means memory does not grow with steps.
#
# Usage: benches/reliability/memory_flat.sh [OUT_DIR]
#   EPOCHS (3) x ceil(TRAIN_LIMIT (43000) / 128) steps = 1008 steps.
# The step of a sample is estimated from the elapsed time (steps run at a
# steady pace; the per-epoch test evaluation is a small part of an epoch).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$root/out/memory_flat}"
epochs="${EPOCHS:-3}"
train_limit="${TRAIN_LIMIT:-43000}"
target="${CARGO_TARGET_DIR:-$root/target}"
mkdir -p "$out"
csv="$out/rss.csv"

(cd "$root" && cargo build --release -q -p sinapse-examples --example cnn)
"$target/release/examples/cnn" --quiet --epochs "$epochs" --train-limit "$train_limit" \
    --batch-size 128 --out "$out/run" &
pid=$!
echo "seconds,rss_kb" > "$csv"
start=$(date +%s.%N)
while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [ -n "$rss" ] && echo "$(echo "$(date +%s.%N) - $start" | bc),$rss" >> "$csv"
    sleep 1
done
wait "$pid"

steps=$(( epochs * ((train_limit + 127) / 128) ))
awk -F, -v steps="$steps" 'NR > 1 { t[n] = $1; r[n] = $2; n++; if ($2 > max) max = $2 }
END {
    if (n < 3) { print "too few samples: " n; exit 1 }
    total = t[n - 1]
    a = int(n * 100 / steps); if (a >= n) a = n - 1
    printf "samples: %d over %.0f s, %d steps\n", n, total, steps
    printf "RSS near step %d: %.1f MB\n", 100, r[a] / 1024
    printf "RSS near step %d: %.1f MB\n", steps, r[n - 2] / 1024
    printf "max RSS: %.1f MB\n", max / 1024
}' "$csv"
echo "samples in $csv"
