"""Runs one training process and measures it, for every framework alike:
its exit code, wall time and peak resident memory.

Peak RSS comes from `os.wait4` on the child: the kernel's `ru_maxrss` of that
one process (and of any children it waited for), in KiB. This is the figure
`/usr/bin/time -f %M` prints (GNU time reads it from wait4 too), and unlike
`getrusage(RUSAGE_CHILDREN)` it is not a running maximum over every child the
driver has had, so runs in one driver process do not contaminate each other.
"""

import json
import os
import signal
import subprocess
import threading
import time

import workloads

# The workloads' Sinapse examples.
EXAMPLES = {w: spec["example"] for w, spec in workloads.WORKLOADS.items()}
# The peer scripts, next to this file.
PEER_SCRIPTS = {"torch": "torch_peer.py", "torch-cl": "torch_peer.py", "tf": "tf_peer.py", "jax": "jax_peer.py"}
# Flags that make a peer script run a variant.
PEER_FLAGS = {"torch-cl": ["--channels-last"]}
HERE = os.path.dirname(os.path.abspath(__file__))


class BuildError(Exception):
    """The Sinapse examples could not be built or found."""


def child_env(threads):
    """The environment of every measured process: the same thread count for
    OpenMP/MKL/OpenBLAS pools, and quiet, CPU-only frameworks."""
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[var] = str(threads)
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"  # TF's start-up banner is noise here; errors still show
    env["JAX_PLATFORMS"] = "cpu"  # no probe for accelerator plugins
    env["CUDA_VISIBLE_DEVICES"] = ""  # the PyPI torch is a CUDA build; keep it off the (absent) GPU
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_measured(cmd, env, log_path, timeout):
    """Runs `cmd` with stdout+stderr into `log_path`; returns
    (exit code, peak RSS in MB, wall seconds). A run past `timeout` seconds is
    killed (exit code -9)."""
    with open(log_path, "w") as log:
        log.write("$ " + " ".join(cmd) + "\n")
        log.flush()
        began = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        killer = threading.Timer(timeout, _kill_group, (proc.pid,))
        killer.start()
        try:
            # wait4 reaps the child itself, so Popen never sees it: keep the status here.
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - began
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss / 1024.0, wall


def _kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:  # it ended just before the deadline
        pass


def build_sinapse(repo, selected, no_build):
    """Builds the workloads' examples in release mode (a no-op when up to
    date) and returns {workload: executable}. With `no_build`, looks for
    them under $CARGO_TARGET_DIR (or <repo>/target)/release/examples."""
    names = {w: EXAMPLES[w] for w in selected}
    if no_build:
        target = os.environ.get("CARGO_TARGET_DIR", os.path.join(repo, "target"))
        found = {w: os.path.join(target, "release", "examples", n) for w, n in names.items()}
        missing = [p for p in found.values() if not os.access(p, os.X_OK)]
        if missing:
            raise BuildError(f"not built: {', '.join(missing)} (drop --no-build, or set CARGO_TARGET_DIR)")
        return found
    cmd = ["cargo", "build", "--release", "-p", "sinapse-examples", "--message-format=json-render-diagnostics"]
    for n in names.values():
        cmd += ["--example", n]
    print("building: " + " ".join(cmd), flush=True)
    try:
        # Cargo's progress and diagnostics go to our stderr; the JSON messages name the executables.
        out = subprocess.run(cmd, check=False, cwd=repo, stdout=subprocess.PIPE, text=True)
    except FileNotFoundError:
        raise BuildError("cargo is not on PATH")
    if out.returncode != 0:
        raise BuildError(
            f"cargo build failed (exit {out.returncode}); see the messages above. --no-build runs the examples "
            "built earlier; --frameworks torch tf jax times the peers alone"
        )
    exes = {}
    for line in out.stdout.splitlines():
        msg = json.loads(line) if line.startswith("{") else {}
        if msg.get("reason") == "compiler-artifact" and msg.get("executable"):
            exes[msg["target"]["name"]] = msg["executable"]
    missing = [n for n in names.values() if n not in exes]
    if missing:
        raise BuildError(f"cargo built no executable for: {', '.join(missing)}")
    return {w: exes[n] for w, n in names.items()}


def sinapse_command(exe, workload, epochs, seed, threads, data, run_dir):
    """The example's command line, with the workload's recipe and data set
    given explicitly (the same values as the example's defaults for w1-w3)."""
    dataset = workloads.WORKLOADS[workload]["dataset"]
    return [
        exe,
        "--dataset",
        dataset,
        *workloads.recipe_flags(workload),
        "--epochs",
        str(epochs),
        "--seed",
        str(seed),
        "--threads",
        str(threads),
        "--data-dir",
        data,
        "--out",
        run_dir,
        "--quiet",
    ]


def read_sinapse(run_dir):
    """The epoch seconds, test accuracy and self-reported peak memory that an
    example wrote into its --out folder."""
    with open(os.path.join(run_dir, "history.json")) as f:
        history = json.load(f)
    with open(os.path.join(run_dir, "metrics.json")) as f:
        metrics = json.load(f)
    return {
        "train_images": history["epochs"][0]["examples"],
        "epoch_seconds": [e["seconds"] for e in history["epochs"]],
        "train_loss": [e["loss"] for e in history["epochs"]],
        "test_accuracy": metrics["test_accuracy"],
        "self_reported_rss_mb": metrics.get("peak_rss_mb"),
    }


def peer_command(python, framework, workload, epochs, seed, threads, data, result_path):
    script = os.path.join(HERE, "peers", PEER_SCRIPTS[framework])
    return [
        python,
        script,
        workload,
        "--epochs",
        str(epochs),
        "--seed",
        str(seed),
        "--threads",
        str(threads),
        "--data",
        data,
        "--result",
        result_path,
    ] + workloads.recipe_flags(workload) + PEER_FLAGS.get(framework, [])


def read_peer(result_path):
    with open(result_path) as f:
        rec = json.load(f)
    return {k: rec[k] for k in ("version", "train_images", "epoch_seconds", "train_loss", "test_accuracy", "details")}


def tail(path, lines=15):
    """The last lines of a log, for a failure message."""
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""
