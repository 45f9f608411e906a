"""AutoGraph: Python control flow in tf.function becomes tf.cond / tf.while_loop on tensors and
stays Python on Python values; results equal eager execution; errors as TF's, at user lines."""

import contextlib
import io
import sys
import traceback

import numpy as np
import pytest

import arroyo as tf
from arroyo.util import nest


def run_both(fn, *args):
    """The plain Python function eagerly, and under tf.function; returns both results."""
    # Python numbers (eager results of Python-only paths) compare as the tensors TF makes.
    eager = tf.nest.map_structure(lambda v: np.asarray(tf.convert_to_tensor(v)), fn(*args))
    graph = tf.nest.map_structure(np.asarray, tf.function(fn)(*args))
    return eager, graph


def check(fn, *args, expect=None):
    eager, graph = run_both(fn, *args)
    flat_e, flat_g = tf.nest.flatten(eager), tf.nest.flatten(graph)
    assert len(flat_e) == len(flat_g)
    for e, g in zip(flat_e, flat_g):
        assert e.dtype == g.dtype, (e.dtype, g.dtype)
        np.testing.assert_allclose(e, g, rtol=1e-6)
    if expect is not None:
        for e, x in zip(flat_e, nest.flatten_up_to(eager, expect)):
            np.testing.assert_allclose(e, x, rtol=1e-6)


def graph_ops(fn, *args):
    return [op.type for op in tf.function(fn).get_concrete_function(*args).graph.get_operations()]


# -- the constructs ----------------------------------------------------------------------------


def if_else(x):
    if x > 0:
        y = x * 2
    elif x < -10:
        y = x * 0
    else:
        y = -x
    return y


def nested_if(x):
    if x > 0:
        if x > 10:
            r = 2
        elif x > 5:
            r = 1
        else:
            r = 0
    else:
        r = -1
    return r


def while_sum_tensor(x):
    s = tf.constant(0.0)
    i = 0
    while i < tf.size(x):
        s += x[i]
        i += 1
    return s


def for_range(n):
    s = 0.0
    for i in tf.range(n):
        s += tf.cast(i, tf.float32) * 0.5
    return s


def for_tensor_rows(x):
    s = tf.zeros([2])
    for row in x:
        s = s + row * row
    return s


def break_continue(n):
    s = 0
    i = 0
    while i < n:
        i += 1
        if i % 2 == 0:
            continue
        if i > 7:
            break
        s += i
    return s, i


def for_break_else(n):
    s = 0
    for i in tf.range(n):
        if i > 3:
            break
        s += i
    else:
        s = -100
    return s


def return_in_cond(x):
    if x > 0:
        return x * 2
    return -x


def expressions(x):
    y = x if x > 0 else -x
    z = x > 0 and x < 5
    w = not (x > 0)
    u = x < 0 or x > 100
    v = 0 < x < 5
    return y, z, w, u, v


def enumerate_tensor(x):
    s = 0
    for i, e in enumerate(x):
        s += i * e
    return s


def nested_loops(n):
    s = 0
    for i in tf.range(n):
        j = 0
        while j < i:
            s += j
            j += 1
    return s


def loop_defines_var(n):
    for i in tf.range(n):
        z = i * 2
    return z, i


@pytest.mark.parametrize("fn,args,expect", [
    (if_else, (3,), 6), (if_else, (-3,), 3), (if_else, (-30,), 0),
    (nested_if, (20,), 2), (nested_if, (7,), 1), (nested_if, (3,), 0), (nested_if, (-1,), -1),
    (while_sum_tensor, ([1.0, 2.0, 4.0],), 7.0),
    (for_range, (5,), 5.0),
    (for_tensor_rows, ([[1.0, 2.0], [3.0, 4.0]],), [10.0, 20.0]),
    (break_continue, (10,), (16, 9)),
    (for_break_else, (10,), 6), (for_break_else, (3,), -100),
    (return_in_cond, (5,), 10), (return_in_cond, (-5,), 5),
    (expressions, (-3,), (3, False, True, True, False)), (expressions, (3,), (3, True, False, False, True)),
    (enumerate_tensor, ([5, 6, 7],), 20),
    (nested_loops, (4,), 4),
    (loop_defines_var, (3,), (4, 2)),
], ids=lambda v: getattr(v, "__name__", None))  # fmt: skip
def test_constructs_match_eager(fn, args, expect):
    check(fn, *[tf.constant(a) for a in args], expect=expect)


