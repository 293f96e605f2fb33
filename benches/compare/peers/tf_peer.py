"""TensorFlow / Keras 3 side of the comparison, written the way the course
writes it: Sequential + compile + fit(shuffle=True). NHWC (Keras' CPU default).
`jit_compile="auto"`, which Keras resolves to False on a CPU-only host."""

import os
import time

import common

args = common.parse_args("tf")
os.environ["KERAS_BACKEND"] = "tensorflow"

import tensorflow as tf

# Must be set before TensorFlow creates its thread pools (the first op).
tf.config.threading.set_intra_op_parallelism_threads(args.threads)
tf.config.threading.set_inter_op_parallelism_threads(1)
import keras


def network(workload):
    init = {"kernel_initializer": "glorot_uniform", "bias_initializer": "zeros"}
    L = keras.layers
    if workload == "w1":
        layers = [keras.Input((784,)), L.Dense(10, activation="sigmoid", **init)]
    elif workload == "w2":
        layers = [keras.Input((784,)), L.Dense(128, activation="relu", **init), L.Dense(10, **init)]
    else:
        layers = [
            keras.Input((28, 28, 1)),
            L.Conv2D(32, 3, activation="relu", **init),
            L.MaxPooling2D(2),
            L.Conv2D(64, 3, activation="relu", **init),
            L.MaxPooling2D(2),
            L.Flatten(),
            L.Dense(10, **init),
        ]
    return keras.Sequential(layers)


class EpochClock(keras.callbacks.Callback):
    """Wall-clock seconds and mean training loss of every epoch."""

    def __init__(self):
        super().__init__()
        self.seconds, self.losses = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.began = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.began)
        self.losses.append(logs["loss"])
        common.log(f"tf {args.workload} epoch {epoch + 1}: {self.seconds[-1]:.3f} s, loss {logs['loss']:.4f}")


def main():
    spec = common.recipe(args)
    keras.utils.set_random_seed(args.seed)
    x_train, y_train, x_test, y_test = common.load_mnist(args.data)
    if args.workload == "w3":
        x_train, x_test = x_train.reshape(-1, 28, 28, 1), x_test.reshape(-1, 28, 28, 1)
    net = network(args.workload)
    loss = "mean_squared_error" if args.workload == "w1" else keras.losses.CategoricalCrossentropy(from_logits=True)
    opt = keras.optimizers.SGD(learning_rate=spec["lr"], momentum=spec["momentum"])
    net.compile(optimizer=opt, loss=loss)
    clock = EpochClock()
    net.fit(
        x_train,
        common.one_hot(y_train),
        batch_size=spec["batch"],
        epochs=args.epochs,
        shuffle=True,
        verbose=0,
        callbacks=[clock],
    )
    pred = net.predict(x_test, batch_size=1000, verbose=0).argmax(1)
    acc = float((pred == y_test).mean())
    common.write_result(
        args,
        "tf",
        f"{tf.__version__} (keras {keras.__version__})",
        x_train.shape[0],
        clock.seconds,
        clock.losses,
        acc,
        jit_compile=str(net.jit_compile),
        intra_threads=tf.config.threading.get_intra_op_parallelism_threads(),
    )


main()
