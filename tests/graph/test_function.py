"""tf.function semantics: tracing, retracing, side effects, variables, signatures, graphs."""

import contextlib
import io

import numpy as np
import pytest

import arroyo as tf


def traced_output(fn, *args):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        out = fn(*args)
    return out, buf.getvalue()


def test_traces_once_per_signature_and_python_side_effects_only_while_tracing():
    @tf.function
    def f(x):
        print("Tracing.")
        return tf.reduce_sum(x)

    out, printed = traced_output(f, tf.constant([1, 2, 3]))
    assert printed == "Tracing.\n" and int(out) == 6
    out, printed = traced_output(f, tf.constant([10, 9, 8]))
    assert printed == "" and int(out) == 27
    out, printed = traced_output(f, tf.constant([1.0, 2.0, 3.0]))
    assert printed == "Tracing.\n" and out.dtype == tf.float32
    out, printed = traced_output(f, tf.constant([1, 2]))  # new shape: retrace
    assert printed == "Tracing.\n"
    assert f.experimental_get_tracing_count() == 3


def test_python_scalars_retrace_by_value_tensors_by_signature():
    @tf.function
    def f(x, n):
        return x * n

    f(tf.constant(1.0), 2)
    f(tf.constant(2.0), 2)
    assert f.experimental_get_tracing_count() == 1
    f(tf.constant(1.0), 3)
    assert f.experimental_get_tracing_count() == 2
    f(tf.constant(1.0), tf.constant(3.0))
    f(tf.constant(1.0), tf.constant(4.0))
    assert f.experimental_get_tracing_count() == 3


def test_input_signature_and_reduce_retracing():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def f(x):
        return x * 2

    assert f(tf.constant([1.0])).numpy().tolist() == [2.0]
    assert f(tf.constant([1.0, 2.0])).numpy().tolist() == [2.0, 4.0]
    assert f.experimental_get_tracing_count() == 1
    with pytest.raises(TypeError):
        f(tf.constant([1, 2]))

    # reduce_retracing as TF 2.21: the first trace keeps the shape, the next generalizes
    # the dims that changed, a different rank generalizes to an unknown shape.
    g = tf.function(lambda x: x + 1, reduce_retracing=True)
    counts = []
    for shape in ([2], [3], [4], [4, 2], [5, 2], [7]):
        out = g(tf.zeros(shape))
        assert out.shape == tuple(shape)
        counts.append(g.experimental_get_tracing_count())
    assert counts == [1, 2, 2, 3, 3, 3]
    specs = [cf.inputs[0].shape for cf in {id(c): c for c in g._cache.values()}.values()]
    assert [s.as_list() if s.rank is not None else None for s in specs] == [[2], [None], None]


def test_tf_print_runs_every_call_in_order():
    buf = io.StringIO()

    @tf.function
    def f(x):
        print("py")
        tf.print("a", x, output_stream=buf)
        tf.print("b", output_stream=buf)
        return x

    with contextlib.redirect_stdout(io.StringIO()) as py:
        f(tf.constant(1))
        f(tf.constant(2))
    assert py.getvalue() == "py\n"
    assert buf.getvalue() == "a 1\nb\na 2\nb\n"


def test_variables_captured_by_reference_and_assignments():
    v = tf.Variable(1.0)

    @tf.function
    def f():
        v.assign_add(1.0)
        return v.read_value()

    assert float(f()) == 2.0
    assert float(f()) == 3.0
    v.assign(10.0)
    assert float(f()) == 11.0
    assert f.get_concrete_function().variables == (v,)


def test_variable_creation_only_on_first_trace():
    class M:
        def __init__(self):
            self.v = None

        @tf.function
        def __call__(self, x):
            if self.v is None:
                self.v = tf.Variable(tf.ones_like(x))
            return self.v * x

    m = M()
    assert m(tf.constant([2.0])).numpy().tolist() == [2.0]
    with pytest.raises(ValueError, match="singleton tf.Variables"):

        @tf.function
        def bad(x):
            return tf.Variable(1.0) * x

        bad(tf.constant(1.0))
        bad(tf.constant([1.0]))


def test_methods_have_one_cache_per_instance():
    class A:
        def __init__(self, k):
            self.k = k

        @tf.function
        def f(self, x):
            return x * self.k

    a, b = A(2.0), A(3.0)
    assert float(a.f(tf.constant(1.0))) == 2.0
    assert float(b.f(tf.constant(1.0))) == 3.0


def test_gradients_inside_and_outside():
    w = tf.Variable([1.0, 2.0])

    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(w * w * x)
        g = tape.gradient(loss, w)
        w.assign_sub(0.1 * g)
        return loss

    step(tf.constant(1.0))
    np.testing.assert_allclose(w.numpy(), [0.8, 1.6], rtol=1e-6)

    f = tf.function(lambda x: tf.reduce_sum(w * x * x))
    x = tf.constant([1.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), 2 * w.numpy() * x.numpy(), rtol=1e-6)


