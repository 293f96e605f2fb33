#!/usr/bin/env python3
"""Sinapse against PyTorch, TensorFlow/Keras and JAX on the same MNIST and
Fashion-MNIST workloads, on this machine: for each workload, R repetitions; in
each, every available framework that implements it trains once in its own
process, one at a time, in an order that rotates from one repetition to the
next. Prints a Markdown table of the median epoch times, their ratio to
Sinapse's, test accuracy and peak RSS, and writes every run as a JSON line.
See README.md next to this file.

    python3 benches/compare/compare.py --quick                       # smoke test
    python3 benches/compare/compare.py --venv /path/to/venv --reps 3 # the comparison

Needs only the standard library; the peers run in the interpreter given by
--python / --venv / --setup-venv.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import time

import peer_env
import runner
import summary
import workloads

# The frameworks, in the order of the first repetition, and the workloads; their recipes are in
# workloads.py.
FRAMEWORKS = workloads.FRAMEWORKS
WORKLOADS = list(workloads.WORKLOADS)
# A 1-minute load average above this means other processes compete for the cores.
BUSY_LOAD = 1.0
REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--workloads",
        nargs="+",
        choices=WORKLOADS,
        help=f"default: {' '.join(workloads.DEFAULT_WORKLOADS)} (--quick: w1 w2)",
    )
    p.add_argument("--frameworks", nargs="+", choices=FRAMEWORKS, default=FRAMEWORKS, help="default: all five")
    p.add_argument("--reps", type=int, help="repetitions per workload (default 3; --quick: 1)")
    p.add_argument("--epochs", type=int, help="epochs per run (default 5, 5, 3, 10 for w1-w4; --quick: 2)")
    p.add_argument("--quick", action="store_true", help="smoke test: 1 repetition, 2 epochs, w1 and w2")
    p.add_argument("--seed", type=int, default=0, help="seed of weights and shuffles, the same for every run")
    p.add_argument("--threads", type=int, default=2, help="worker threads of every framework (default 2)")
    p.add_argument("--out", default=os.path.join(REPO, "out", "compare"), help="folder for results and logs")
    p.add_argument("--data", default=os.path.join(REPO, workloads.DATASETS["mnist"]), help="MNIST IDX .gz folder")
    p.add_argument("--fashion-data", default=workloads.DATASETS["fashion"], help="Fashion-MNIST IDX .gz folder (w4)")
    p.add_argument("--python", default="python3", help="interpreter of the Python peers (default python3)")
    p.add_argument("--venv", help="use the peers installed in this virtual environment")
    p.add_argument("--setup-venv", metavar="DIR", help="create DIR and pip-install numpy and the selected peers")
    p.add_argument("--setup-only", action="store_true", help="with --setup-venv: install, then stop")
    p.add_argument("--no-build", action="store_true", help="run the examples already built, without cargo")
    p.add_argument("--timeout", type=float, default=3600, help="seconds after which a run is killed")
    p.add_argument("--report", metavar="RUNS_JSONL", help="only print the table of an earlier runs.jsonl")
    a = p.parse_args(argv)
    a.workloads = a.workloads or (["w1", "w2"] if a.quick else workloads.DEFAULT_WORKLOADS)
    a.reps = a.reps or (1 if a.quick else 3)
    if a.reps < 1 or (a.epochs is not None and a.epochs < 1) or a.threads < 1:
        p.error("--reps, --epochs and --threads must be at least 1")
    if a.epochs is None and a.quick:
        a.epochs = 2
    if a.setup_only and not a.setup_venv:
        p.error("--setup-only needs --setup-venv DIR")
    return a


def data_dir(a, workload):
    """The folder of the workload's data set."""
    return a.fashion_data if workloads.WORKLOADS[workload]["dataset"] == "fashion" else a.data


def runs_workload(fw, workload):
    return fw in workloads.WORKLOADS[workload]["frameworks"]