def test_tensor_conditions_stage_ops_python_conditions_unroll():
    assert "StatelessIf" in graph_ops(if_else, tf.constant(1))
    assert any(t.endswith("While") for t in graph_ops(for_range, tf.constant(3)))

    def py_loop(x):
        acc = []
        for i in range(3):  # Python range over a Python int: unrolled
            if i % 2 == 0:  # Python condition: no cond op
                acc.append(x * i)
        return tf.stack(acc)

    check(py_loop, tf.constant(2), expect=[0, 4])
    ops = graph_ops(py_loop, tf.constant(2))
    assert not any("While" in t or "If" in t for t in ops)

    def range_of_tensor(n):
        s = 0
        for i in range(n):  # range() of a tensor becomes tf.range
            s += i
        return s

    check(range_of_tensor, tf.constant(4), expect=6)


def test_retracing_semantics_unchanged():
    traces = []

    @tf.function
    def f(x, flag):
        traces.append(1)
        if flag:  # Python bool: a different trace per value, no cond
            return x + 1
        return x - 1

    assert int(f(tf.constant(1), True)) == 2 and int(f(tf.constant(5), True)) == 6
    assert int(f(tf.constant(1), False)) == 0
    assert len(traces) == 2 and f.experimental_get_tracing_count() == 2
    g = tf.function(if_else)
    g(tf.constant(1))
    g(tf.constant(-1))
    assert g.experimental_get_tracing_count() == 1


def test_tf_print_in_loop(capfd):
    @tf.function
    def f(n):
        for i in tf.range(n):
            tf.print("step", i, output_stream=sys.stdout)
        return n

    f(tf.constant(3))
    out = capfd.readouterr().out
    assert out.splitlines()[-3:] == ["step 0", "step 1", "step 2"]


def test_tensor_array_and_variables_in_converted_loops():
    v = tf.Variable(0.0)

    @tf.function
    def f(n):
        ta = tf.TensorArray(tf.float32, size=n)
        for i in tf.range(n):
            x = tf.cast(i, tf.float32)
            ta = ta.write(i, x * x)
            v.assign_add(x)
        return ta.stack()

    np.testing.assert_array_equal(f(tf.constant(4)), [0.0, 1.0, 4.0, 9.0])
    assert float(v) == 6.0


def test_methods_closures_nested_and_called_functions():
    scale = 3

    def helper(a, k):  # converted recursively when called from converted code
        if a > k:
            return a - k
        return a + scale

    class Model:
        def __init__(self):
            self.w = tf.Variable(2.0)

        @tf.function
        def __call__(self, x):
            if tf.reduce_sum(x) > 0:
                return x * self.w
            return x

    class Base:
        def f(self, x):
            return x + 1

    class Child(Base):
        @tf.function
        def f(self, x):
            y = super().f(x)
            if y > 2:
                y = y * 10
            return y

    @tf.function
    def g(x):
        k = tf.constant(5)

        def inner(e):
            return helper(e, k)

        total = 0
        for e in x:
            total += inner(e)
        return total

    np.testing.assert_array_equal(Model()(tf.constant([1.0, 2.0])), [2.0, 4.0])
    assert int(Child().f(tf.constant(2))) == 30 and int(Child().f(tf.constant(0))) == 1
    assert int(g(tf.constant([1, 7, 10]))) == 4 + 2 + 5


