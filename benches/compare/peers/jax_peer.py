"""JAX (CPU) side of the comparison: pure functions, one jax.jit-compiled SGD
step per batch called from a Python loop, batches gathered with numpy. NHWC,
max-pool with lax.reduce_window (what flax's max_pool does). XLA:CPU has no
intra-op thread knob: it sizes its pool to the visible cores."""

import time
from functools import partial

import common

args = common.parse_args("jax")

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax


def init(workload, key):
    glorot = jax.nn.initializers.glorot_uniform()  # conv kernels are HWIO: fans = channels x 3 x 3
    k = jax.random.split(key, 3)
    if workload == "w1":
        return {"w": glorot(k[0], (784, 10)), "b": jnp.zeros(10)}
    if workload == "w2":
        return {
            "w1": glorot(k[0], (784, 128)),
            "b1": jnp.zeros(128),
            "w2": glorot(k[1], (128, 10)),
            "b2": jnp.zeros(10),
        }
    return {
        "k1": glorot(k[0], (3, 3, 1, 32)),
        "c1": jnp.zeros(32),
        "k2": glorot(k[1], (3, 3, 32, 64)),
        "c2": jnp.zeros(64),
        "w": glorot(k[2], (1600, 10)),
        "b": jnp.zeros(10),
    }


def conv_relu_pool(x, kernel, bias):
    y = lax.conv_general_dilated(x, kernel, (1, 1), "VALID", dimension_numbers=("NHWC", "HWIO", "NHWC"))
    y = jax.nn.relu(y + bias)
    return lax.reduce_window(y, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")


def forward(workload, p, x):
    if workload == "w1":
        return jax.nn.sigmoid(x @ p["w"] + p["b"])
    if workload == "w2":
        return jax.nn.relu(x @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"]
    h = conv_relu_pool(x.reshape(-1, 28, 28, 1), p["k1"], p["c1"])
    h = conv_relu_pool(h, p["k2"], p["c2"])
    return h.reshape(h.shape[0], -1) @ p["w"] + p["b"]


def loss_fn(workload, p, x, t):
    out = forward(workload, p, x)
    if workload == "w1":
        return jnp.mean((out - t) ** 2)  # over batch x 10, as Keras and torch
    return -jnp.mean(jnp.sum(t * jax.nn.log_softmax(out), axis=-1))


def main():
    w = args.workload
    spec = common.recipe(args)
    batch, lr, mom = spec["batch"], spec["lr"], spec["momentum"]
    x_train, y_train, x_test, y_test = common.load_mnist(args.data)
    t_train = common.one_hot(y_train)

    @partial(jax.jit, donate_argnums=(0, 1))
    def step(p, v, x, t):
        loss, g = jax.value_and_grad(partial(loss_fn, w))(p, x, t)
        # Momentum in torch's form (v = m v + g; p -= lr v), the same as Keras' at a constant rate.
        v = jax.tree_util.tree_map(lambda vi, gi: mom * vi + gi, v, g)
        p = jax.tree_util.tree_map(lambda pi, vi: pi - lr * vi, p, v)
        return p, v, loss

    predict = jax.jit(lambda p, x: jnp.argmax(forward(w, p, x), -1))
    p = init(w, jax.random.PRNGKey(args.seed))
    v = jax.tree_util.tree_map(jnp.zeros_like, p)
    rng = np.random.default_rng(args.seed)

    n = x_train.shape[0]
    seconds, losses = [], []
    for epoch in range(args.epochs):
        began = time.perf_counter()
        order = rng.permutation(n)
        batch_losses = []
        for start in range(0, n, batch):
            idx = order[start : start + batch]
            p, v, loss = step(p, v, x_train[idx], t_train[idx])
            batch_losses.append(loss)
        jax.block_until_ready(p)  # dispatch is asynchronous: wait for the last step
        seconds.append(time.perf_counter() - began)
        losses.append(float(np.mean([float(x) for x in batch_losses])))
        common.log(f"jax {w} epoch {epoch + 1}: {seconds[-1]:.3f} s, loss {losses[-1]:.4f}")

    pred = np.concatenate([np.asarray(predict(p, x_test[i : i + 1000])) for i in range(0, x_test.shape[0], 1000)])
    acc = float((pred == y_test).mean())
    common.write_result(args, "jax", jax.__version__, n, seconds, losses, acc, devices=str(jax.devices()))


main()
