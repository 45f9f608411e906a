"""tf.cond / case / switch_case / while_loop / TensorArray / map_fn & co: eager vs tf.function,
errors as TF's, and gradients (eager, replayed tf.function, tape inside tf.function)."""

import collections

import numpy as np
import pytest

import arroyo as tf
from arroyo.framework.errors import InvalidArgumentError, OutOfRangeError
from arroyo.util import nest


def both(fn, *args):
    """fn(*args) eagerly and through tf.function; returns (eager, graph) as NumPy trees."""
    eager = tf.nest.map_structure(np.asarray, fn(*args))
    graph = tf.nest.map_structure(np.asarray, tf.function(fn)(*args))
    return eager, graph


def assert_same(fn, *args, expect=None):
    eager, graph = both(fn, *args)
    for e, g in zip(tf.nest.flatten(eager), tf.nest.flatten(graph)):
        assert e.dtype == g.dtype and e.shape == g.shape
        np.testing.assert_allclose(e, g, rtol=1e-6)
    if expect is not None:
        for e, x in zip(tf.nest.flatten(eager), nest.flatten_up_to(eager, expect)):
            np.testing.assert_allclose(e, x, rtol=1e-6)


def op_types(fn, *args):
    cf = tf.function(fn).get_concrete_function(*args)
    return [op.type for op in cf.graph.get_operations()]


