"""Error paths of linalg, complex and bitwise ops: TF's exception types and message texts.

Every expected text below was read off TensorFlow 2.21 (eager, CPU) for the same call.
"""

import numpy as np
import pytest

import arroyo as tf
from arroyo.framework.errors import FailedPreconditionError, InvalidArgumentError


def _raises(exc, *fragments):
    """Context manager: `exc` raised and its message contains every fragment."""

    class _Check:
        def __enter__(self):
            self._ctx = pytest.raises(exc)
            self._info = self._ctx.__enter__()
            return self._info

        def __exit__(self, *args):
            out = self._ctx.__exit__(*args)
            msg = str(self._info.value)
            for f in fragments:
                assert f in msg, f"{f!r} not in {msg!r}"
            return out

    return _Check()


SING = [[1.0, 2.0], [2.0, 4.0]]


# -- matmul -----------------------------------------------------------------------------------


def test_matmul_vector_operands():
    with _raises(InvalidArgumentError, "In[0] ndims must be >= 2", "[Op:MatMul]"):
        tf.matmul(tf.constant([1.0, 2.0, 3.0]), tf.ones([3, 2]))
    with _raises(InvalidArgumentError, "In[1] ndims must be >= 2", "[Op:MatMul]"):
        tf.matmul(tf.ones([2, 3]), tf.constant([1.0, 2.0, 3.0]))
    with _raises(InvalidArgumentError, "In[0] ndims must be >= 2: 1", "[Op:BatchMatMulV2]"):
        tf.matmul(tf.constant([1.0, 2.0]), tf.ones([2, 2, 3]))


def test_matmul_messages_follow_tf_kernel_per_dtype():
    # TF runs float32/bfloat16 matmuls on oneDNN and the other dtypes on Eigen; texts differ.
    with _raises(InvalidArgumentError, "In[0] and In[1] ndims must be == 2: 1 [Op:MatMul]"):
        tf.matmul(tf.constant([1, 2]), tf.constant([1, 2]))
    with _raises(
        InvalidArgumentError, "In[0] and In[1] has different ndims: [3] vs. [3,2] [Op:MatMul]"
    ):
        tf.matmul(tf.ones([3], tf.float64), tf.ones([3, 2], tf.float64))
    with _raises(
        InvalidArgumentError,
        "Matrix size-incompatible: In[0]: [2,2,3], In[1]: [2,4,2] [Op:BatchMatMulV2]",
    ):
        tf.matmul(tf.ones([2, 2, 3], tf.int32), tf.ones([2, 4, 2], tf.int32))


def test_matmul_dtype_mismatch():
    with _raises(
        InvalidArgumentError,
        "cannot compute MatMul as input #1(zero-based) was expected to be a "
        "float tensor but is a double tensor [Op:MatMul]",
    ):
        tf.matmul(tf.ones([2, 3]), tf.ones([3, 2], tf.float64))
    # TF names BatchMatMulV2 here; the core's tf.matmul checks dtypes (naming MatMul) first.
    with _raises(
        InvalidArgumentError,
        "as input #1(zero-based) was expected to be a float tensor but is a double tensor [Op:",
    ):
        tf.matmul(tf.ones([2, 2, 3]), tf.ones([2, 3, 2], tf.float64))
    # TF converts `b` with `a`'s dtype only as a hint: the float list stays float.
    from arroyo.ops.linalg_ops import matmul_general

    with _raises(
        InvalidArgumentError, "expected to be a int32 tensor but is a float tensor [Op:MatMul]"
    ):
        matmul_general([[1, 2]], [[3.0], [4.0]])


def test_matmul_shapes():
    with _raises(
        InvalidArgumentError,
        "Matrix size-incompatible: In[0]: [2,2,3], In[1]: [2,4,2] 0 0",
        "[Op:BatchMatMulV2]",
    ):
        tf.matmul(tf.ones([2, 2, 3]), tf.ones([2, 4, 2]))
    with _raises(
        InvalidArgumentError,
        "In[0] and In[1] must have compatible batch dimensions: [2,2,3] vs. "
        "[5,3,2] [Op:BatchMatMulV2]",
    ):
        tf.matmul(tf.ones([2, 2, 3]), tf.ones([5, 3, 2]))
    with _raises(InvalidArgumentError, "Matrix size-incompatible", "[Op:MatMul]"):
        tf.matmul(
            tf.ones([2, 3]), tf.ones([4, 2]), adjoint_a=False, transpose_b=False, adjoint_b=True
        )