def drop_frameworks_without_workloads(a):
    """Keeps the frameworks that implement at least one of the selected
    workloads, saying which are left out (so they are not probed for
    nothing)."""
    kept = [fw for fw in a.frameworks if any(runs_workload(fw, w) for w in a.workloads)]
    for fw in a.frameworks:
        if fw not in kept:
            print(f"skipping {fw}: it has no version of {' or '.join(a.workloads)} (see workloads.py)", flush=True)
    a.frameworks = kept


def available_frameworks(a, env):
    """{framework: version} of the frameworks that can run; prints why the others are skipped."""
    found = {}
    python = peer_env.venv_python(a.venv) if a.venv else a.python
    for fw in a.frameworks:
        if fw == "sinapse":
            continue
        version, reason = peer_env.probe(python, fw, env)
        if version:
            found[fw] = version
        else:
            print(
                f"skipping {fw}: {reason}. Install the peers with --setup-venv DIR, "
                f"or name an interpreter that has them with --venv DIR / --python PY.",
                flush=True,
            )
    a.python = python
    return found


def sinapse_version():
    def git(*args):
        out = subprocess.run(["git", *args], check=False, cwd=REPO, capture_output=True, text=True)
        return out.stdout.strip() if out.returncode == 0 else ""

    rev = git("rev-parse", "--short", "HEAD") or "unknown"
    return rev + ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def run_once(a, fw, workload, epochs, rep, exes, versions, out):
    """Trains `fw` on `workload` once and returns its record (ok or not)."""
    tag = f"{workload}-{fw}-rep{rep}"
    log = os.path.join(out, "logs", tag + ".log")
    rec = {
        "workload": workload,
        "framework": fw,
        "version": versions[fw],
        "rep": rep,
        "epochs": epochs,
        "seed": a.seed,
        "threads": a.threads,
        "load_avg_before": round(os.getloadavg()[0], 2),
        "log": os.path.relpath(log, out),
        "unix_time": int(time.time()),
    }
    if fw == "sinapse":
        run_dir = os.path.join(out, "runs", tag)
        data = data_dir(a, workload)
        cmd = runner.sinapse_command(exes[workload], workload, epochs, a.seed, a.threads, data, run_dir)
        read = lambda: runner.read_sinapse(run_dir)
    else:
        result = os.path.join(out, "runs", tag + ".json")
        if os.path.exists(result):
            os.remove(result)  # never read a stale result from an earlier invocation
        data = data_dir(a, workload)
        cmd = runner.peer_command(a.python, fw, workload, epochs, a.seed, a.threads, data, result)
        read = lambda: runner.read_peer(result)
    code, rss, wall = runner.run_measured(cmd, runner.child_env(a.threads), log, a.timeout)
    rec.update(exit_code=code, peak_rss_mb=round(rss, 1), process_seconds=round(wall, 2), ok=False)
    if code == 0:
        try:
            rec.update(read())
            rec["ok"] = len(rec["epoch_seconds"]) == epochs
            if not rec["ok"]:
                rec["error"] = f"{len(rec['epoch_seconds'])} epochs recorded, {epochs} asked"
        except (OSError, KeyError, ValueError) as e:
            rec["error"] = f"no readable result: {e}"
    elif wall >= a.timeout:
        rec["error"] = f"killed after --timeout {a.timeout:g} s"
    return rec


def describe(rec):
    if not rec["ok"]:
        return f"FAILED (exit {rec['exit_code']}{', ' + rec['error'] if 'error' in rec else ''})"
    secs = " ".join(f"{s:.3f}" for s in rec["epoch_seconds"])
    return f"epochs [{secs}] s, acc {rec['test_accuracy']:.4f}, peak RSS {rec['peak_rss_mb']:.0f} MB"