def fd_grad(f, x, eps=1e-6):
    """Central finite differences of scalar f at float64 array x."""
    x = np.asarray(x, np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        g[i] = (float(f(tf.constant(x + d))) - float(f(tf.constant(x - d)))) / (2 * eps)
    return g


def tape_grad(f, x):
    x = tf.constant(x)
    with tf.GradientTape() as t:
        t.watch(x)
        y = f(x)
    return t.gradient(y, x).numpy()


# -- cond -------------------------------------------------------------------------------


def test_cond_eager_and_graph():
    f = lambda x: tf.cond(x > 0, lambda: x * 2, lambda: x - 1)  # noqa: E731
    assert_same(f, tf.constant(3.0), expect=6.0)
    assert_same(f, tf.constant(-3.0), expect=-4.0)
    assert "StatelessIf" in op_types(f, tf.constant(1.0))
    # Eagerly only the taken branch runs, and Python values come back as they are.
    assert tf.cond(tf.constant(True), lambda: 1, lambda: 2) == 1
    assert tf.cond(True, lambda: [1], lambda: [2]) == [1]


def test_cond_nested_structures_captures_and_shapes():
    y = tf.constant([1.0, 2.0])

    def f(x):
        return tf.cond(
            x > 0,
            lambda: {"a": x + y, "b": (x, tf.constant(1))},
            lambda: {"a": x - y, "b": (-x, tf.constant(2))},
        )

    assert_same(f, tf.constant(2.0))
    assert_same(f, tf.constant(-2.0))

    @tf.function
    def g(x):
        r = tf.cond(x > 0, lambda: tf.ones([2]), lambda: tf.ones([3]))
        assert r.shape.as_list() == [None]
        return r

    assert g(tf.constant(1)).shape == (2,) and g(tf.constant(-1)).shape == (3,)


def test_cond_with_variables_is_stateful_if():
    v = tf.Variable(1.0)

    @tf.function
    def f(x):
        return tf.cond(x > 0, lambda: v.assign_add(x), lambda: v.assign_sub(1.0))

    f(tf.constant(2.0))
    assert float(v) == 3.0
    f(tf.constant(-2.0))
    assert float(v) == 2.0
    assert "If" in op_types(f, tf.constant(1.0))


def test_cond_errors_as_tf():
    x = tf.constant(1.0)
    with pytest.raises(TypeError, match="'true_fn' must be callable"):
        tf.cond(x > 0, 1, lambda: 2)
    with pytest.raises(TypeError, match="'false_fn' argument required"):
        tf.cond(x > 0, lambda: 1)
    with pytest.raises(TypeError) as e:
        tf.function(lambda x: tf.cond(x > 0, lambda: x, lambda: 2))(x)
    msg = str(e.value)
    assert (
        "true_fn and false_fn arguments to tf.cond must have the same number, type, and overall "
        "structure of return values." in msg
    )
    assert "true_fn output:" in msg and "false_fn output:" in msg and "have different types" in msg
    with pytest.raises(TypeError, match="same number, type, and overall structure") as e:
        tf.function(lambda x: tf.cond(x > 0, lambda: {"a": x}, lambda: {"b": x}))(x)
    assert "don't have the same nested structure" in str(e.value)
    with pytest.raises(TypeError, match="pred must not be a Python bool"):
        tf.function(lambda x: tf.cond(True, lambda: x, lambda: x))(x)
    with pytest.raises(TypeError, match="does not match expected type of bool"):
        tf.function(lambda x: tf.cond(x, lambda: x, lambda: x))(x)


def test_bool_of_symbolic_tensor_outside_autograph():
    @tf.function(autograph=False)
    def f(x):
        if x > 0:
            return x
        return -x

    with pytest.raises(tf.errors.OperatorNotAllowedInGraphError, match="as a Python `bool`"):
        f(tf.constant(1))


# -- case / switch_case ------------------------------------------------------------------


def test_switch_case():
    fns = [lambda: tf.constant(10), lambda: tf.constant(20), lambda: tf.constant(30)]
    for i, want in [(0, 10), (2, 30), (7, 30), (-1, 30)]:
        assert_same(lambda i: tf.switch_case(i, fns), tf.constant(i), expect=want)
    assert_same(
        lambda i: tf.switch_case(i, fns[:2], default=lambda: tf.constant(-9)),
        tf.constant(5),
        expect=-9,
    )
    assert_same(lambda i: tf.switch_case(i, {1: fns[1], 0: fns[0]}), tf.constant(1), expect=20)
    assert "StatelessCase" in op_types(lambda i: tf.switch_case(i, fns), tf.constant(0))
    with pytest.raises(TypeError, match="'branch_index' must be a Tensor"):
        tf.switch_case(1, fns)
    with pytest.raises(TypeError, match="must be an integer Tensor"):
        tf.switch_case(tf.constant(1.0), fns)
    with pytest.raises(ValueError, match=r"contiguous range of \[0 to 2\) but found \{0,3\}"):
        tf.switch_case(tf.constant(0), {0: fns[0], 3: fns[1]})
    with pytest.raises(
        TypeError, match=r"branches\[0\] and branches\[1\] arguments to tf.switch_case"
    ):
        tf.function(lambda i: tf.switch_case(i, [lambda: 1, lambda: 2.0]))(tf.constant(0))


def test_case():
    def f(x):
        return tf.case([(x > 0, lambda: tf.constant(1)), (x < 0, lambda: tf.constant(-1))],
                       default=lambda: tf.constant(0))  # fmt: skip

    for v, want in [(5, 1), (-5, -1), (0, 0)]:
        assert_same(f, tf.constant(v), expect=want)
    with pytest.raises(InvalidArgumentError, match="None of conditions evaluated as True"):
        tf.case([(tf.constant(False), lambda: 1)])
    with pytest.raises(InvalidArgumentError, match="exclusive=True: more than 1 conditions"):
        tf.case([(tf.constant(True), lambda: 1), (tf.constant(True), lambda: 2)], exclusive=True)
    with pytest.raises(TypeError, match="pred must be a Tensor, got: True"):
        tf.case([(True, lambda: 1)], default=lambda: 3)


# -- while_loop ---------------------------------------------------------------------------


def test_while_loop_basic_and_structures():
    def f(x):
        return tf.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s + x), (0, tf.constant(0.0)))

    assert_same(f, tf.constant(1.5), expect=(5, 7.5))
    assert "StatelessWhile" in op_types(f, tf.constant(1.0))
    Pair = collections.namedtuple("Pair", "j k")

    def g(x):
        def body(i, p, d):
            return i + 1, Pair(p.j + 1, p.k * x), {"n": d["n"] + i}

        return tf.while_loop(
            lambda i, p, d: i < 3, body, (tf.constant(0), Pair(tf.constant(1), x), {"n": 0})
        )

    eager, graph = both(g, tf.constant(2.0))
    assert eager[1].j == 4 and eager[1].k == 16.0 and eager[2]["n"] == 3
    assert graph[1].j == 4 and graph[1].k == 16.0 and graph[2]["n"] == 3
    # A one-variable loop may return the bare value from its body.
    assert_same(
        lambda n: tf.while_loop(lambda i: i < n, lambda i: i + 1, [0]), tf.constant(4), expect=[4]
    )


def test_while_loop_maximum_iterations_and_captures():
    assert_same(
        lambda: tf.while_loop(lambda i: i < 100, lambda i: i + 1, [0], maximum_iterations=3),
        expect=[3],
    )
    assert_same(lambda m: tf.while_loop(lambda i: i < 100, lambda i: i + 1, [0], maximum_iterations=m),
                tf.constant(4), expect=[4])  # fmt: skip
    v = tf.Variable(0)

    @tf.function
    def count(n):
        def body(i):
            v.assign_add(i)
            return i + 1

        return tf.while_loop(lambda i: i < n, body, [0])

    count(tf.constant(5))
    assert int(v) == 10
    assert "While" in op_types(count.python_function, tf.constant(1))


