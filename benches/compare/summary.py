"""From the per-run records to one row per (workload, framework) and the
Markdown table. The timing rule lives here, in `timed_epochs`, and applies to
every framework alike."""

import statistics

# MNIST's training set, for records written before runs carried their own count.
TRAIN_IMAGES = 60000


def timed_epochs(epoch_seconds):
    """The epochs that count: all but the first, which carries each
    framework's one-off costs (tracing, JIT compilation, primitive caches,
    first-touch page faults). A one-epoch run has nothing else, so its single
    epoch is used and the row is marked as including the warm-up."""
    if len(epoch_seconds) > 1:
        return epoch_seconds[1:], False
    return list(epoch_seconds), True


def summarize(runs):
    """One row per (workload, framework), in the order first seen. Epoch times
    are pooled over the runs' timed epochs; the ratio is this framework's
    median epoch time over Sinapse's on the same workload."""
    groups = {}
    for run in runs:
        groups.setdefault((run["workload"], run["framework"]), []).append(run)
    rows = []
    for (workload, framework), group in groups.items():
        ok = [r for r in group if r["ok"]]
        row = {
            "workload": workload,
            "framework": framework,
            "version": group[0].get("version"),
            "runs": len(ok),
            "failed": len(group) - len(ok),
        }
        if ok:
            pooled, first, warm = [], [], False
            for r in ok:
                t, included = timed_epochs(r["epoch_seconds"])
                pooled += t
                first.append(r["epoch_seconds"][0])
                warm |= included
            med = statistics.median(pooled)
            images = ok[0].get("train_images", TRAIN_IMAGES)
            acc = [r["test_accuracy"] for r in ok]
            row.update(
                epochs=ok[0]["epochs"],
                timed_samples=len(pooled),
                includes_warmup=warm,
                epoch_s_median=med,
                epoch_s_min=min(pooled),
                epoch_s_max=max(pooled),
                first_epoch_s_median=statistics.median(first),
                train_images=images,
                images_per_s=images / med,
                test_acc=statistics.median(acc),
                test_acc_min=min(acc),
                test_acc_max=max(acc),
                peak_rss_mb=max(r["peak_rss_mb"] for r in ok),
            )
        rows.append(row)
    base = {r["workload"]: r["epoch_s_median"] for r in rows if r["framework"] == "sinapse" and r["runs"]}
    for r in rows:
        if r["runs"] and r["workload"] in base:
            r["ratio"] = r["epoch_s_median"] / base[r["workload"]]
    return rows


def _accuracy(r):
    if r["test_acc_min"] == r["test_acc_max"]:
        return f"{r['test_acc']:.4f}"
    return f"{r['test_acc']:.4f} [{r['test_acc_min']:.4f}-{r['test_acc_max']:.4f}]"


def markdown(rows):
    head = (
        "| workload | framework | version | runs | epoch s median [min-max] | 1st epoch s | images/s "
        "| test acc | peak RSS MB | ratio (framework / sinapse) |"
    )
    lines = [head, "|" + "---|" * 10]
    for r in rows:
        if not r["runs"]:
            lines.append(
                f"| {r['workload']} | {r['framework']} | {r['version']} | 0 ({r['failed']} failed) | | | | | | |"
            )
            continue
        runs = f"{r['runs']}" + (f" ({r['failed']} failed)" if r["failed"] else "")
        epoch = f"{r['epoch_s_median']:.3f} [{r['epoch_s_min']:.3f}-{r['epoch_s_max']:.3f}]"
        if r["includes_warmup"]:
            epoch += " *"
        ratio = f"{r['ratio']:.2f}" if "ratio" in r else "-"
        lines.append(
            f"| {r['workload']} | {r['framework']} | {r['version']} | {runs} | {epoch} "
            f"| {r['first_epoch_s_median']:.3f} | {r['images_per_s']:,.0f} | {_accuracy(r)} "
            f"| {r['peak_rss_mb']:.0f} | {ratio} |"
        )
    for workload in dict.fromkeys(r["workload"] for r in rows):
        counts = {r["framework"]: r["train_images"] for r in rows if r["workload"] == workload and r["runs"]}
        if len(set(counts.values())) > 1:
            lines.append("")
            lines.append(
                f"**{workload}: the frameworks trained on different numbers of images** {counts}: not comparable."
            )
    if any(r.get("includes_warmup") for r in rows):
        lines.append("")
        lines.append("\\* one-epoch runs: the only epoch, which includes the warm-up, is the timed one.")
    return "\n".join(lines)