def test_concrete_function_attributes_and_graph():
    @tf.function
    def f(x, y):
        return tf.matmul(x, y) + 1.0

    cf = f.get_concrete_function(tf.TensorSpec([None, 2]), tf.TensorSpec([2, 3]))
    assert [t.name for t in cf.inputs] == ["x:0", "y:0"]
    assert [op.type for op in cf.graph.get_operations()] == [
        "Placeholder",
        "Placeholder",
        "MatMul",
        "Const",
        "AddV2",
    ]
    nodes = cf.graph.as_graph_def().node
    assert nodes[2].op == "MatMul" and nodes[2].input == ["x", "y"]
    assert cf.outputs[0].shape.as_list() == [None, 3]
    assert cf(tf.ones([4, 2]), tf.ones([2, 3])).shape == (4, 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="expected"):
        cf(tf.ones([4, 3]), tf.ones([2, 3]))
    assert "Input Parameters" in cf.pretty_printed_signature()


def test_symbolic_bool_is_an_error_outside_autograph():
    @tf.function(autograph=False)
    def f(x):
        if x > 0:
            return x
        return -x

    with pytest.raises(TypeError, match="symbolic `tf.Tensor` as a Python `bool`"):
        f(tf.constant(1.0))


def test_run_functions_eagerly():
    calls = []

    @tf.function
    def f(x):
        calls.append(1)
        return x

    tf.config.run_functions_eagerly(True)
    try:
        f(tf.constant(1))
        f(tf.constant(1))
    finally:
        tf.config.run_functions_eagerly(False)
    assert len(calls) == 2


def test_nested_function_calls_inline():
    inner = tf.function(lambda x: x * 2)

    @tf.function
    def outer(x):
        return inner(x) + 1

    assert int(outer(tf.constant(3))) == 7


def _retrace_warnings(caplog):
    found = [
        r.getMessage()
        for r in caplog.records
        if "triggered tf.function retracing" in r.getMessage()
    ]
    caplog.clear()
    return found


def test_frequent_retracing_warning_counts_like_tf(caplog):
    # Counts checked against TF 2.21: 5 tracings within the last 10 calls warn, twice at most.
    caplog.set_level("WARNING", logger="arroyo")

    def f(x, y):
        return x * y

    g = tf.function(f)
    x = tf.constant(1.0)
    seen = {}
    for i, y in enumerate([1, 2, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10]):
        g(x, y)
        for m in _retrace_warnings(caplog):
            seen[i] = m
    assert sorted(seen) == [6, 7]
    assert seen[6].startswith(
        f"5 out of the last 7 calls to {f!r} triggered tf.function retracing."
    )
    assert seen[7].startswith("6 out of the last 8 calls")
    assert "argument `y` changed from 4 to 5." in seen[6]


def test_retracing_warning_names_changed_shape_and_catches_new_functions(caplog):
    caplog.set_level("WARNING", logger="arroyo")

    def k(x):
        return x + 1

    kk = tf.function(k)
    for i in range(7):
        kk(tf.ones([i + 1]))
    found = _retrace_warnings(caplog)
    assert len(found) == 2 and found[0].startswith("5 out of the last 5 calls")
    assert "argument `x` changed from TensorSpec(shape=(4,)" in found[0]
    assert "to TensorSpec(shape=(5,), dtype=tf.float32, name=None)." in found[0]

    def h(x):
        return x - 1

    for _ in range(6):
        tf.function(h)(tf.constant(1.0))  # a new tf.function each time shares h's count
    found = _retrace_warnings(caplog)
    assert [m.split(" calls")[0] for m in found] == ["5 out of the last 5", "6 out of the last 6"]
    assert "new tf.function object made for the same Python function" in found[0]

    # Cached calls in between spread the tracings out; TF 2.21 gives exactly these.
    for per_shape, expected in ((3, ["5 out of the last 13"] * 2), (4, [])):

        def q(x):
            return x * 3

        qq = tf.function(q)
        for i in range(12):
            for _ in range(per_shape):
                qq(tf.ones([i + 1]))
        assert [m.split(" calls")[0] for m in _retrace_warnings(caplog)] == expected


def test_dtype_mismatch_while_tracing_is_tfs_type_error():
    # TF 2.21 raises TypeError from the op constructor while building a graph (and
    # InvalidArgumentError eagerly), naming the op's inputs.
    @tf.function
    def add(a, b):
        return a + b

    with pytest.raises(TypeError, match=r"Input 'y' of 'AddV2' Op has type int64 that does "
                       r"not match type int32 of argument 'x'\."):  # fmt: skip
        add(tf.constant(1), tf.constant(1, tf.int64))

    @tf.function
    def mm(a, b):
        return tf.matmul(a, b)

    with pytest.raises(TypeError, match=r"Input 'b' of 'MatMul' Op has type float64"):
        mm(tf.ones([2, 2]), tf.ones([2, 2], tf.float64))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Op:AddV2\]"):
        _ = tf.constant(1) + tf.constant(1, tf.int64)


def test_input_signature_converts_numpy_and_lists():
    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
    def f(a):
        return a * 2

    assert f(np.ones((2, 3), np.float32)).numpy().tolist() == [[2.0] * 3] * 2
    assert f([[1.0, 2.0, 3.0]]).numpy().tolist() == [[2.0, 4.0, 6.0]]
    assert f.experimental_get_tracing_count() == 1


def test_shape_list_with_tensors_packs_and_keeps_known_dims():
    @tf.function
    def g(x):
        return tf.zeros([tf.shape(x)[0], 3]), tf.ones((tf.shape(x)[1], 2))

    cf = g.get_concrete_function(tf.TensorSpec([None, 5]))
    assert [t.shape.as_list() for t in cf.outputs] == [[None, 3], [None, 2]]  # as TF
    z, o = g(tf.ones([2, 5]))
    assert z.shape == (2, 3) and o.shape == (5, 2)