def test_while_loop_shape_invariants():
    def f():
        return tf.while_loop(lambda x: tf.shape(x)[0] < 5, lambda x: tf.concat([x, x], 0), [tf.ones([1])],
                             shape_invariants=[tf.TensorShape([None])])  # fmt: skip

    assert_same(f, expect=[np.ones(8)])
    with pytest.raises(ValueError) as e:
        tf.function(lambda: tf.while_loop(lambda x: tf.shape(x)[0] < 5, lambda x: tf.concat([x, x], 0),
                                          [tf.ones([1])]))()  # fmt: skip
    assert (
        "enters the loop with shape (1,), but has shape (2,) after one iteration. To allow the shape "
        "to vary across iterations, use the `shape_invariants` argument of tf.while_loop to specify a "
        "less-specific shape." in str(e.value)
    )


def test_while_loop_errors_as_tf():
    with pytest.raises(TypeError, match="'cond' must be callable"):
        tf.while_loop(3, lambda i: i, [0])
    with pytest.raises(TypeError, match="'body' must be callable"):
        tf.while_loop(lambda i: i < 3, 3, [0])
    with pytest.raises(ValueError, match="'loop_vars' must be provided"):
        tf.while_loop(lambda i: i < 3, lambda i: i, [])
    with pytest.raises(
        TypeError,
        match="enters the loop with type tf.int32 but has type tf.int64 after 1 iteration",
    ):
        tf.function(
            lambda: tf.while_loop(lambda i: i < 3, lambda i: tf.cast(i, tf.int64) + 1, [0])
        )()
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        tf.while_loop(lambda i: i < 3, lambda i: (i + 1, i), [0])


def test_nested_control_flow():
    def f(x):
        def body(i, s):
            s = tf.cond(i % 2 == 0, lambda: s * x, lambda: s + x)
            _, t = tf.while_loop(lambda j, a: j < i, lambda j, a: (j + 1, a + 1.0), (0, s))
            return i + 1, t

        return tf.while_loop(lambda i, s: i < 4, body, (0, tf.constant(1.0)))

    assert_same(f, tf.constant(1.5))


# -- TensorArray ----------------------------------------------------------------------------


def test_tensor_array_eager_api():
    ta = tf.TensorArray(tf.float32, size=3)
    ta = ta.write(0, 1.0).write(2, 3.0)
    assert (
        ta.size().numpy() == 3 and ta.dtype == tf.float32 and ta.element_shape == tf.TensorShape([])
    )
    np.testing.assert_array_equal(ta.stack(), [1.0, 0.0, 3.0])
    np.testing.assert_array_equal(
        tf.TensorArray(tf.float32, size=3).unstack([1.0, 2.0, 3.0]).gather([2, 0]), [3.0, 1.0]
    )
    sc = tf.TensorArray(tf.int32, size=4).scatter([3, 1], tf.constant([7, 8]))
    np.testing.assert_array_equal(sc.stack(), [0, 8, 0, 7])
    cc = tf.TensorArray(tf.float32, size=3, infer_shape=False)
    cc = cc.write(0, [1.0, 2.0]).write(1, [3.0]).write(2, [4.0, 5.0, 6.0])
    np.testing.assert_array_equal(cc.concat(), [1, 2, 3, 4, 5, 6])
    sp = tf.TensorArray(tf.float32, size=3).split([1.0, 2.0, 3.0, 4.0], [1, 3, 0])
    np.testing.assert_array_equal(sp.read(1), [2.0, 3.0, 4.0])
    dyn = tf.TensorArray(tf.float32, size=0, dynamic_size=True).write(2, 3.0)
    np.testing.assert_array_equal(dyn.stack(), [0.0, 0.0, 3.0])
    assert tf.TensorArray(
        tf.float32, size=0, dynamic_size=True, element_shape=[2]
    ).stack().shape == (0, 2)


