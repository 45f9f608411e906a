"""tf.compat.v1: graphs, placeholders, sessions, variable scopes, v1 optimizers."""

import subprocess
import sys
import textwrap


def _run(code):
    # Graph mode is switched on per thread for good: run each scenario in its own process.
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_session_run_with_feeds_and_nested_fetches():
    out = _run("""
        import arroyo.compat.v1 as tf
        tf.disable_eager_execution()
        assert not tf.executing_eagerly()
        a = tf.constant(1)
        b = tf.constant(1)
        c = a + b
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        y = tf.reduce_sum(x * 2.0)
        with tf.Session() as sess:
            print(sess.run(c), sess.run([a, b, c]), sess.run({"y": y, "c": (c,)}, feed_dict={x: [[1, 2], [3, 4]]}))
            try:
                sess.run(y)
            except tf.errors.InvalidArgumentError as e:
                print("needs feed:", "placeholder" in str(e))
            try:
                sess.run(y, feed_dict={x: [1, 2, 3]})
            except ValueError as e:
                print("bad shape")
    """)
    assert out.splitlines() == [
        "2 [np.int32(1), np.int32(1), np.int32(2)] {'y': np.float32(20.0), 'c': (np.int32(2),)}",
        "needs feed: True",
        "bad shape",
    ]


def test_variable_scope_and_gradient_descent_minimize():
    out = _run("""
        import numpy as np
        import arroyo.compat.v1 as tf
        tf.disable_eager_execution()
        x = tf.placeholder(tf.float32, [None, 1])
        y = tf.placeholder(tf.float32, [None, 1])
        with tf.variable_scope("lin"):
            w = tf.get_variable("w", [1, 1])
            b = tf.Variable(0.0, name="b")
        with tf.variable_scope("lin", reuse=True):
            assert tf.get_variable("w") is w
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
        train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
        xs = np.linspace(0, 1, 20).reshape(-1, 1).astype(np.float32)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(400):
                _, l = sess.run([train, loss], feed_dict={x: xs, y: 3 * xs + 2})
            wv, bv = sess.run([w, b])
        print(round(float(wv[0, 0]), 3), round(float(bv), 3), l < 1e-6, w.name)
    """)
    assert out.split() == ["3.0", "2.0", "True", "lin/w:0"]


def test_gradients_in_graph():
    out = _run("""
        import arroyo.compat.v1 as tf
        tf.disable_eager_execution()
        x = tf.placeholder(tf.float32, [])
        y = x * x * x
        (g,) = tf.gradients(y, [x])
        with tf.Session() as sess:
            print(sess.run(g, {x: 2.0}))
    """)
    assert out.strip() == "12.0"
