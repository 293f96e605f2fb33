#!/usr/bin/env python3
"""The scaling model of docs/distributed-scaling.md, from measured parts.

Reads the tables printed by the `scaling_inputs` example (step compute per
batch size; the sum of gradients over TCP on loopback per message size) and
prints, for 2 to 64 machines on 10 and 100 Gbit Ethernet, the predicted step
time, throughput and efficiency of data-parallel training of the course's CNN
and MLP, with a ring all-reduce priced by the alpha-beta model:

    T_allreduce(P, n) = 2 (P - 1) alpha + 2 (P - 1) / P * n * beta

    alpha = alpha_tcp + alpha_wire   (alpha_tcp measured, alpha_wire assumed)
    beta  = max(beta_tcp, 8 / link)  (beta_tcp measured; the slower of the
                                      TCP stack and the wire sets the pace)

    step(P, B)        = t_c(B / P) + T_allreduce(P, n)      (no overlap)
    throughput(P, B)  = B / step(P, B)                       images/s
    efficiency(P, B)  = t_c(B) / (P * step(P, B))            fixed batch B
    weak(P, b)        = t_c(b) / (t_c(b) + T_allreduce(P, n)) per-machine b

Usage:
    python3 distributed/scaling_model.py --compute compute.md --tcp tcp.md
"""

import argparse
import math
import re

# Parameters of the course's networks, plus the loss and the metric count
# that travel in the same buffer.
VALUES = {"cnn": 34_826 + 2, "mlp": 101_770 + 2}
# The course's batch sizes (the examples' defaults).
COURSE_BATCH = {"cnn": 128, "mlp": 64}
# Assumed one-way latency of the wire, NIC and switch per message, added to
# the measured software latency: a typical figure for each link, not measured.
LINKS = {"10 GbE": (10e9, 10e-6), "100 GbE": (100e9, 3e-6)}
MACHINES = [2, 4, 8, 16, 32, 64]
TARGET = 0.8


def table_rows(path):
    """The data rows of the Markdown tables in `path`, as lists of cells."""
    rows = []
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line.startswith("|") or set(line) <= set("|-"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells and re.match(r"^[0-9.]+$", cells[-1]):
            rows.append(cells)
    return rows


def compute_times(path):
    """{network: [(batch, seconds per step)]} from `scaling_inputs compute`
    (the minimum over repetitions)."""
    times = {}
    for net, batch, ms, *_ in table_rows(path):
        times.setdefault(net, []).append((int(batch), float(ms) / 1e3))
    return {k: sorted(v) for k, v in times.items()}


def tcp_fit(path):
    """(alpha, beta) of the rank-order sum over TCP on loopback (2 ranks).

    With P = 2 a sum moves n/2 bytes each way in each of its two phases:
    T(n) = 2 alpha + n beta. alpha: half the time of the smallest message;
    beta: the least-squares slope over the messages of 64 KB to 1 MB, the
    range of the course's gradients (139 KB and 407 KB). Larger messages
    fall off a cliff on this machine (see the document) and are left out.
    """
    points = sorted((int(bytes_), float(least) * 1e-6) for _, _, bytes_, least, *_ in table_rows(path))
    alpha = points[0][1] / 2
    large = [(n, t) for n, t in points if 65536 <= n <= 1 << 20]
    mean_n = sum(n for n, _ in large) / len(large)
    mean_t = sum(t for _, t in large) / len(large)
    beta = sum((n - mean_n) * (t - mean_t) for n, t in large) / sum((n - mean_n) ** 2 for n, _ in large)
    return alpha, beta


def interpolate(points, b):
    """t_c(b), log-log between the measured batch sizes (linear past the ends)."""
    if b <= points[0][0]:
        return points[0][1] * b / points[0][0]
    for (b1, t1), (b2, t2) in zip(points, points[1:]):
        if b <= b2:
            f = (math.log(b) - math.log(b1)) / (math.log(b2) - math.log(b1))
            return math.exp(math.log(t1) + f * (math.log(t2) - math.log(t1)))
    b_last, t_last = points[-1]
    return t_last * b / b_last


def allreduce(p, nbytes, alpha, beta):
    return 2 * (p - 1) * alpha + 2 * (p - 1) / p * nbytes * beta


def smallest_batch(points, t_ar):
    """The smallest per-machine batch with weak efficiency >= TARGET."""
    b = 1
    while b <= 1 << 20:
        t = interpolate(points, b)
        if t / (t + t_ar) >= TARGET:
            return b
        b *= 2
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--compute", required=True, help="output of `scaling_inputs compute`")
    ap.add_argument("--tcp", required=True, help="output of the 2-rank `scaling_inputs allreduce` over TCP")
    args = ap.parse_args()
    times = compute_times(args.compute)
    alpha_tcp, beta_tcp = tcp_fit(args.tcp)
    print(f"measured: alpha_tcp = {alpha_tcp * 1e6:.1f} us, beta_tcp = {beta_tcp * 1e9:.3f} ns/byte "
          f"({8 / beta_tcp / 1e9:.1f} Gbit/s)\n")
    for net in ["cnn", "mlp"]:
        points = times[net]
        nbytes = 4 * VALUES[net]
        big_b = COURSE_BATCH[net]
        t1 = interpolate(points, big_b)
        print(f"### {net}: {VALUES[net]:,} values ({nbytes / 1e3:.0f} KB), batch {big_b} "
              f"(one machine: {t1 * 1e3:.2f} ms per step, {big_b / t1:,.0f} images/s)\n")
        print("| link | machines | per-machine batch | compute (ms) | all-reduce (ms) | step (ms) | images/s "
              "| efficiency | per-machine batch for 80% (global) |")
        print("|---|---|---|---|---|---|---|---|---|")
        for link, (bits, wire) in LINKS.items():
            alpha = alpha_tcp + wire
            beta = max(beta_tcp, 8 / bits)
            for p in MACHINES:
                b = big_b / p
                t_c = interpolate(points, b)
                t_ar = allreduce(p, nbytes, alpha, beta)
                step = t_c + t_ar
                eff = t1 / (p * step)
                need = smallest_batch(points, t_ar)
                need_text = f"{need} ({need * p:,})" if need else "none measured"
                print(f"| {link} | {p} | {b:g} | {t_c * 1e3:.3f} | {t_ar * 1e3:.3f} | {step * 1e3:.3f} "
                      f"| {big_b / step:,.0f} | {eff:.0%} | {need_text} |")
        print()


if __name__ == "__main__":
    main()
