"""Table rows for math_ops: binary arithmetic, comparisons, logic, cast, matmul."""

import numpy as np

from tests.harness import Case

R = np.random.default_rng(1)
A = R.normal(size=(2, 3)).astype(np.float32)
B = R.normal(size=(2, 3)).astype(np.float32)
BROW = R.normal(size=(3,)).astype(np.float32)
POS = R.uniform(0.5, 2.0, size=(2, 3)).astype(np.float32)
I1 = np.array([7, -7, 5, -5, 0, 9], np.int32)
I2 = np.array([2, 2, -3, -3, 4, 3], np.int32)
M1 = R.normal(size=(3, 4)).astype(np.float32)
M2 = R.normal(size=(4, 2)).astype(np.float32)

CASES = [
    Case(
        "add",
        lambda tf, x, y: tf.add(x, y),
        [A, B],
        ops=("AddV2",),
        ref=np.add,
        grad=True,
        grad2=True,
    ),
    Case("add_broadcast", lambda tf, x, y: x + y, [A, BROW], ops=("AddV2",), ref=np.add, grad=True),
    Case(
        "add_string",
        lambda tf, x, y: x + y,
        [np.array([b"a", b"b"], object), np.array([b"c", b"d"], object)],
        ops=("Add",),
        ref=lambda x, y: np.array([b"ac", b"bd"], object),
    ),
    Case(
        "sub",
        lambda tf, x, y: x - y,
        [A, BROW],
        ops=("Sub",),
        ref=np.subtract,
        grad=True,
        grad2=True,
    ),
    Case(
        "mul", lambda tf, x, y: x * y, [A, B], ops=("Mul",), ref=np.multiply, grad=True, grad2=True
    ),
    Case(
        "truediv",
        lambda tf, x, y: x / y,
        [A, POS],
        ops=("RealDiv",),
        ref=np.divide,
        grad=True,
        grad2=True,
    ),
    Case(
        "truediv_int",
        lambda tf, x, y: x / y,
        [I1, I2],
        ops=("Cast", "RealDiv"),
        ref=lambda x, y: x.astype(np.float64) / y,
    ),
    Case("floordiv_int", lambda tf, x, y: x // y, [I1, I2], ops=("FloorDiv",), ref=np.floor_divide),
    Case(
        "floordiv_float",
        lambda tf, x, y: tf.math.floordiv(x, y),
        [A, POS],
        ops=("FloorDiv",),
        ref=np.floor_divide,
    ),
    Case("floormod_int", lambda tf, x, y: x % y, [I1, I2], ops=("FloorMod",), ref=np.mod),
    Case(
        "floormod_float",
        lambda tf, x, y: tf.math.floormod(x, y),
        [A, POS],
        ops=("FloorMod",),
        ref=np.mod,
        grad=True,
    ),
    Case(
        "truncatediv",
        lambda tf, x, y: tf.truncatediv(x, y),
        [I1, I2],
        ops=("TruncateDiv",),
        ref=lambda x, y: (np.trunc(x / y)).astype(np.int32),
    ),
    Case(
        "pow",
        lambda tf, x, y: tf.pow(x, y),
        [POS, A],
        ops=("Pow",),
        ref=np.power,
        grad=True,
        grad2=True,
    ),
    Case(
        "pow_int",
        lambda tf, x, y: x**y,
        [np.array([2, 3, -2], np.int32), np.array([3, 2, 3], np.int32)],
        ops=("Pow",),
        ref=np.power,
    ),
    Case(
        "maximum",
        lambda tf, x, y: tf.maximum(x, y),
        [A, B],
        ops=("Maximum",),
        ref=np.maximum,
        grad=True,
    ),
    Case(
        "minimum",
        lambda tf, x, y: tf.minimum(x, y),
        [A, B],
        ops=("Minimum",),
        ref=np.minimum,
        grad=True,
    ),
    Case(
        "squared_difference",
        lambda tf, x, y: tf.math.squared_difference(x, y),
        [A, B],
        ops=("SquaredDifference",),
        ref=lambda x, y: (x - y) ** 2,
        grad=True,
        grad2=True,
    ),
    Case("neg", lambda tf, x: -x, [A], ops=("Neg",), ref=np.negative, grad=True, grad2=True),
    Case("abs", lambda tf, x: tf.abs(x), [A], ops=("Abs",), ref=np.abs, grad=True),
    Case(
        "abs_complex",
        lambda tf, x: tf.abs(x),
        [np.array([3 + 4j, -1j], np.complex64)],
        ops=("ComplexAbs",),
        ref=np.abs,
    ),
    Case("sign", lambda tf, x: tf.sign(x), [A], ops=("Sign",), ref=np.sign, grad=True),
    Case(
        "conj",
        lambda tf, x: tf.math.conj(x),
        [np.array([1 + 2j, 3 - 1j], np.complex128)],
        ops=("Conj",),
        ref=np.conj,
    ),
    Case(
        "equal",
        lambda tf, x, y: tf.equal(x, y),
        [I1, np.array([7, 0, 5, 0, 0, 0], np.int32)],
        ops=("Equal",),
        ref=np.equal,
    ),
    Case(
        "eq_operator_bad_shape",
        lambda tf, x, y: x == y,
        [I1, np.array([1, 2], np.int32)],
        ops=("Equal",),
        ref=lambda x, y: np.bool_(False),
    ),
    Case(
        "not_equal",
        lambda tf, x, y: tf.not_equal(x, y),
        [A, B],
        ops=("NotEqual",),
        ref=np.not_equal,
    ),
    Case("less", lambda tf, x, y: x < y, [A, B], ops=("Less",), ref=np.less),
    Case("less_equal", lambda tf, x, y: x <= y, [A, B], ops=("LessEqual",), ref=np.less_equal),
    Case("greater", lambda tf, x, y: x > y, [A, B], ops=("Greater",), ref=np.greater),
    Case(
        "greater_equal",
        lambda tf, x, y: x >= y,
        [A, B],
        ops=("GreaterEqual",),
        ref=np.greater_equal,
    ),
    Case(
        "logical",
        lambda tf, x, y: [x & y, x | y, ~x, tf.math.logical_xor(x, y)],
        [np.array([True, True, False, False]), np.array([True, False, True, False])],
        ops=("LogicalAnd", "LogicalOr", "LogicalNot"),
        ref=lambda x, y: [x & y, x | y, ~x, x ^ y],
    ),
    Case(
        "cast_float_int",
        lambda tf, x: tf.cast(x, tf.int32),
        [A * 3],
        ops=("Cast",),
        ref=lambda x: np.trunc(x).astype(np.int32),
    ),
    Case(
        "cast_grad",
        lambda tf, x: tf.cast(x, tf.float64) * 2.0,
        [A],
        ops=("Cast",),
        ref=lambda x: x.astype(np.float64) * 2,
        grad=True,
    ),
    Case(
        "matmul",
        lambda tf, a, b: tf.matmul(a, b),
        [M1, M2],
        ops=("MatMul",),
        ref=np.matmul,
        grad=True,
        grad2=True,
    ),
    Case(
        "matmul_transpose",
        lambda tf, a, b: tf.matmul(a, b, transpose_a=True, transpose_b=True),
        [M1.T.copy(), M2.T.copy()],
        ops=("MatMul",),
        ref=lambda a, b: a.T @ b.T,
        grad=True,
    ),
    Case("matmul_operator", lambda tf, a, b: a @ b, [M1, M2], ops=("MatMul",), ref=np.matmul),
]