def test_gradients_through_converted_control_flow():
    v = tf.Variable(1.0)

    def f(x):
        y = x
        for _ in tf.range(3):
            if y > 100.0:
                break
            y = y * x * v
        return y  # x^4 v^3 (no break for small x)

    @tf.function
    def inside(x):
        with tf.GradientTape() as t:
            t.watch(x)
            y = f(x)
        return t.gradient(y, [x, v])

    dx, dv = inside(tf.constant(2.0))
    assert float(dx) == 32.0 and float(dv) == 48.0
    x = tf.constant(2.0)
    with tf.GradientTape() as t:  # eager tape over the traced function (replayed)
        t.watch(x)
        y = tf.function(f)(x)
    assert float(t.gradient(y, x)) == 32.0


def test_set_loop_options_shape_invariants():
    @tf.function
    def f(n):
        s = tf.ones([1])
        for _ in tf.range(n):
            tf.autograph.experimental.set_loop_options(
                shape_invariants=[(s, tf.TensorShape([None]))]
            )
            s = tf.concat([s, s], 0)
        return s

    assert f(tf.constant(3)).shape == (8,)


# -- errors ----------------------------------------------------------------------------------


def _error_of(fn, *args):
    with pytest.raises(Exception) as e:
        tf.function(fn)(*args)
    return e.value


def undefined_in_else(x):
    if x > 0:
        y = x
    return y


def branch_dtypes(x):
    if x > 0:
        y = 1
    else:
        y = 2.0
    return y


def no_else_return(x):
    if x > 0:
        return x


def loop_shape_change(n):
    s = tf.ones([1])
    for _ in tf.range(n):
        s = tf.concat([s, s], 0)
    return s


def loop_dtype_change(n):
    s = tf.constant(0)
    i = 0
    while i < n:
        s = tf.cast(s, tf.float32) + 0.5
        i += 1
    return s


def int_condition(x):
    if x:
        return 1
    return 2


def return_in_loop(n):
    while n > 0:
        n -= 1
        if n == 2:
            return n
    return n


@pytest.mark.parametrize("fn,exc,text", [
    (undefined_in_else, ValueError, "'y' must also be initialized in the else branch"),
    (branch_dtypes, TypeError, "'y' has dtype int32 in the main branch, but dtype float32 in the else branch"),
    (no_else_return, ValueError, "the else branch must also have a return statement."),
    (loop_shape_change, ValueError, "'s' has shape (1,) before the loop, but shape (2,) after one iteration. "
                                    "Use tf.autograph.experimental.set_loop_options to set shape invariants."),
    (loop_dtype_change, TypeError, "'s' has dtype int32 before the loop, but dtype float32 after one iteration"),
    (return_in_loop, NotImplementedError, "a return statement cannot be placed inside this TensorFlow loop"),
    (int_condition, ValueError, "condition of if statement expected to be `tf.bool` scalar, got "
                                'Tensor("x:0", shape=(), dtype=int32); to use as boolean Tensor, use `tf.cast`'),
], ids=lambda v: getattr(v, "__name__", None))  # fmt: skip
def test_errors_as_tf_pointing_at_user_line(fn, exc, text):
    err = _error_of(fn, tf.constant(4))
    assert isinstance(err, exc) and text in str(err)
    # The traceback and the note name this file at the statement that failed.
    first = fn.__code__.co_firstlineno
    frames = [
        f
        for f in traceback.extract_tb(err.__traceback__)
        if f.filename == __file__ and f.name == fn.__name__
    ]
    assert frames and all(first <= f.lineno < first + 12 for f in frames)
    # As TF: the message starts with the user's frames, then the original error.
    msg = str(err)
    assert msg.startswith("in user code:") and f'File "{__file__}", line' in msg
    assert f"in {fn.__name__}  *" in msg and f"{exc.__name__}: " in msg


def test_error_inside_converted_code_keeps_user_line():
    def f(x):
        if x > 0:
            y = tf.reshape(x, [2, 2])  # fails: x has one element
        else:
            y = x
        return y

    err = _error_of(f, tf.constant(1.0))
    line = f.__code__.co_firstlineno + 2
    assert any(
        fr.filename == __file__ and fr.lineno == line
        for fr in traceback.extract_tb(err.__traceback__)
    )


