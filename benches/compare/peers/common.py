"""What the three peer scripts share: the workloads, the MNIST reader, the
command line and the result file. Needs numpy only (no framework import).

Every peer script is called the same way by ../compare.py:

    python <framework>_peer.py w1|w2|w3 --epochs N --seed S --threads T --data DIR --result FILE

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

# The workloads, identical in every framework (and in Sinapse's examples).
# w1: 784 -> Dense(10, sigmoid), MSE against one-hot (mean over batch x 10)
# w2: 784 -> Dense(128, relu) -> Dense(10), softmax cross-entropy on logits
# w3: Conv(32,3x3,relu) - MaxPool 2 - Conv(64,3x3,relu) - MaxPool 2 - Dense(10), softmax cross-entropy
WORKLOADS = {
    "w1": {"batch": 64, "lr": 0.1, "momentum": 0.0, "epochs": 5},
    "w2": {"batch": 64, "lr": 0.1, "momentum": 0.0, "epochs": 5},
    "w3": {"batch": 128, "lr": 0.05, "momentum": 0.9, "epochs": 3},
}

FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}


def parse_args():
    p = argparse.ArgumentParser(description="one training run of a comparison workload")
    p.add_argument("workload", choices=sorted(WORKLOADS))
    p.add_argument("--epochs", type=int, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--data", required=True, help="folder with the four MNIST IDX .gz files")
    p.add_argument("--result", required=True, help="JSON file to write")
    p.add_argument("--channels-last", action="store_true", help="torch only: channels-last tensors for the CNN")
    return p.parse_args()


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
    """(x_train [60000, 784] f32 in [0, 1], y_train int64, x_test [10000, 784], y_test)."""
    missing = [n for n in FILES.values() if not os.path.isfile(os.path.join(folder, n))]
    if missing:
        sys.exit(f"MNIST files missing in {folder}: {', '.join(missing)}")
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