def test_matmul_dtypes_not_allowed():
    with _raises(
        InvalidArgumentError,
        "Value for attr 'T' of bool is not in the list of allowed values",
        "[Op:MatMul]",
    ):
        tf.matmul(tf.ones([2, 3], tf.bool), tf.ones([3, 2], tf.bool))
    with _raises(
        InvalidArgumentError,
        "Value for attr 'T' of int8 is not in the list of allowed values",
        "[Op:BatchMatMulV2]",
    ):
        tf.matmul(tf.ones([1, 2, 3], tf.int8), tf.ones([1, 3, 2], tf.int8))


def test_matmul_transpose_and_adjoint():
    with _raises(
        ValueError,
        "Only one of `transpose_a` and `adjoint_a` can be True. Received "
        "`transpose_a`=True, `adjoint_a`=True.",
    ):
        tf.matmul(tf.ones([2, 2]), tf.ones([2, 2]), transpose_a=True, adjoint_a=True)
    with _raises(ValueError, "Only one of `transpose_b` and `adjoint_b`"):
        tf.matmul(tf.ones([2, 2, 2]), tf.ones([2, 2]), transpose_b=True, adjoint_b=True)


# -- inverse, determinants, decompositions --------------------------------------------------------


@pytest.mark.parametrize("fn,op", [
    (tf.linalg.inv, "MatrixInverse"), (tf.linalg.det, "MatrixDeterminant"),
    (tf.linalg.slogdet, "LogMatrixDeterminant"), (tf.linalg.cholesky, "Cholesky"),
    (tf.linalg.eigh, "SelfAdjointEigV2"),
])  # fmt: skip
def test_square_matrix_ops_reject_bad_shapes(fn, op):
    with _raises(InvalidArgumentError, f"Input tensor 0 must have rank >= 2, got 1 [Op:{op}]"):
        fn(tf.ones([3]))
    with _raises(InvalidArgumentError, f"Input matrix must be square. [Op:{op}]"):
        fn(tf.ones([2, 3]))


@pytest.mark.parametrize("fn,op", [(tf.linalg.svd, "Svd"), (tf.linalg.qr, "Qr")])
def test_rectangular_ops_need_matrices(fn, op):
    with _raises(InvalidArgumentError, f"Input tensor 0 must have rank >= 2, got 1 [Op:{op}]"):
        fn(tf.ones([3]))


@pytest.mark.parametrize("fn,op,allowed", [
    (tf.linalg.inv, "MatrixInverse", "double, float, half"), (tf.linalg.svd, "Svd", "double, float, half"),
    (tf.linalg.cholesky, "Cholesky", "double, float, half"), (tf.linalg.qr, "Qr", "double, float, half"),
    (tf.linalg.det, "MatrixDeterminant", "half, float, double"),
    (tf.linalg.slogdet, "LogMatrixDeterminant", "half, float, double"),
])  # fmt: skip
def test_integer_matrices_rejected(fn, op, allowed):
    with _raises(
        InvalidArgumentError,
        "Value for attr 'T' of int32 is not in the list of allowed values: "
        f"{allowed}, complex64, complex128",
        f"[Op:{op}]",
    ):
        fn(tf.ones([2, 2], tf.int32))


def test_singular_matrices():
    with _raises(InvalidArgumentError, "Input is not invertible. [Op:MatrixInverse]"):
        tf.linalg.inv(SING)
    with _raises(InvalidArgumentError, "Input matrix is not invertible. [Op:MatrixSolve]"):
        tf.linalg.solve(SING, tf.ones([2, 1]))
    # No error where TF gives none: a zero determinant, -inf log-determinant, NaN Cholesky.
    assert float(tf.linalg.det(SING)) == 0.0
    sign, logdet = tf.linalg.slogdet(SING)
    assert float(sign) == 0.0 and float(logdet) == -np.inf
    assert np.isnan(tf.linalg.cholesky([[1.0, 2.0], [2.0, 1.0]]).numpy()[1, 1])


