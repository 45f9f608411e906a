"""Module definitions shared by arroyo's tests and the TF fixture scripts (tools/).

Written against the TF API with the module passed in, so the same classes are built with
real TensorFlow (to make fixtures) and with arroyo (to read and compare them).
"""

import numpy as np


def make_classes(tf):
    class Dense(tf.Module):
        def __init__(self, w, b, name=None):
            super().__init__(name=name)
            self.w = tf.Variable(w, name="w")
            self.b = tf.Variable(b, name="b")

        def __call__(self, x):
            return tf.nn.relu(tf.matmul(x, self.w) + self.b)

    class SmallModule(tf.Module):
        def __init__(self):
            super().__init__()
            self.scale = tf.Variable(2.5, name="scale")
            self.table = tf.Variable(np.arange(6, dtype=np.int64).reshape(2, 3), name="table")
            self.words = tf.Variable(["hello", "checkpoint"], name="words")
            self.flags = tf.Variable([True, False, True], name="flags")

    class MLP(tf.Module):
        def __init__(self, sizes, seed=0):
            super().__init__()
            rng = np.random.default_rng(seed)
            self.layers = []
            for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
                self.layers.append(
                    Dense(
                        rng.normal(size=(a, b)).astype(np.float32),
                        rng.normal(size=(b,)).astype(np.float32),
                        name=f"dense_{i}",
                    )
                )
            self.step = tf.Variable(7, dtype=tf.int64, name="step")

        def __call__(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    return Dense, SmallModule, MLP


X = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
SIZES = [4, 8, 3]
