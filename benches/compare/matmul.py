#!/usr/bin/env python3
"""Single-precision matmul side by side: Sinapse's Tensor::matmul, a direct
matrixmultiply sgemm call, and NumPy (OpenBLAS), on n x n matrices, with 1
and 2 threads. Each round runs every implementation once, in its own
process, one after the other; the table gives the median over rounds of
each run's median GFLOP/s, and the ratio Sinapse / NumPy.

    python3 benches/compare/matmul.py --venv /path/to/venv --rounds 3

Needs NumPy in the interpreter given by --venv / --python (the peers' venv
of compare.py has it); without it, the NumPy column is skipped.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

import peer_env

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BIN = os.path.join(REPO, "target", "release", "matmul_gflops")

NUMPY_TIMER = r"""
import json, sys, time
import numpy as np
n, budget = int(sys.argv[1]), float(sys.argv[2])
rng = np.random.default_rng(0)
a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
a @ b
runs, began = [], time.perf_counter()
while time.perf_counter() - began < budget or len(runs) < 3:
    t = time.perf_counter()
    a @ b
    runs.append(2 * n**3 / (time.perf_counter() - t) / 1e9)
runs.sort()
print(json.dumps({"impl": "numpy", "n": n, "runs": len(runs), "gflops": runs[len(runs) // 2],
                  "numpy": np.__version__}))
"""


def thread_env(threads):
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS"):
        env[var] = str(threads)
    return env


def run_ours(sizes, threads):
    out = subprocess.run([BIN, *map(str, sizes)], env=thread_env(threads), capture_output=True, text=True, check=True)
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def run_numpy(python, n, threads, budget):
    out = subprocess.run(
        [python, "-c", NUMPY_TIMER, str(n), str(budget)], env=thread_env(threads), capture_output=True, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "numpy run failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", nargs="+", type=int, default=[512, 1024, 2048])
    p.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--python", default="python3", help="interpreter with NumPy")
    p.add_argument("--venv", help="use the NumPy of this virtual environment")
    p.add_argument("--no-build", action="store_true", help="use the binary already built")
    a = p.parse_args()
    python = peer_env.venv_python(a.venv) if a.venv else a.python
    if not a.no_build:
        subprocess.run(["cargo", "build", "--release", "-p", "sinapse-benches", "--bin", "matmul_gflops"], cwd=REPO,
                       check=True)
    have_numpy = subprocess.run([python, "-c", "import numpy"], capture_output=True).returncode == 0
    if not have_numpy:
        print(f"skipping NumPy: {python} cannot import numpy (use --venv DIR of compare.py --setup-venv)")
    results = {}  # (impl, n, threads) -> [gflops per round]
    numpy_version = None
    for r in range(a.rounds):
        for threads in a.threads:
            for n in a.sizes:
                for rec in run_ours([n], threads):
                    # The direct call is single-threaded whatever the pool size.
                    results.setdefault((rec["impl"], n, threads), []).append(rec["gflops"])
                if have_numpy:
                    rec = run_numpy(python, n, threads, 2.0)
                    numpy_version = rec["numpy"]
                    results.setdefault(("numpy", n, threads), []).append(rec["gflops"])
        print(f"round {r + 1}/{a.rounds} done", file=sys.stderr, flush=True)
    print(f"\nsgemm GFLOP/s, median of {a.rounds} rounds; NumPy {numpy_version or 'absent'}; "
          f"load average {os.getloadavg()[0]:.2f} at the end\n")
    print("| n | threads | sinapse | matrixmultiply direct (1 thread) | numpy | sinapse / numpy |")
    print("|---|---|---|---|---|---|")
    for threads in a.threads:
        for n in a.sizes:
            med = {k: statistics.median(results[(k, n, threads)]) for k in ("sinapse", "matrixmultiply_direct", "numpy")
                   if (k, n, threads) in results}
            ratio = f"{med['sinapse'] / med['numpy']:.2f}" if "numpy" in med else "-"
            cells = [f"{med[k]:.1f}" if k in med else "-" for k in ("sinapse", "matrixmultiply_direct", "numpy")]
            print(f"| {n} | {threads} | {' | '.join(cells)} | {ratio} |")


if __name__ == "__main__":
    main()