def test_solve_shapes():
    with _raises(InvalidArgumentError, "Input matrix and rhs are incompatible. [Op:MatrixSolve]"):
        tf.linalg.solve(tf.eye(2), tf.ones([3, 1]))
    with _raises(
        InvalidArgumentError, "All input tensors must have the same rank. [Op:MatrixSolve]"
    ):
        tf.linalg.solve(tf.eye(2, batch_shape=[3]), tf.ones([2, 1]))
    with _raises(
        InvalidArgumentError,
        "All input tensors must have the same outer dimensions. [Op:MatrixSolve]",
    ):
        tf.linalg.solve(tf.eye(2, batch_shape=[3]), tf.ones([1, 2, 1]))
    with _raises(
        InvalidArgumentError, "First input (lhs) must be a square matrix. [Op:MatrixSolve]"
    ):
        tf.linalg.solve(tf.ones([2, 3]), tf.ones([2, 1]))
    with _raises(
        InvalidArgumentError,
        "cannot compute MatrixSolve as input #1(zero-based) was expected to be a "
        "float tensor but is a double tensor [Op:MatrixSolve]",
    ):
        tf.linalg.solve(tf.eye(2), tf.ones([2, 1], tf.float64))


def test_triangular_solve_shapes():
    op = "[Op:MatrixTriangularSolve]"
    with _raises(InvalidArgumentError, "In[1] ndims must be >= 2: 1", op):
        tf.linalg.triangular_solve(tf.eye(2), tf.ones([2]))
    with _raises(InvalidArgumentError, "In[0] mismatch In[1] shape: 2 vs. 3: [2,2] [3,1] 1 0", op):
        tf.linalg.triangular_solve(tf.eye(2), tf.ones([3, 1]))
    with _raises(
        InvalidArgumentError, "In[0] matrices in the last dimensions must be square (3 =/= 2)", op
    ):
        tf.linalg.triangular_solve(tf.ones([2, 3]), tf.ones([2, 1]))
    with _raises(
        InvalidArgumentError,
        "In[0] and In[1] must have compatible batch dimensions: [3,2,2] vs. [2,2,1]",
        op,
    ):
        tf.linalg.triangular_solve(tf.eye(2, batch_shape=[3]), tf.ones([2, 2, 1]))
    with _raises(
        InvalidArgumentError, "Value for attr 'T' of int32 is not in the list of allowed values", op
    ):
        tf.linalg.triangular_solve(tf.eye(2, dtype=tf.int32), tf.ones([2, 1], tf.int32))


def test_lstsq_and_pinv():
    with _raises(InvalidArgumentError, "Input matrix and rhs are incompatible. [Op:MatrixSolveLs]"):
        tf.linalg.lstsq(tf.ones([3, 2]), tf.ones([2, 1]))
    with _raises(
        InvalidArgumentError, "Value for attr 'T' of int32 is not in the list of allowed values"
    ):
        tf.linalg.lstsq(tf.eye(2, dtype=tf.int32), tf.ones([2, 1], tf.int32))
    with _raises(TypeError, "Input `a` must have `float`-like `dtype` (saw int32)."):
        tf.linalg.pinv(tf.constant([[1, 2], [2, 4]]))
    a = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]])
    with tf.GradientTape() as t:
        t.watch(a)
        x = tf.linalg.lstsq(a, tf.ones([3, 1]), fast=False)
    with _raises(ValueError, "Gradient not defined for fast=False"):
        t.gradient(x, a)


def test_decomposition_gradients_not_implemented():
    x = tf.ones([3, 2]) + tf.eye(3, 2)
    with tf.GradientTape() as t:
        t.watch(x)
        q, r = tf.linalg.qr(x, full_matrices=True)
    with _raises(
        NotImplementedError, "QrGrad not implemented when nrows > ncols and full_matrices is true."
    ):
        t.gradient(r, x)
    y = tf.constant(np.random.default_rng(0).normal(size=(4, 2)), tf.float32)
    with tf.GradientTape() as t:
        t.watch(y)
        s, u, v = tf.linalg.svd(y, full_matrices=True)
    with _raises(
        NotImplementedError, "svd gradient is not implemented for abs(m - n) > 1 when full_matrices"
    ):
        t.gradient(u, y)


# -- diagonals and bands ----------------------------------------------------------------------------


def test_band_part_errors():
    op = "[Op:MatrixBandPart]"
    with _raises(
        InvalidArgumentError,
        "num_lower must be negative or less or equal to number of rows (3) got: 5",
        op,
    ):
        tf.linalg.band_part(tf.ones([3, 3]), 5, 0)
    with _raises(
        InvalidArgumentError,
        "num_upper must be negative or less or equal to number of columns (3) got: 5",
        op,
    ):
        tf.linalg.band_part(tf.ones([3, 3]), 0, 5)
    with _raises(InvalidArgumentError, "input must be at least 2-dim, received shape: [3]", op):
        tf.linalg.band_part(tf.ones([3]), 0, 1)