def test_tensor_array_eager_errors():
    ta = tf.TensorArray(tf.float32, size=3)
    with pytest.raises(
        OutOfRangeError,
        match="Tried to write to index 5 but array is not resizeable and size is: 3",
    ):
        ta.write(5, 1.0)
    with pytest.raises(OutOfRangeError, match="Tried to read from index 5 but array size is: 3"):
        ta.read(5)
    with pytest.raises(
        OutOfRangeError, match=r"Writing to negative indices \(index -1\) is not allowed"
    ):
        ta.write(-1, 1.0)
    with pytest.raises(
        InvalidArgumentError,
        match="TensorArray dtype is float32 but Op is trying to write dtype int32",
    ):
        ta.write(1, tf.constant(1))
    with pytest.raises(
        ValueError, match=r"Incompatible shape for value \(\(2,\)\), expected \(\(\)\)"
    ):
        ta.write(0, 1.0).write(1, [1.0, 2.0])
    with pytest.raises(
        ValueError, match="Cannot unstack 4 tensors into a TensorArray of static size 3"
    ):
        tf.TensorArray(tf.float32, size=3).unstack([1.0, 2.0, 3.0, 4.0])
    with pytest.raises(ValueError, match="Size must be declared"):
        tf.TensorArray(tf.float32)
    t = tf.TensorArray(tf.float32, size=2).write(0, 1.0)
    t.read(0)
    with pytest.raises(
        InvalidArgumentError, match="Could not read index 0 twice because it was cleared"
    ):
        t.read(0)
    keep = tf.TensorArray(tf.float32, size=1, clear_after_read=False).write(0, 1.0)
    assert float(keep.read(0)) == float(keep.read(0)) == 1.0


def test_tensor_array_in_graph():
    def f(n):
        ta = tf.TensorArray(tf.float32, size=n)
        ta = tf.while_loop(lambda i, ta: i < n,
                           lambda i, ta: (i + 1, ta.write(i, tf.cast(i, tf.float32) ** 2)), (0, ta))[1]  # fmt: skip
        dyn = tf.TensorArray(tf.int32, size=0, dynamic_size=True)
        dyn = dyn.write(0, [1, 2]).write(3, [3, 4])
        un = tf.TensorArray(tf.float32, size=3, clear_after_read=False).unstack(
            tf.constant([[1.0], [2.0], [3.0]])
        )
        sp = tf.TensorArray(tf.float32, size=2, clear_after_read=False).split(
            tf.constant([1.0, 2.0, 3.0]), [2, 1]
        )
        return (ta.stack(), ta.size(), dyn.stack(), un.gather([2, 0]), un.read(1), un.concat(),
                sp.read(0), sp.concat())  # fmt: skip

    assert_same(f, tf.constant(4))
    out = tf.function(f)(tf.constant(3))
    np.testing.assert_array_equal(out[0], [0.0, 1.0, 4.0])
    np.testing.assert_array_equal(out[2], [[1, 2], [0, 0], [0, 0], [3, 4]])
    assert "TensorListSetItem" in op_types(f, tf.constant(2))


# -- map_fn & co ---------------------------------------------------------------------------


def test_map_fn_scan_folds_vectorized_map():
    x = tf.constant([1.0, 2.0, 3.0])
    assert_same(lambda x: tf.map_fn(lambda e: e * e + 1, x), x, expect=[2.0, 5.0, 10.0])
    assert_same(lambda x: tf.map_fn(lambda e: (tf.cast(e, tf.int32), e > 1), x, fn_output_signature=(tf.int32, tf.bool)),
                x, expect=([1, 2, 3], [False, True, True]))  # fmt: skip
    assert_same(
        lambda x: tf.map_fn(lambda p: p[0] * p[1], (x, x), fn_output_signature=tf.float32),
        x,
        expect=[1.0, 4.0, 9.0],
    )
    assert_same(lambda x: tf.scan(lambda a, e: a * e, x), x, expect=[1.0, 2.0, 6.0])
    assert_same(
        lambda x: tf.scan(lambda a, e: a + e, x, initializer=10.0, reverse=True),
        x,
        expect=[16.0, 15.0, 13.0],
    )
    assert_same(lambda x: tf.foldl(lambda a, e: a * 2 + e, x), x, expect=11.0)
    assert_same(lambda x: tf.foldr(lambda a, e: a * 2 + e, x, initializer=0.0), x, expect=17.0)
    m = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert_same(
        lambda m: tf.vectorized_map(lambda r: tf.reduce_sum(r) * r, m), m, expect=[[3, 6], [21, 28]]
    )
    with pytest.raises(ValueError, match="not scalars"):
        tf.map_fn(lambda e: e, tf.constant(1.0))


# -- gradients -----------------------------------------------------------------------------


def _loop_fn(x):
    def body(i, s):
        s = tf.cond(i % 2 == 0, lambda: s * tf.sin(x), lambda: s + x * x)
        return i + 1, s

    return tf.reduce_sum(tf.while_loop(lambda i, s: i < 4, body, (0, tf.ones_like(x)))[1])