def main(argv=None):
    a = parse_args(argv)
    if a.report:
        with open(a.report) as f:
            print(summary.markdown(summary.summarize([json.loads(line) for line in f if line.strip()])))
        return 0
    if a.setup_venv:
        try:
            peer_env.setup_venv(a.setup_venv, a.frameworks)
        except peer_env.SetupError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        a.venv = a.setup_venv
        if a.setup_only:
            return 0
    folders = {(data_dir(a, w), workloads.WORKLOADS[w]["dataset"]) for w in a.workloads}
    for folder, dataset in sorted(folders):
        flag = "--fashion-data" if dataset == "fashion" else "--data"
        for f in ("train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz"):
            if not os.path.isfile(os.path.join(folder, f)):
                print(f"error: {folder} has no {f} (pass the {dataset} folder with {flag})", file=sys.stderr)
                return 2
    drop_frameworks_without_workloads(a)
    env = runner.child_env(a.threads)
    versions = {"sinapse": sinapse_version(), **available_frameworks(a, env)}
    exes = {}
    if "sinapse" in a.frameworks:
        try:
            exes = runner.build_sinapse(REPO, a.workloads, a.no_build)
        except runner.BuildError as e:
            # Without Sinapse there is no ratio to compute: stop rather than time the peers for nothing.
            print(f"error: {e}", file=sys.stderr)
            return 2
    order = [fw for fw in FRAMEWORKS if fw in a.frameworks and (fw in versions if fw != "sinapse" else exes)]
    if not order:
        print("error: no framework can run (see the messages above)", file=sys.stderr)
        return 2

    out = os.path.abspath(a.out)
    os.makedirs(os.path.join(out, "logs"), exist_ok=True)
    os.makedirs(os.path.join(out, "runs"), exist_ok=True)
    load = os.getloadavg()[0]
    setting = (
        f"{', '.join(a.workloads)} x {a.reps} repetitions of {', '.join(order)}; "
        f"epochs {a.epochs or 'default'}, {a.threads} threads, seed {a.seed}; "
        f"{os.cpu_count()} CPUs, load average {load:.2f} at the start"
    )
    print(f"{datetime.datetime.now().isoformat(timespec='seconds')}: {setting}; writing {out}", flush=True)
    if load > BUSY_LOAD:
        print(
            f"warning: the machine is busy (load average {load:.2f} on {os.cpu_count()} CPUs): "
            f"the times will mostly measure the other processes. Run again when it is quiet.",
            flush=True,
        )
    runs = run_protocol(a, order, exes, versions, out)

    rows = summary.summarize(runs)
    table = summary.markdown(rows)
    setting += f", {os.getloadavg()[0]:.2f} at the end"
    with open(os.path.join(out, "summary.jsonl"), "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows)
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write(f"{setting}.\n\n{table}\n")
    print(
        f"\n{setting}.\n\n{table}\n\nruns: {os.path.join(out, 'runs.jsonl')}\n"
        f"rows: {os.path.join(out, 'summary.jsonl')}"
    )
    return 0 if all(r["ok"] for r in runs) else 1


def run_protocol(a, order, exes, versions, out):
    """Every run, one process at a time; each record is appended to runs.jsonl as soon as it ends."""
    runs = []
    with open(os.path.join(out, "runs.jsonl"), "w") as runs_file:
        for workload in a.workloads:
            epochs = a.epochs or workloads.WORKLOADS[workload]["epochs"]
            here = [fw for fw in order if runs_workload(fw, workload)]
            missing = [fw for fw in order if fw not in here]
            if missing:
                skipped = ", ".join(missing)
                print(f"{workload}: skipping {skipped}: no version of {workload} (see workloads.py)", flush=True)
            for rep in range(a.reps if here else 0):
                # Rotate the order so that no framework always runs right after the same one.
                k = rep % len(here)
                for fw in here[k:] + here[:k]:
                    rec = run_once(a, fw, workload, epochs, rep + 1, exes, versions, out)
                    runs.append(rec)
                    runs_file.write(json.dumps(rec) + "\n")
                    runs_file.flush()
                    print(f"{workload} rep {rep + 1} {fw:8s} {describe(rec)}", flush=True)
                    if not rec["ok"]:
                        print(runner.tail(os.path.join(out, rec["log"])), flush=True)
    return runs


if __name__ == "__main__":
    sys.exit(main())