def test_diag_part_errors():
    x = tf.reshape(tf.range(1.0, 13.0), [3, 4])
    op = "[Op:MatrixDiagPartV3]"
    with _raises(InvalidArgumentError, "input must be at least 2-dim, received shape: [3]", op):
        tf.linalg.diag_part(tf.ones([3]))
    with _raises(
        InvalidArgumentError, "lower_diag_index must not be larger than upper_diag_index: 2 > 1", op
    ):
        tf.linalg.diag_part(x, k=(2, 1))
    with _raises(
        InvalidArgumentError, "lower_diag_index is out of bound: 5. It must be between -3 and 4", op
    ):
        tf.linalg.diag_part(x, k=5)
    with _raises(
        InvalidArgumentError,
        "Value for attr 'align' of \"FOO\" is not in the list of allowed values: "
        '"LEFT_RIGHT", "RIGHT_LEFT", "LEFT_LEFT", "RIGHT_RIGHT"',
    ):
        tf.linalg.diag_part(x, align="FOO")
    with _raises(InvalidArgumentError, "input must be at least 2-dim", "[Op:MatrixDiagPartV3]"):
        tf.linalg.trace(tf.range(6))


def test_diag_errors():
    op = "[Op:MatrixDiagV3]"
    with _raises(InvalidArgumentError, "diagonal must be at least 1-dim, received shape: []", op):
        tf.linalg.diag(tf.constant(1.0))
    with _raises(
        InvalidArgumentError,
        "The number of diagonals provided in the input does not match the "
        "lower_diag_index and upper_diag_index range.",
        op,
    ):
        tf.linalg.diag([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], k=(-1, 1), num_rows=3, num_cols=4)
    with _raises(
        InvalidArgumentError,
        "The number of rows or columns is not consistent with the specified "
        "d_lower, d_upper, and diagonal.",
        op,
    ):
        tf.linalg.diag([1.0, 2.0], num_rows=5, num_cols=5)


def test_set_diag_errors():
    with _raises(
        InvalidArgumentError,
        "Either first dimensions of diagonal don't match input.shape[:-2]",
        "[Op:MatrixSetDiagV3]",
    ):
        tf.linalg.set_diag(tf.zeros([3, 4]), [1.0, 2.0])
    with _raises(
        InvalidArgumentError,
        "input must be at least 2-dim, received shape: [3]",
        "[Op:MatrixSetDiagV3]",
    ):
        tf.linalg.set_diag(tf.zeros([3]), [1.0, 2.0])


def test_cross_errors():
    with _raises(
        InvalidArgumentError, "Both inputs must be of same shape: [2,3] vs. [3] [Op:Cross]"
    ):
        tf.linalg.cross(tf.ones([2, 3]), tf.ones([3]))
    with _raises(
        FailedPreconditionError, "Cross-products are only defined for 3-element vectors. [Op:Cross]"
    ):
        tf.linalg.cross([1.0, 0.0], [0.0, 1.0])
    with _raises(
        InvalidArgumentError,
        "Value for attr 'T' of complex64 is not in the list of allowed values",
        "[Op:Cross]",
    ):
        tf.linalg.cross(tf.ones([3], tf.complex64), tf.ones([3], tf.complex64))


def test_matrix_transpose_needs_rank_2():
    with _raises(
        ValueError,
        "Argument `a` should be a (batch) matrix with rank >= 2.  Received `a` = [1 2] "
        "with shape: (2,)",
    ):
        tf.linalg.matrix_transpose(tf.constant([1, 2]))


# -- norms -------------------------------------------------------------------------------------------


def test_norm_argument_errors():
    x = tf.ones([2, 3])
    with _raises(ValueError, "'ord' must be a supported vector norm, got fro"):
        tf.norm(x, ord="fro", axis=1)
    with _raises(ValueError, "'ord' must be a supported vector norm, got fro"):
        tf.norm(x, ord="fro")
    with _raises(ValueError, "'ord' must be a supported vector norm, got -1"):
        tf.norm(x, ord=-1, axis=1)
    with _raises(ValueError, "'ord' must be a supported vector norm, got inf"):
        tf.norm(x, ord="inf", axis=1)
    with _raises(
        ValueError,
        "'ord' must be a supported matrix norm in ['euclidean', 'fro', 1, 2, inf], got 3",
    ):
        tf.norm(x, ord=3, axis=[0, 1])
    with _raises(
        ValueError, "'axis' must be None, an integer, or a tuple of 2 unique integers, got (0, 0)"
    ):
        tf.norm(x, axis=[0, 0])
    with _raises(
        ValueError,
        "'axis' must be None, an integer, or a tuple of 2 unique integers, got [0, 1, 2]",
    ):
        tf.norm(x, axis=[0, 1, 2])
    with _raises(
        InvalidArgumentError,
        "Value for attr 'T' of int32 is not in the list of allowed values",
        "[Op:Sqrt]",
    ):
        tf.norm(tf.constant([3, 4]))


