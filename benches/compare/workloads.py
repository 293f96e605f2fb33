"""The comparison's workloads: what each one trains and with which recipe.

The one place for these numbers. The driver passes each recipe to Sinapse's
example and to the peer scripts as flags (`--batch-size`, `--lr`, and
`--lr-step` where there is a schedule), and the peers (peers/common.py) take
their defaults from here, so a change here changes every framework at once.
Standard library only: the driver imports it too.
"""

# Every framework of the comparison, and the order of its first repetition.
# torch-cl: PyTorch with channels-last tensors, its faster layout for the CNNs.
FRAMEWORKS = ["sinapse", "torch", "torch-cl", "tf", "jax"]

# The data sets: the four IDX .gz files (the same names for both) and where they are by default,
# relative to the repository root or absolute.
DATASETS = {
    "mnist": "datasets/data/mnist",
    "fashion": "/usr/share/datasets/fashion-mnist",  # Debian's dataset-fashion-mnist package
}

# Per workload: its data set, Sinapse's example, the frameworks that implement it, the network (for
# messages and the README), the optimizer and its settings, the batch size and the default epochs.
# `lr_step`: the learning rate is divided by 10 every `lr_step` epochs (PyTorch's StepLR with
# gamma 0.1, stepped once per epoch; Sinapse's --lr-step); None for a constant rate.
WORKLOADS = {
    "w1": {
        "dataset": "mnist",
        "example": "perceptron",
        "frameworks": FRAMEWORKS,
        "network": "784 -> Dense(10, sigmoid), MSE against one-hot (mean over batch x 10)",
        "optimizer": "sgd",
        "lr": 0.1,
        "momentum": 0.0,
        "lr_step": None,
        "batch": 64,
        "epochs": 5,
    },
    "w2": {
        "dataset": "mnist",
        "example": "mlp",
        "frameworks": FRAMEWORKS,
        "network": "784 -> Dense(128, relu) -> Dense(10), softmax cross-entropy on logits",
        "optimizer": "sgd",
        "lr": 0.1,
        "momentum": 0.0,
        "lr_step": None,
        "batch": 64,
        "epochs": 5,
    },
    "w3": {
        "dataset": "mnist",
        "example": "cnn",
        "frameworks": FRAMEWORKS,
        "network": "Conv(32,3x3,relu) - MaxPool 2 - Conv(64,3x3,relu) - MaxPool 2 - Dense(10), softmax cross-entropy",
        "optimizer": "sgd",
        "lr": 0.05,
        "momentum": 0.9,
        "lr_step": None,
        "batch": 128,
        "epochs": 3,
    },
    "w4": {
        "dataset": "fashion",
        "example": "fashion_cnn",
        # No TensorFlow or JAX version of this network yet.
        "frameworks": ["sinapse", "torch", "torch-cl"],
        "network": (
            "[Conv(c,3x3,same,no bias) - BatchNorm - relu] for c = 16, 32, 64, 128, MaxPool 2 after the first three, "
            "global average pool - Dense(10), softmax cross-entropy"
        ),
        "optimizer": "adam",
        "lr": 1e-3,
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "lr_step": 8,
        "batch": 128,
        "epochs": 10,
    },
}

# What `compare.py` runs when --workloads is not given.
DEFAULT_WORKLOADS = ["w1", "w2", "w3"]


def recipe_flags(workload):
    """The flags that give a run this workload's recipe, the same for
    Sinapse's examples and for the peers."""
    spec = WORKLOADS[workload]
    flags = ["--batch-size", str(spec["batch"]), "--lr", str(spec["lr"])]
    if spec["lr_step"]:
        flags += ["--lr-step", str(spec["lr_step"])]
    return flags
