"""What the three peer scripts share: the workloads' recipes (from
../workloads.py), the IDX reader (MNIST and Fashion-MNIST), the command line
and the result file. Needs numpy only (no framework import).

Every peer script is called the same way by ../compare.py:

    python <framework>_peer.py WORKLOAD --epochs N --seed S --threads T --data DIR --result FILE
        [--batch-size N --lr X --lr-step N]

The recipe flags default to the workload's recipe in ../workloads.py (the
driver passes them explicitly, so that the logs show them).

and writes FILE as one JSON object:
    {"framework", "version", "workload", "train_images", "epoch_seconds": [...], "train_loss": [...],
     "test_accuracy", "details": {...}}
"""

import argparse
import gzip
import json
import os
import sys

import numpy as np

# The workloads, identical in every framework (and in Sinapse's examples), are in the driver's folder.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from workloads import WORKLOADS  # noqa: E402

FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}


def parse_args(framework, lr_schedule=False):
    """The command line of `framework`'s peer, which accepts only the
    workloads that it implements. `lr_schedule`: whether the peer applies
    --lr-step (the others refuse it rather than ignore it)."""
    p = argparse.ArgumentParser(description=f"one training run of a comparison workload in {framework}")
    p.add_argument("workload", choices=sorted(w for w, spec in WORKLOADS.items() if framework in spec["frameworks"]))
    p.add_argument("--epochs", type=int, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--data", required=True, help="folder with the four IDX .gz files (MNIST or Fashion-MNIST)")
    p.add_argument("--result", required=True, help="JSON file to write")
    p.add_argument("--batch-size", type=int, help="default: the workload's recipe")
    p.add_argument("--lr", type=float, help="default: the workload's recipe")
    p.add_argument("--lr-step", type=int, help="divide the learning rate by 10 every N epochs (default: the recipe's)")
    p.add_argument("--channels-last", action="store_true", help="torch only: channels-last tensors for the CNNs")
    args = p.parse_args()
    if not lr_schedule and (args.lr_step or WORKLOADS[args.workload]["lr_step"]):
        p.error(f"--lr-step: the {framework} peer has no learning-rate schedule")
    return args


def recipe(args):
    """The workload's recipe with the command line's --batch-size, --lr and --lr-step applied."""
    spec = dict(WORKLOADS[args.workload])
    for key, value in (("batch", args.batch_size), ("lr", args.lr), ("lr_step", args.lr_step)):
        if value is not None:
            spec[key] = value
    return spec


def read_idx(path):
    """An IDX file of unsigned bytes (MNIST's format) as a numpy array of its shape."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        sys.exit(f"{path}: not an IDX file of unsigned bytes")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_mnist(folder):
    """(x_train [60000, 784] f32 in [0, 1], y_train int64, x_test [10000, 784], y_test), from
    MNIST or Fashion-MNIST (the same format and file names)."""
    missing = [n for n in FILES.values() if not os.path.isfile(os.path.join(folder, n))]
    if missing:
        sys.exit(f"IDX files missing in {folder}: {', '.join(missing)}")
    arr = {k: read_idx(os.path.join(folder, n)) for k, n in FILES.items()}
    # Same scaling as Sinapse's loader: byte / 255 in f32.
    x_train = arr["x_train"].reshape(-1, 784).astype(np.float32) / np.float32(255.0)
    x_test = arr["x_test"].reshape(-1, 784).astype(np.float32) / np.float32(255.0)
    return x_train, arr["y_train"].astype(np.int64), x_test, arr["y_test"].astype(np.int64)


def one_hot(labels, classes=10):
    out = np.zeros((labels.shape[0], classes), dtype=np.float32)
    out[np.arange(labels.shape[0]), labels] = 1.0
    return out


def write_result(args, framework, version, train_images, epoch_seconds, train_loss, test_accuracy, **details):
    rec = {
        "framework": framework,
        "version": version,
        "workload": args.workload,
        "train_images": int(train_images),
        "epoch_seconds": [float(s) for s in epoch_seconds],
        "train_loss": [float(x) for x in train_loss],
        "test_accuracy": float(test_accuracy),
        "details": details,
    }
    with open(args.result, "w") as f:
        json.dump(rec, f, indent=1)
        f.write("\n")


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)