def test_global_norm_errors():
    with _raises(TypeError, "`t_list` should be a sequence of tensors. Received"):
        tf.linalg.global_norm(tf.ones([2]))
    with _raises(
        InvalidArgumentError,
        "Value for attr 'T' of int32 is not in the list of allowed values: half, "
        "bfloat16, float, double",
        "[Op:L2Loss]",
    ):
        tf.linalg.global_norm([tf.constant([3, 4])])
    with _raises(InvalidArgumentError, "[Op:Pack]"):
        tf.linalg.global_norm([tf.ones([2]), tf.ones([3], tf.float64)])


# -- tensordot / einsum --------------------------------------------------------------------------------


def test_tensordot_errors():
    a, b = tf.ones([2, 3, 4]), tf.ones([4, 3])
    with _raises(
        ValueError,
        "`axes` must not be larger than the number of dimensions of tensor",
        "Received 5, vs tensor dimensions 3.",
    ):
        tf.tensordot(a, b, 5)
    with _raises(ValueError, "`axes` must be at least 0. Received: -1."):
        tf.tensordot(a, b, -1)
    with _raises(ValueError, "Different number of contraction axes `a` and `b`, 2 != 1."):
        tf.tensordot(a, b, [[1, 2], [1]])
    with _raises(
        ValueError, "`axes` must be an integer or have length 2. Received [[1], [1], [0]]."
    ):
        tf.tensordot(a, b, [[1], [1], [0]])
    with _raises(
        InvalidArgumentError,
        "was expected to be a float tensor but is a double tensor",
        "[Op:MatMul]",
    ):
        tf.tensordot(a, tf.ones([4, 3], tf.float64), 1)
    with _raises(InvalidArgumentError, "Matrix size-incompatible"):
        tf.tensordot(a, b, [[1], [0]])


def test_einsum_errors():
    with _raises(ValueError, 'Got 1 inputs for equation "ij,jk->ik", expecting 2'):
        tf.einsum("ij,jk->ik", tf.ones([2, 3]))
    with _raises(
        ValueError, "Output subscripts contain the label z not present in the input subscripts."
    ):
        tf.einsum("ij,jk->iz", tf.ones([2, 3]), tf.ones([3, 4]))
    with _raises(InvalidArgumentError, "Expected input 0 to have rank 3 but got: 2 [Op:Einsum]"):
        tf.einsum("ijk,jk->i", tf.ones([2, 3]), tf.ones([3, 4]))
    with _raises(
        InvalidArgumentError,
        "Expected dimension 3 at axis 0 of the input shaped [4,4] but got dimension 4 [Op:Einsum]",
    ):
        tf.einsum("ij,jk->ik", tf.ones([2, 3]), tf.ones([4, 4]))
    with _raises(
        InvalidArgumentError,
        "Expected dimension 2 at axis 0 of the input shaped [1] but got dimension 1",
    ):
        tf.einsum("ij,i->j", tf.ones([2, 3]), tf.ones([1]))
    with _raises(
        InvalidArgumentError,
        "Output contains 1 broadcasting dimension(s) but no ellipsis (...) was "
        "found in the output subscripts. [Op:Einsum]",
    ):
        tf.einsum("...ij->ij", tf.ones([5, 2, 3]))
    with _raises(
        InvalidArgumentError,
        "cannot compute Einsum as input #1(zero-based) was expected to be a float "
        "tensor but is a double tensor [Op:Einsum]",
    ):
        tf.einsum("ij,jk->ik", tf.ones([2, 3]), tf.ones([3, 4], tf.float64))


# -- complex and bitwise -------------------------------------------------------------------------------