def test_do_not_convert_and_bool_of_symbolic_tensor():
    @tf.autograph.experimental.do_not_convert
    def raw(x):
        if x > 0:
            return x
        return -x

    with pytest.raises(tf.errors.OperatorNotAllowedInGraphError):
        tf.function(raw)(tf.constant(1))
    assert int(raw(tf.constant(-2))) == 2  # eagerly it is plain Python


def test_to_code_and_to_graph():
    code = tf.autograph.to_code(if_else)
    assert code.startswith("def tf__if_else(x):") and "ag__.if_stmt(" in code
    assert "ag__.for_stmt(" in tf.autograph.to_code(for_range)
    g = tf.autograph.to_graph(return_in_cond)
    assert int(g(tf.constant(-4))) == 4  # the converted function also runs eagerly
    assert int(tf.function(g)(tf.constant(-4))) == 4


def test_lambdas_are_converted():
    f = tf.function(lambda x: return_in_cond(x) if x > 0 else x * 2)
    assert int(f(tf.constant(3))) == 6 and int(f(tf.constant(-3))) == -6
    assert "ag__.if_exp(" in tf.autograph.to_code(lambda y: y if y > 0 else -y)


def test_tensor_break_in_unrolled_python_loop():
    def f(x):
        s = 0
        for i in range(4):  # unrolled; the break depends on a tensor
            if x < i:
                break
            s += i
        return s

    check(f, tf.constant(2), expect=3)
    check(f, tf.constant(10), expect=6)


def test_unconvertible_functions_run_as_is():
    ns = {}
    exec("def h(x):\n    return x + 1\n", {"tf": tf}, ns)  # no source: runs unconverted
    assert int(tf.function(ns["h"])(tf.constant(1))) == 2
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        tf.function(lambda x: print("traced") or x)(tf.constant(1))
    assert buf.getvalue() == "traced\n"


def test_in_user_code_lists_every_user_frame_once_as_tf():
    def helper(x):
        return tf.reshape(x, [3])

    @tf.function
    def outer(x):
        y = x + 1
        return helper(y)

    with pytest.raises(ValueError) as info:
        outer(tf.constant([1.0, 2.0]))
    msg = str(info.value)
    assert msg.count("in user code:") == 1
    assert msg.index("in outer  *") < msg.index("in helper  *")
    assert "return helper(y)" in msg and "return tf.reshape(x, [3])" in msg
    assert "\n\n    ValueError: Cannot reshape a tensor with 2 elements to shape [3]" in msg

    @tf.function(autograph=False)
    def plain(x):
        return tf.reshape(x, [3])

    with pytest.raises(ValueError) as info:
        plain(tf.constant([1.0, 2.0]))
    assert not str(info.value).startswith("in user code:")  # TF adds it only with AutoGraph

    @tf.function
    def op_error(x):
        return tf.debugging.check_numerics(x, "bad") + tf.raw_ops.Reshape(tensor=x, shape=[3])

    with pytest.raises(ValueError):
        op_error(tf.constant([1.0, 2.0]))

    @tf.function
    def cond_mismatch(x):
        return tf.cond(x > 0, lambda: (x, x), lambda: x)

    with pytest.raises(TypeError, match="(?s)in user code:.*in cond_mismatch  \\*.*same nested"):
        cond_mismatch(tf.constant(1.0))


def _double_nested(x):
    if isinstance(x, (list, tuple)):
        return [_double_nested(v) for v in x]  # recursion from a comprehension
    return x * 2


def _fact(n):
    if n <= 1:
        return tf.constant(1)
    return n * _fact(n - 1)


def test_recursive_functions_convert():
    @tf.function
    def f(x):
        return _double_nested([x, [x, x]]), _fact(4) + tf.cast(x, tf.int32)

    nested, fact = f(tf.constant(1.0))
    assert [float(nested[0]), [float(v) for v in nested[1]]] == [2.0, [2.0, 2.0]]
    assert int(fact) == 25
    assert tf.autograph.to_code(_fact).startswith("def tf___fact(n):")