@pytest.mark.parametrize(
    "fn",
    [
        _loop_fn,
        lambda x: tf.reduce_sum(
            tf.cond(tf.reduce_sum(x) > 0, lambda: x * x * x, lambda: tf.exp(x))
        ),
        lambda x: tf.reduce_sum(tf.map_fn(lambda e: tf.sin(e) * e, x)),
        lambda x: tf.reduce_sum(tf.scan(lambda a, e: a * e + 1.0, x)),
        lambda x: tf.foldl(lambda a, e: a * e, x),
    ],
    ids=["while+cond", "cond", "map_fn", "scan", "foldl"],
)
def test_gradients_match_finite_differences(fn):
    x0 = np.array([0.3, 1.2, -0.7])
    want = fd_grad(fn, x0)
    np.testing.assert_allclose(tape_grad(fn, x0), want, rtol=1e-5, atol=1e-7)  # eager
    np.testing.assert_allclose(
        tape_grad(tf.function(fn), x0), want, rtol=1e-5, atol=1e-7
    )  # replayed

    @tf.function
    def inside(x):
        with tf.GradientTape() as t:
            t.watch(x)
            y = fn(x)
        return t.gradient(y, x)

    np.testing.assert_allclose(inside(tf.constant(x0)).numpy(), want, rtol=1e-5, atol=1e-7)


def test_gradients_for_variables_and_captures():
    v = tf.Variable(1.5)

    @tf.function
    def f(x):
        with tf.GradientTape() as t:
            t.watch(x)
            _, y = tf.while_loop(
                lambda i, s: i < 3, lambda i, s: (i + 1, s * x * v), (0, tf.constant(1.0))
            )
            z = tf.cond(x > 0, lambda: y * v, lambda: y)
        return z, t.gradient(z, [x, v])

    z, (dx, dv) = f(tf.constant(2.0))  # z = x^3 v^4
    assert np.isclose(float(z), 8 * 1.5**4)
    assert np.isclose(float(dx), 3 * 4 * 1.5**4) and np.isclose(float(dv), 4 * 8 * 1.5**3)


def test_second_order_gradients():
    def y_of(x):
        return tf.while_loop(
            lambda i, s: i < 3, lambda i, s: (i + 1, s * x), (0, tf.constant(1.0))
        )[1]

    @tf.function
    def inside(x):
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = y_of(x) + tf.cond(x > 0, lambda: x * x * x, lambda: x)
            d = t1.gradient(y, x)
        return d, t2.gradient(d, x)

    d, dd = inside(tf.constant(1.5))  # y = 2 x^3
    assert np.isclose(float(d), 6 * 2.25) and np.isclose(float(dd), 12 * 1.5)
    x = tf.constant(1.5)
    with tf.GradientTape() as t:  # an eager tape over a function that differentiates inside
        t.watch(x)
        d = inside(x)[0]
    assert np.isclose(float(t.gradient(d, x)), 18.0)


def test_tensor_array_gradient_in_graph():
    @tf.function
    def f(x):
        with tf.GradientTape() as t:
            t.watch(x)
            ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
            _, ta, _ = tf.while_loop(lambda i, ta, s: i < 3, lambda i, ta, s: (i + 1, ta.write(i, s * x), s * x),
                                     (0, ta, tf.constant(1.0)))  # fmt: skip
            y = tf.reduce_sum(ta.stack())
        return t.gradient(y, x)  # d(x + x^2 + x^3)

    assert np.isclose(float(f(tf.constant(1.5))), 1 + 3.0 + 3 * 2.25)


def test_gradients_reuse_the_forward_random_draws():
    @tf.function
    def f(x):
        with tf.GradientTape(persistent=True) as t:
            t.watch(x)
            body = lambda i, s: (i + 1, s * x * tf.random.uniform([3]))  # noqa: E731
            y = tf.reduce_sum(tf.while_loop(lambda i, s: i < 3, body, (0, tf.ones([3])))[1])
            z = tf.cond(x > 0, lambda: x * x * tf.random.uniform([]), lambda: x)
        return y, z, t.gradient(y, x), t.gradient(z, x)

    y, z, dy, dz = f(tf.constant(1.5))
    # y = x^3 * (product of draws), z = x^2 * draw: exact gradients from the same draws.
    assert np.isclose(float(dy), 3 * float(y) / 1.5, rtol=1e-5)
    assert np.isclose(float(dz), 2 * float(z) / 1.5, rtol=1e-5)