def test_complex_errors():
    msg = "They must be consistent, and one of [tf.float32, tf.float64]"
    with _raises(
        TypeError, "The `real` and `imag` components have incorrect types: float64 float32. " + msg
    ):
        tf.complex(tf.constant(1.0, tf.float64), 2.0)
    with _raises(
        TypeError, "The `real` and `imag` components have incorrect types: int32 int32. " + msg
    ):
        tf.complex(1, 2)
    with _raises(TypeError, "incorrect types: float16 float16"):
        tf.complex(tf.constant(1.0, tf.float16), tf.constant(1.0, tf.float16))
    with _raises(InvalidArgumentError, "Incompatible shapes: [2] vs. [3] [Op:Complex]"):
        tf.complex(tf.ones([2]), tf.ones([3]))
    with _raises(
        TypeError, "input must be a numeric tensor, but got tensor with dtype <dtype: 'string'>"
    ):
        tf.math.real(tf.constant(["a"]))
    with _raises(TypeError, "Cannot convert 3.141592653589793 to EagerTensor of dtype int32"):
        tf.math.angle(tf.constant([1, -2]))


def test_complex_of_reals_results():
    x = tf.constant([1, -2])
    assert tf.math.real(x) is x or tf.math.real(x).numpy().tolist() == [1, -2]
    assert tf.math.imag(x).numpy().tolist() == [0, 0] and tf.math.imag(x).dtype == tf.int32
    assert tf.math.real([1 + 2j, 3j]).dtype == tf.float64


def test_bitwise_errors():
    with _raises(
        InvalidArgumentError,
        "is not in the list of allowed values: int8, int16, int32, int64, uint8, "
        "uint16, uint32, uint64",
        "[Op:BitwiseAnd]",
    ):
        tf.bitwise.bitwise_and(tf.constant([1.0]), tf.constant([2.0]))
    with _raises(InvalidArgumentError, "Value for attr 'T' of bool", "[Op:BitwiseOr]"):
        tf.bitwise.bitwise_or(tf.constant([True]), tf.constant([False]))
    with _raises(InvalidArgumentError, "is not in the list of allowed values", "[Op:Invert]"):
        tf.bitwise.invert(tf.constant([1.0]))
    with _raises(
        InvalidArgumentError,
        "cannot compute BitwiseAnd as input #1(zero-based) was expected to be a "
        "int32 tensor but is a int64 tensor [Op:BitwiseAnd]",
    ):
        tf.bitwise.bitwise_and(tf.constant([1]), tf.constant([2], tf.int64))
    with _raises(InvalidArgumentError, "Incompatible shapes: [2] vs. [3] [Op:BitwiseAnd]"):
        tf.bitwise.bitwise_and(tf.constant([1, 2]), tf.constant([2, 3, 4]))


# -- trace time: inference with an unknown batch dimension -------------------------------------------


def test_static_shapes_inside_tf_function():
    seen = {}

    @tf.function(input_signature=[tf.TensorSpec([None, 3, 3])])
    def f(x):
        outs = {
            "diag_part": tf.linalg.diag_part(x), "diag_band": tf.linalg.diag_part(x, k=(-1, 1)),
            "diag": tf.linalg.diag(x[:, 0]), "det": tf.linalg.det(x), "inv": tf.linalg.inv(x),
            "svd_u": tf.linalg.svd(x)[1], "eigh_e": tf.linalg.eigh(x)[0], "qr_r": tf.linalg.qr(x).r,
            "trace": tf.linalg.trace(x), "norm2": tf.norm(x, ord=2, axis=(-2, -1)),
            "tensordot": tf.tensordot(x, x, [[2], [1]]), "einsum": tf.einsum("bij,bjk->bik", x, x),
            "bmm_adj": tf.matmul(x, x, adjoint_b=True), "trisolve": tf.linalg.triangular_solve(x, x),
            "lstsq": tf.linalg.lstsq(x, x), "complex": tf.complex(x, x),
        }  # fmt: skip
        seen.update({k: v.shape.as_list() for k, v in outs.items()})
        return outs["det"]

    out = f(tf.eye(3, batch_shape=[2]) * 2.0)
    np.testing.assert_allclose(out.numpy(), [8.0, 8.0], rtol=1e-6)
    assert seen == {
        "diag_part": [None, 3], "diag_band": [None, 3, 3], "diag": [None, 3, 3], "det": [None],
        "inv": [None, 3, 3], "svd_u": [None, 3, 3], "eigh_e": [None, 3], "qr_r": [None, 3, 3],
        "trace": [None], "norm2": [None], "tensordot": [None, 3, None, 3], "einsum": [None, 3, 3],
        "bmm_adj": [None, 3, 3], "trisolve": [None, 3, 3], "lstsq": [None, 3, 3], "complex": [None, 3, 3],
    }  # fmt: skip
