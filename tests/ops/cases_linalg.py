"""Table rows for linalg_ops, complex_ops and bitwise_ops.

Decompositions whose outputs are only defined up to sign (QR, SVD, eigenvectors) are
normalized inside the row's function (columns flipped so a chosen entry is positive), so
values compare with TF and gradients of the normalized outputs are well defined.
Matrices are small and well conditioned; symmetric inputs are symmetrized inside `fn`.
"""

import numpy as np

from tests.harness import Case

R = np.random.default_rng(5)


def _f32(*shape, lo=None, hi=None):
    if lo is not None:
        return R.uniform(lo, hi, size=shape).astype(np.float32)
    return R.normal(size=shape).astype(np.float32)


def _well(n, batch=()):
    """Well-conditioned square matrices: noise plus a dominant diagonal."""
    return (0.3 * R.normal(size=batch + (n, n)) + 2.0 * np.eye(n)).astype(np.float32)


A23, A34 = _f32(2, 3), _f32(3, 4)
B223, B234 = _f32(2, 2, 3), _f32(2, 3, 4)
W3, WB = _well(3), _well(3, (2,))
RHS = _f32(3, 2)
RHSB = _f32(2, 3, 2)
T32, T23 = _f32(3, 2), _f32(2, 3)
S3 = _f32(3, 3)
L3 = (np.tril(R.normal(size=(3, 3))) * 0.3 + 2 * np.eye(3)).astype(np.float32)
M34 = np.arange(1.0, 13.0, dtype=np.float32).reshape(3, 4)
V3A, V3B = _f32(2, 3), _f32(2, 3)
CM = (R.normal(size=(2, 2)) + 1j * R.normal(size=(2, 2))).astype(np.complex64)
CA = (R.normal(size=(2, 2, 3)) + 1j * R.normal(size=(2, 2, 3))).astype(np.complex64)
CB = (R.normal(size=(2, 2, 3)) + 1j * R.normal(size=(2, 2, 3))).astype(np.complex64)
RE, IM = _f32(2, 3), _f32(2, 3, lo=0.2, hi=1.5)
I8A = np.array([5, -3, 127, 0, -128], np.int8)
I8B = np.array([1, 2, 1, 7, 1], np.int8)
IA = np.array([12, 10, -7, 0, 255], np.int32)
IB = np.array([10, 6, 3, -1, 15], np.int32)


def _ah(x):
    return np.conj(np.swapaxes(x, -1, -2))


def _sym(tf, x):
    return (x + tf.linalg.matrix_transpose(x)) * 0.5


def _spd(tf, x):
    n = x.shape[-1]
    return tf.matmul(x, x, transpose_b=True) + 3.0 * tf.eye(n, dtype=x.dtype)


def _col_signs(tf, m):
    """+-1 per column so that the column's largest-magnitude entry becomes positive."""
    idx = tf.argmax(tf.abs(m), axis=-2)
    pick = tf.reduce_sum(
        tf.linalg.matrix_transpose(m) * tf.one_hot(idx, m.shape[-2], dtype=m.dtype), axis=-1
    )
    return tf.stop_gradient(tf.sign(pick))


def _qr_norm(tf, x, full=False):
    q, r = tf.linalg.qr(x, full_matrices=full)
    s = tf.stop_gradient(tf.sign(tf.linalg.diag_part(r)))
    k = s.shape[-1]
    q_s = tf.concat([q[..., :, :k] * s[..., None, :], q[..., :, k:]], -1)
    return [q_s, r * s[..., :, None] if r.shape[-2] == k else r]


def _svd_norm(tf, x, full=False):
    s, u, v = tf.linalg.svd(x, full_matrices=full)
    k = s.shape[-1]
    sg = _col_signs(tf, u[..., :, :k])
    return [s, u[..., :, :k] * sg[..., None, :], v[..., :, :k] * sg[..., None, :]]


def _np_svd_norm(x):
    u, s, vh = np.linalg.svd(x.astype(np.float64), full_matrices=False)
    v = np.swapaxes(vh, -1, -2)
    idx = np.argmax(np.abs(u), axis=-2)
    sg = np.sign(np.take_along_axis(u, idx[..., None, :], axis=-2))
    return [s, u * sg, v * sg]


def _np_qr_norm(x):
    q, r = np.linalg.qr(x.astype(np.float64))
    s = np.sign(np.diagonal(r, axis1=-2, axis2=-1))
    return [q * s[..., None, :], r * s[..., :, None]]


def _eigh_norm(tf, x):
    e, v = tf.linalg.eigh(_sym(tf, x))
    return [e, v * _col_signs(tf, v)[..., None, :]]


def _np_eigh_norm(x):
    e, v = np.linalg.eigh((x + np.swapaxes(x, -1, -2)) / 2)
    idx = np.argmax(np.abs(v), axis=-2)
    return [e, v * np.sign(np.take_along_axis(v, idx[..., None, :], axis=-2))]


def _np_diag_part(x, k):
    return np.diagonal(x, offset=k, axis1=-2, axis2=-1)


LIN = dict(rtol=1e-4, atol=1e-5)  # LAPACK vs Eigen in float32

CASES = [
    # -- matmul beyond the 2-D fast path ---------------------------------------------------
    Case(
        "bmm",
        lambda tf, a, b: tf.matmul(a, b),
        [B223, B234],
        ops=("BatchMatMulV2",),
        ref=np.matmul,
        grad=True,
        grad2=True,
    ),
    Case(
        "bmm_batch_broadcast",
        lambda tf, a, b: tf.matmul(a, b),
        [_f32(2, 1, 2, 3), _f32(3, 3, 4)],
        ops=("BatchMatMulV2",),
        ref=np.matmul,
        grad=True,
    ),
    Case(
        "bmm_rank3_by_rank2",
        lambda tf, a, b: tf.matmul(a, b),
        [B223, A34],
        ops=("BatchMatMulV2",),
        ref=np.matmul,
        grad=True,
        grad2=True,
    ),
    Case(
        "bmm_adjoint",
        lambda tf, a, b: tf.matmul(a, b, adjoint_a=True, adjoint_b=True),
        [_f32(2, 3, 2), _f32(2, 4, 3)],
        ops=("BatchMatMulV2",),
        ref=lambda a, b: _ah(a) @ _ah(b),
        grad=True,
        grad2=True,
    ),
    Case(
        "bmm_adjoint_a",
        lambda tf, a, b: tf.matmul(a, b, adjoint_a=True),
        [_f32(2, 3, 2), B234],
        ops=("BatchMatMulV2",),
        ref=lambda a, b: _ah(a) @ b,
        grad=True,
    ),
    Case(
        "bmm_adjoint_b",
        lambda tf, a, b: tf.matmul(a, b, adjoint_b=True),
        [B223, _f32(2, 4, 3)],
        ops=("BatchMatMulV2",),
        ref=lambda a, b: a @ _ah(b),
        grad=True,
    ),
    Case(
        "bmm_transpose",
        lambda tf, a, b: tf.matmul(a, b, transpose_a=True, transpose_b=True),
        [_f32(2, 3, 2), _f32(2, 4, 3)],
        ops=("BatchMatMulV2",),
        ref=lambda a, b: _ah(a) @ _ah(b),
        grad=True,
    ),
    Case(
        "bmm_complex_adjoint",
        lambda tf, a, b: tf.matmul(a, b, adjoint_a=True),
        [CA, CB],
        ops=("BatchMatMulV2",),
        ref=lambda a, b: _ah(a) @ b,
    ),
    Case(
        "bmm_complex_transpose",
        lambda tf, a, b: tf.matmul(a, b, transpose_b=True),
        [CA, CB],
        ops=("BatchMatMulV2",),
        ref=lambda a, b: a @ np.swapaxes(b, -1, -2),
    ),
    Case(
        "bmm_int",
        lambda tf, a, b: tf.matmul(a, b),
        [
            np.arange(12, dtype=np.int32).reshape(2, 2, 3),
            np.arange(6, dtype=np.int32).reshape(3, 2),
        ],
        ops=("BatchMatMulV2",),
        ref=np.matmul,
    ),
    Case(
        "bmm_float64",
        lambda tf, a, b: tf.matmul(a, b),
        [B223.astype(np.float64), B234.astype(np.float64)],
        ops=("BatchMatMulV2",),
        ref=np.matmul,
        rtol=1e-12,
    ),
    Case(
        "matmul_adjoint_2d",
        lambda tf, a, b: tf.matmul(a, b, adjoint_b=True),
        [A23, _f32(4, 3)],
        ops=("MatMul",),
        ref=lambda a, b: a @ b.T,
        grad=True,
        grad2=True,
    ),
    Case(
        "matmul_complex_adjoint_2d",
        lambda tf, a, b: tf.linalg.matmul(a, b, adjoint_a=True),
        [CM, CM],
        ops=("MatMul", "Conj"),
        ref=lambda a, b: _ah(a) @ b,
    ),
    Case(
        "matmul_python_lists",
        lambda tf: tf.matmul([[1.0, 2.0]], [[3], [4]]),
        [],
        ops=("MatMul",),
        ref=lambda: np.array([[11.0]], np.float32),
    ),
    Case(
        "matmul_variable",
        lambda tf, a, b: tf.matmul(tf.Variable(a), b),
        [A23, A34],
        ops=("MatMul",),
        ref=np.matmul,
    ),
    # -- inverse, determinants, solves ------------------------------------------------------
    Case(
        "inv",
        lambda tf, x: tf.linalg.inv(x),
        [W3],
        ops=("MatrixInverse",),
        ref=np.linalg.inv,
        grad=True,
        grad2=True,
        **LIN,
    ),
    Case(
        "inv_batch_adjoint",
        lambda tf, x: tf.linalg.inv(x, adjoint=True),
        [WB],
        ops=("MatrixInverse",),
        ref=lambda x: np.linalg.inv(_ah(x)),
        grad=True,
        grad2=True,
        **LIN,
    ),
    Case(
        "inv_complex",
        lambda tf, x: tf.linalg.inv(x),
        [CM + 2 * np.eye(2, dtype=np.complex64)],
        ops=("MatrixInverse",),
        ref=np.linalg.inv,
        **LIN,
    ),
    Case(
        "det",
        lambda tf, x: tf.linalg.det(x),
        [WB],
        ops=("MatrixDeterminant",),
        ref=np.linalg.det,
        grad=True,
        grad2=True,
        **LIN,
    ),
    Case(
        "det_empty",
        lambda tf, x: tf.linalg.det(x),
        [np.zeros((0, 0), np.float32)],
        ops=("MatrixDeterminant",),
        ref=lambda x: np.float32(1.0),
    ),
    Case(
        "slogdet",
        lambda tf, x: list(tf.linalg.slogdet(x)),
        [np.stack([W3, -W3])],
        ops=("LogMatrixDeterminant",),
        ref=lambda x: list(np.linalg.slogdet(x)),
        grad=True,
        grad2=True,
        **LIN,
    ),
    Case(
        "slogdet_complex",
        lambda tf, x: list(tf.linalg.slogdet(x)),
        [CM],
        ops=("LogMatrixDeterminant",),
        ref=lambda x: [np.linalg.slogdet(x)[0], np.complex64(np.linalg.slogdet(x)[1])],
        **LIN,
    ),
    Case(
        "logdet",
        lambda tf, x: tf.linalg.logdet(_spd(tf, x)),
        [S3],
        ops=("Cholesky",),
        ref=lambda x: np.linalg.slogdet(x @ x.T + 3 * np.eye(3))[1],
        grad=True,
        grad2=True,
        **LIN,
    ),
    Case(
        "solve",
        lambda tf, a, b: tf.linalg.solve(a, b),
        [W3, RHS],
        ops=("MatrixSolve",),
        ref=np.linalg.solve,
        grad=True,
        grad2=True,
        **LIN,
    ),
    Case(
        "solve_batch_adjoint",
        lambda tf, a, b: tf.linalg.solve(a, b, adjoint=True),
        [WB, RHSB],
        ops=("MatrixSolve",),
        ref=lambda a, b: np.linalg.solve(_ah(a), b),
        grad=True,
        **LIN,
    ),
    Case(
        "triangular_solve_lower",
        lambda tf, a, b: tf.linalg.triangular_solve(a, b),
        [L3 + np.triu(S3, 1), RHS],
        ops=("MatrixTriangularSolve",),
        ref=lambda a, b: np.linalg.solve(np.tril(a), b),
        grad=True,
        grad2=True,
        **LIN,
    ),
    Case(
        "triangular_solve_upper_adjoint",
        lambda tf, a, b: tf.linalg.triangular_solve(a, b, lower=False, adjoint=True),
        [L3.T + np.tril(S3, -1), RHS],
        ops=("MatrixTriangularSolve",),
        ref=lambda a, b: np.linalg.solve(np.triu(a).T, b),
        grad=True,
        **LIN,
    ),
    Case(
        "triangular_solve_broadcast",
        lambda tf, a, b: tf.linalg.triangular_solve(a, b),
        [L3, RHSB],
        ops=("MatrixTriangularSolve",),
        ref=lambda a, b: np.linalg.solve(np.tril(a), b),
        grad=True,
        **LIN,
    ),
    Case(
        "triangular_solve_singular",
        lambda tf, a, b: tf.linalg.triangular_solve(a, b),
        [np.array([[0.0, 0.0], [1.0, 4.0]], np.float32), np.ones((2, 1), np.float32)],
        ops=("MatrixTriangularSolve",),
        ref=lambda a, b: np.array([[np.inf], [-np.inf]]),
    ),
    Case(
        "cholesky",
        lambda tf, x: tf.linalg.cholesky(_spd(tf, x)),
        [S3],
        ops=("Cholesky",),
        ref=lambda x: np.linalg.cholesky(x @ x.T + 3 * np.eye(3)),
        grad=True,
        grad2=True,
        **LIN,
    ),
    Case(
        "cholesky_batch_lower_only",
        lambda tf, x: tf.linalg.cholesky(x),
        [
            np.stack(
                [np.array([[4.0, 100.0], [2.0, 5.0]]), np.array([[9.0, -7.0], [3.0, 2.0]])]
            ).astype(np.float32)
        ],
        ops=("Cholesky",),
        ref=lambda x: np.linalg.cholesky(np.tril(x) + np.swapaxes(np.tril(x, -1), -1, -2)),
    ),
    Case(
        "cholesky_not_pd_nan",
        lambda tf, x: tf.linalg.cholesky(x),
        [np.array([[1.0, 2.0], [2.0, 1.0]], np.float32)],
        ops=("Cholesky",),
        ref=lambda x: np.array([[np.nan, 0.0], [np.nan, np.nan]]),
    ),
    Case(
        "cholesky_solve",
        lambda tf, x, b: tf.linalg.cholesky_solve(tf.linalg.cholesky(_spd(tf, x)), b),
        [S3, RHS],
        ops=("Cholesky", "MatrixTriangularSolve"),
        ref=lambda x, b: np.linalg.solve(x @ x.T + 3 * np.eye(3), b),
        grad=True,
        **LIN,
    ),
    Case(
        "lstsq_overdetermined",
        lambda tf, a, b: tf.linalg.lstsq(a, b),
        [_f32(4, 2), _f32(4, 2)],
        ops=("MatrixSolveLs",),
        ref=lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0],
        grad=True,
        grad2=True,
        **LIN,
    ),
    Case(
        "lstsq_regularized",
        lambda tf, a, b: tf.linalg.lstsq(a, b, l2_regularizer=0.5),
        [_f32(2, 4, 2), _f32(2, 4, 1)],
        ops=("MatrixSolveLs",),
        ref=lambda a, b: np.linalg.solve(_ah(a) @ a + 0.5 * np.eye(2), _ah(a) @ b),
        grad=True,
        **LIN,
    ),
    Case(
        "lstsq_underdetermined",
        lambda tf, a, b: tf.linalg.lstsq(a, b),
        [T23, _f32(2, 2)],
        ops=("MatrixSolveLs",),
        ref=lambda a, b: np.linalg.pinv(a) @ b,
        grad=True,
        **LIN,
    ),
    Case(
        "lstsq_slow_ignores_regularizer",
        lambda tf, a, b: tf.linalg.lstsq(a, b, l2_regularizer=0.5, fast=False),
        [_f32(4, 2), _f32(4, 1)],
        ops=("MatrixSolveLs",),
        ref=lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0],
        **LIN,
    ),
    Case(
        "pinv",
        lambda tf, x: tf.linalg.pinv(x),
        [T32],
        ops=("Svd",),
        ref=np.linalg.pinv,
        grad=True,
        **LIN,
    ),
    Case(
        "pinv_rank_deficient",
        lambda tf, x: tf.linalg.pinv(x),
        [np.array([[1.0, 2.0], [2.0, 4.0]], np.float32)],
        ops=("Svd",),
        ref=np.linalg.pinv,
        **LIN,
    ),
    # -- decompositions ---------------------------------------------------------------------
    Case(
        "qr_tall",
        lambda tf, x: _qr_norm(tf, x),
        [_f32(4, 3)],
        ops=("Qr",),
        ref=_np_qr_norm,
        grad=True,
        grad2=True,
        **LIN,
    ),
    Case(
        "qr_wide_batch",
        lambda tf, x: _qr_norm(tf, x),
        [_f32(2, 2, 3)],
        ops=("Qr",),
        ref=_np_qr_norm,
        grad=True,
        **LIN,
    ),
    Case(
        "qr_square",
        lambda tf, x: _qr_norm(tf, x),
        [W3],
        ops=("Qr",),
        ref=_np_qr_norm,
        grad=True,
        **LIN,
    ),
    Case(
        "qr_full_matrices",
        lambda tf, x: (
            [t.shape.as_list() for t in tf.linalg.qr(x, full_matrices=True)]
            and tf.abs(tf.linalg.qr(x, full_matrices=True).r)
        ),
        [_f32(4, 2)],
        ops=("Qr",),
        ref=lambda x: np.abs(np.linalg.qr(x, mode="complete")[1]),
        **LIN,
    ),
    Case(
        "svd_tall",
        lambda tf, x: _svd_norm(tf, x),
        [_f32(4, 3)],
        ops=("Svd",),
        ref=_np_svd_norm,
        grad=True,
        **LIN,
    ),
    Case(
        "svd_wide_batch",
        lambda tf, x: _svd_norm(tf, x),
        [_f32(2, 2, 3)],
        ops=("Svd",),
        ref=_np_svd_norm,
        grad=True,
        **LIN,
    ),
    Case(
        "svd_square_grad2",
        lambda tf, x: _svd_norm(tf, x),
        [W3],
        ops=("Svd",),
        ref=_np_svd_norm,
        grad=True,
        grad2=True,
        **LIN,
    ),
    Case(
        "svd_full_matrices",
        lambda tf, x: _svd_norm(tf, x, full=True),
        [_f32(3, 2)],
        ops=("Svd",),
        ref=_np_svd_norm,
        grad=True,
        **LIN,
    ),
    Case(
        "svd_values_only",
        lambda tf, x: tf.linalg.svd(x, compute_uv=False),
        [_f32(2, 3, 2)],
        ops=("Svd",),
        ref=lambda x: np.linalg.svd(x, compute_uv=False),
        grad=True,
        grad2=True,
        **LIN,
    ),
    Case(
        "svd_complex_values",
        lambda tf, x: tf.linalg.svd(x, compute_uv=False),
        [CM],
        ops=("Svd", "Real"),
        ref=lambda x: np.linalg.svd(x, compute_uv=False),
        **LIN,
    ),
    Case(
        "eigh",
        lambda tf, x: _eigh_norm(tf, x),
        [S3],
        ops=("SelfAdjointEigV2",),
        ref=_np_eigh_norm,
        grad=True,
        grad2=True,
        **LIN,
    ),
    Case(
        "eigh_batch",
        lambda tf, x: _eigh_norm(tf, x),
        [_f32(2, 3, 3)],
        ops=("SelfAdjointEigV2",),
        ref=_np_eigh_norm,
        grad=True,
        **LIN,
    ),
    Case(
        "eigh_reads_lower",
        lambda tf, x: tf.linalg.eigvalsh(x),
        [np.array([[2.0, 100.0], [1.0, 3.0]], np.float32)],
        ops=("SelfAdjointEigV2",),
        ref=lambda x: np.linalg.eigvalsh(x),
        **LIN,
    ),
    Case(
        "eigvalsh",
        lambda tf, x: tf.linalg.eigvalsh(_sym(tf, x)),
        [_f32(2, 3, 3)],
        ops=("SelfAdjointEigV2",),
        ref=lambda x: np.linalg.eigvalsh((x + np.swapaxes(x, -1, -2)) / 2),
        grad=True,
        grad2=True,
        **LIN,
    ),
    Case(
        "eigh_invariants",
        lambda tf, x: [
            tf.reduce_sum(tf.linalg.eigh(_sym(tf, x))[0] * [1.0, 2.0, 3.0]),
            tf.linalg.trace(tf.linalg.eigh(_sym(tf, x))[1] ** 2),
        ],
        [S3],
        ops=("SelfAdjointEigV2",),
        grad=True,
        grad2=True,
        **LIN,
    ),
    # -- diagonals and bands ----------------------------------------------------------------
    Case(
        "diag_part",
        lambda tf, x: tf.linalg.diag_part(x),
        [M34],
        ops=("MatrixDiagPartV3",),
        ref=lambda x: _np_diag_part(x, 0),
        grad=True,
        grad2=True,
    ),
    Case(
        "diag_part_k",
        lambda tf, x: [tf.linalg.diag_part(x, k=1), tf.linalg.diag_part(x, k=-1)],
        [M34],
        ops=("MatrixDiagPartV3",),
        ref=lambda x: [_np_diag_part(x, 1), _np_diag_part(x, -1)],
        grad=True,
    ),
    Case(
        "diag_part_band_aligns",
        lambda tf, x: [
            tf.linalg.diag_part(x, k=(-1, 2), align=a, padding_value=9)
            for a in ("RIGHT_LEFT", "LEFT_RIGHT", "LEFT_LEFT", "RIGHT_RIGHT")
        ],
        [M34],
        ops=("MatrixDiagPartV3",),
        ref=lambda x: [
            np.array([[9, 3, 8], [2, 7, 12], [1, 6, 11], [5, 10, 9]]),
            np.array([[3, 8, 9], [2, 7, 12], [1, 6, 11], [9, 5, 10]]),
            np.array([[3, 8, 9], [2, 7, 12], [1, 6, 11], [5, 10, 9]]),
            np.array([[9, 3, 8], [2, 7, 12], [1, 6, 11], [9, 5, 10]]),
        ],
        grad=True,
    ),
    Case(
        "diag_part_tall_batch",
        lambda tf, x: tf.linalg.diag_part(x, k=(-2, 1)),
        [_f32(2, 4, 3)],
        ops=("MatrixDiagPartV3",),
        grad=True,
    ),
    Case(
        "diag",
        lambda tf, d: tf.linalg.diag(d),
        [_f32(2, 3)],
        ops=("MatrixDiagV3",),
        ref=lambda d: d[..., None] * np.eye(3),
        grad=True,
        grad2=True,
    ),
    Case(
        "diag_k_rows_cols",
        lambda tf, d: [
            tf.linalg.diag(d, k=1),
            tf.linalg.diag(d, k=-1, num_rows=4),
            tf.linalg.diag(d, num_cols=4),
        ],
        [np.array([1.0, 2.0], np.float32)],
        ops=("MatrixDiagV3",),
        ref=lambda d: [
            np.diag(d, 1),
            np.array([[0, 0], [1, 0], [0, 2], [0, 0]]),
            np.eye(2, 4) * np.array([1, 2, 0, 0]),
        ],
        grad=True,
    ),
    Case(
        "diag_band",
        lambda tf, d: [tf.linalg.diag(d, k=(0, 1)), tf.linalg.diag(d, k=(-1, 0), padding_value=7)],
        [np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], np.float32)],
        ops=("MatrixDiagV3",),
        ref=lambda d: [
            np.array([[4, 2, 0], [0, 5, 3], [0, 0, 6]]),
            np.array([[1, 7, 7], [4, 2, 7], [7, 5, 3]]),
        ],
        grad=True,
    ),
    Case(
        "diag_int",
        lambda tf, d: tf.linalg.diag(d, k=1),
        [np.array([1, 2], np.int32)],
        ops=("MatrixDiagV3",),
        ref=lambda d: np.diag(d, 1),
    ),
    Case(
        "set_diag",
        lambda tf, x, d: tf.linalg.set_diag(x, d),
        [M34, _f32(3)],
        ops=("MatrixSetDiagV3",),
        ref=lambda x, d: np.where(np.eye(3, 4, dtype=bool), np.pad(d, (0, 1))[None, :4], x),
        grad=True,
        grad2=True,
    ),
    Case(
        "set_diag_band",
        lambda tf, x, d: tf.linalg.set_diag(x, d, k=(0, 1)),
        [_f32(2, 3, 4), _f32(2, 2, 3)],
        ops=("MatrixSetDiagV3",),
        grad=True,
    ),
    Case(
        "band_part",
        lambda tf, x: [
            tf.linalg.band_part(x, 1, 0),
            tf.linalg.band_part(x, 0, -1),
            tf.linalg.band_part(x, -1, 1),
        ],
        [M34],
        ops=("MatrixBandPart",),
        ref=lambda x: [np.tril(np.triu(x, -1)), np.triu(x), np.tril(x, 1)],
        grad=True,
        grad2=True,
    ),
    Case(
        "band_part_int_tensor_bounds",
        lambda tf, x: tf.linalg.band_part(x, tf.constant(0, tf.int64), tf.constant(1, tf.int64)),
        [np.ones((2, 3, 3), np.int32)],
        ops=("MatrixBandPart",),
        ref=lambda x: np.triu(np.tril(x, 1)),
    ),
    Case(
        "tensor_diag",
        lambda tf, d: tf.linalg.tensor_diag(d),
        [_f32(2, 2)],
        ops=("Diag",),
        ref=lambda d: np.diag(d.ravel()).reshape(2, 2, 2, 2),
        grad=True,
    ),
    Case(
        "tensor_diag_part",
        lambda tf, x: tf.linalg.tensor_diag_part(x),
        [_f32(2, 3, 2, 3)],
        ops=("DiagPart",),
        ref=lambda x: np.diag(x.reshape(6, 6)).reshape(2, 3),
        grad=True,
    ),
    Case(
        "trace",
        lambda tf, x: tf.linalg.trace(x),
        [_f32(2, 3, 4)],
        ops=("MatrixDiagPartV3", "Sum"),
        ref=lambda x: np.trace(x, axis1=-2, axis2=-1),
        grad=True,
        grad2=True,
    ),
    Case(
        "trace_int",
        lambda tf, x: tf.linalg.trace(x),
        [np.arange(6, dtype=np.int32).reshape(2, 3)],
        ops=("MatrixDiagPartV3",),
        ref=lambda x: np.int32(4),
    ),
    # -- transposes, products ---------------------------------------------------------------
    Case(
        "matrix_transpose",
        lambda tf, x: tf.linalg.matrix_transpose(x),
        [_f32(2, 3, 4)],
        ops=("Transpose",),
        ref=lambda x: np.swapaxes(x, -1, -2),
        grad=True,
    ),
    Case(
        "adjoint_complex",
        lambda tf, x: [
            tf.linalg.adjoint(x),
            tf.linalg.matrix_transpose(x, conjugate=True),
            tf.linalg.matrix_transpose(x),
        ],
        [CA],
        ops=("Transpose", "Conj"),
        ref=lambda x: [_ah(x), _ah(x), np.swapaxes(x, -1, -2)],
    ),
    Case(
        "matvec",
        lambda tf, a, b: tf.linalg.matvec(a, b),
        [A23, _f32(3)],
        ops=("MatMul",),
        ref=lambda a, b: a @ b,
        grad=True,
        grad2=True,
    ),
    Case(
        "matvec_batch_transpose",
        lambda tf, a, b: tf.linalg.matvec(a, b, transpose_a=True),
        [B223, _f32(2, 2)],
        ops=("BatchMatMulV2",),
        ref=lambda a, b: np.einsum("bij,bi->bj", a, b),
        grad=True,
    ),
    Case(
        "cross",
        lambda tf, a, b: tf.linalg.cross(a, b),
        [V3A, V3B],
        ops=("Cross",),
        ref=np.cross,
        grad=True,
        grad2=True,
    ),
    Case(
        "cross_int",
        lambda tf, a, b: tf.linalg.cross(a, b),
        [np.array([1, 0, 0], np.int32), np.array([0, 1, 0], np.int32)],
        ops=("Cross",),
        ref=np.cross,
    ),
    Case(
        "tensordot_int_axes",
        lambda tf, a, b: tf.tensordot(a, b, 1),
        [B234, _f32(4, 2)],
        ops=("MatMul",),
        ref=lambda a, b: np.tensordot(a, b, 1),
        grad=True,
        grad2=True,
    ),
    Case(
        "tensordot_pairs",
        lambda tf, a, b: tf.tensordot(a, b, [[1, 2], [1, 0]]),
        [B234, _f32(4, 3)],
        ref=lambda a, b: np.tensordot(a, b, [[1, 2], [1, 0]]),
        grad=True,
    ),
    Case(
        "tensordot_outer_and_neg",
        lambda tf, a, b: [tf.tensordot(a, b, 0), tf.linalg.tensordot(a, b, [[-1], [0]])],
        [_f32(2, 3), _f32(3, 2)],
        ref=lambda a, b: [np.tensordot(a, b, 0), a @ b],
        grad=True,
    ),
    Case(
        "tensordot_int",
        lambda tf, a, b: tf.tensordot(a, b, [0, 0]),
        [np.arange(6, dtype=np.int32).reshape(3, 2), np.arange(3, dtype=np.int32)],
        ref=lambda a, b: np.tensordot(a, b, [0, 0]),
    ),
    Case(
        "einsum_matmul",
        lambda tf, a, b: tf.einsum("ij,jk->ik", a, b),
        [A23, A34],
        ops=("MatMul",),
        ref=lambda a, b: a @ b,
        grad=True,
        grad2=True,
    ),
    Case(
        "einsum_batch",
        lambda tf, a, b: tf.einsum("bij,bjk->bik", a, b),
        [B223, B234],
        ops=("BatchMatMulV2",),
        ref=np.matmul,
        grad=True,
    ),
    Case(
        "einsum_trace_diag",
        lambda tf, x: [
            tf.einsum("ii", x),
            tf.einsum("ii->i", x),
            tf.einsum("iij->ij", tf.stack([x, x], -1)),
        ],
        [S3],
        ops=("MatrixDiagPartV3",),
        ref=lambda x: [np.trace(x), np.diag(x), np.einsum("iij->ij", np.stack([x, x], -1))],
        grad=True,
        grad2=True,
    ),
    Case(
        "einsum_ellipsis_broadcast",
        lambda tf, a, b: tf.einsum("...ij,...jk->...ik", a, b),
        [_f32(2, 1, 2, 3), _f32(3, 3, 4)],
        ref=lambda a, b: np.einsum("...ij,...jk->...ik", a, b),
        grad=True,
    ),
    Case(
        "einsum_three_operands",
        lambda tf, a, b, c: tf.einsum("bi,ij,bj->b", a, b, c),
        [A23, A34, _f32(2, 4)],
        ref=lambda a, b, c: np.einsum("bi,ij,bj->b", a, b, c),
        grad=True,
        grad2=True,
    ),
    Case(
        "einsum_elementwise_outer",
        lambda tf, a, b: [
            tf.einsum("ij,ij->ij", a, b),
            tf.einsum("i,j->ij", a[0], b[1]),
            tf.einsum("ij,kj->ikj", a, b),
        ],
        [A23, _f32(2, 3)],
        ref=lambda a, b: [a * b, np.outer(a[0], b[1]), np.einsum("ij,kj->ikj", a, b)],
        grad=True,
    ),
    Case(
        "einsum_transpose_sum_implicit",
        lambda tf, x: [
            tf.einsum("ijk->kji", x),
            tf.einsum("ijk->", x),
            tf.einsum("ijk->j", x),
            tf.einsum("kij", x),
            tf.einsum("...ba", x),
        ],
        [B234],
        ref=lambda x: [
            np.einsum("ijk->kji", x),
            np.sum(x),
            np.einsum("ijk->j", x),
            np.einsum("kij", x),
            np.einsum("...ba", x),
        ],
        grad=True,
    ),
    Case(
        "einsum_spaces_uppercase",
        lambda tf, a, b: tf.einsum("Ab , bC -> AC", a, b),
        [A23, A34],
        ref=lambda a, b: a @ b,
    ),
    Case(
        "einsum_contract_private",
        lambda tf, a, b: tf.einsum("ijx,jk->ik", a, b),
        [_f32(2, 3, 2), A34],
        ref=lambda a, b: np.einsum("ijx,jk->ik", a, b),
        grad=True,
    ),
    Case(
        "einsum_int",
        lambda tf, a, b: tf.einsum("ij,jk->ik", a, b),
        [np.ones((2, 3), np.int32), np.ones((3, 4), np.int32)],
        ref=lambda a, b: a @ b,
    ),
    # -- norms ------------------------------------------------------------------------------
    Case(
        "norm_euclidean",
        lambda tf, x: [
            tf.norm(x),
            tf.norm(x, keepdims=True),
            tf.norm(x, axis=0),
            tf.norm(x, axis=-1, keepdims=True),
        ],
        [A23],
        ref=lambda x: [
            np.linalg.norm(x),
            np.linalg.norm(x).reshape(1, 1),
            np.linalg.norm(x, axis=0),
            np.linalg.norm(x, axis=-1, keepdims=True),
        ],
        grad=True,
        grad2=True,
    ),
    Case(
        "norm_vector_orders",
        lambda tf, x: [
            tf.norm(x, ord=1, axis=1),
            tf.norm(x, ord=np.inf, axis=1),
            tf.norm(x, ord=3, axis=1),
            tf.norm(x, ord=0.5, axis=0),
            tf.norm(x, ord=2, axis=1),
        ],
        [A23],
        ref=lambda x: [
            np.linalg.norm(x, 1, axis=1),
            np.linalg.norm(x, np.inf, axis=1),
            np.linalg.norm(x, 3, axis=1),
            np.sum(np.abs(x) ** 0.5, axis=0) ** 2,
            np.linalg.norm(x, 2, axis=1),
        ],
        grad=True,
    ),
    Case(
        "norm_matrix_orders",
        lambda tf, x: [
            tf.norm(x, ord="fro", axis=[0, 1]),
            tf.norm(x, ord=1, axis=[0, 1]),
            tf.norm(x, ord=1, axis=[-1, -2]),
            tf.norm(x, ord=np.inf, axis=(0, 1)),
            tf.linalg.norm(x, ord=2, axis=(0, 1), keepdims=True),
        ],
        [A34],
        ops=("Svd",),
        ref=lambda x: [
            np.linalg.norm(x, "fro"),
            np.linalg.norm(x, 1),
            np.linalg.norm(x.T, 1),
            np.linalg.norm(x, np.inf),
            np.linalg.norm(x, 2).reshape(1, 1),
        ],
        grad=True,
        **LIN,
    ),
    Case(
        "norm_matrix_2_batched_axes",
        lambda tf, x: tf.norm(x, ord=2, axis=(0, 2)),
        [B234],
        ops=("Svd",),
        ref=lambda x: np.array([np.linalg.norm(x[:, j, :], 2) for j in range(3)]),
        grad=True,
        **LIN,
    ),
    Case(
        "norm_complex",
        lambda tf, z: [tf.norm(z), tf.norm(z, ord=1)],
        [CM],
        ref=lambda z: [np.complex64(np.linalg.norm(z)), np.sum(np.abs(z))],
    ),
    Case(
        "normalize",
        lambda tf, x: list(tf.linalg.normalize(x, axis=1)),
        [A23],
        ref=lambda x: [
            x / np.linalg.norm(x, axis=1, keepdims=True),
            np.linalg.norm(x, axis=1, keepdims=True),
        ],
        grad=True,
    ),
    Case(
        "global_norm",
        lambda tf, a, b: tf.linalg.global_norm([a, None, b]),
        [A23, _f32(4)],
        ref=lambda a, b: np.sqrt(np.sum(a * a) + np.sum(b * b)),
        grad=True,
        grad2=True,
    ),
    Case(
        "global_norm_empty", lambda tf: tf.linalg.global_norm([]), [], ref=lambda: np.float32(0.0)
    ),
    # -- complex ----------------------------------------------------------------------------
    Case(
        "complex_parts",
        lambda tf, re, im: [
            tf.math.real(tf.complex(re, im) * tf.complex(im, re)),
            tf.math.imag(tf.complex(re, im) * tf.complex(im, re)),
            tf.math.angle(tf.complex(re, im)),
        ],
        [RE, IM],
        ops=("Complex", "Real", "Imag", "Angle"),
        ref=lambda re, im: [
            np.real((re + 1j * im) * (im + 1j * re)),
            np.imag((re + 1j * im) * (im + 1j * re)),
            np.angle(re + 1j * im),
        ],
        grad=True,
        grad2=True,
    ),
    Case(
        "complex_abs",
        lambda tf, re, im: tf.abs(tf.complex(re, im)),
        [RE, IM],
        ops=("Complex", "ComplexAbs"),
        ref=lambda re, im: np.abs(re + 1j * im),
        grad=True,
    ),
    Case(
        "complex_broadcast_float64",
        lambda tf, re, im: tf.complex(re, im),
        [RE.astype(np.float64), np.float64(3.0)],
        ops=("Complex",),
        ref=lambda re, im: re + 3j,
    ),
    Case(
        "complex_python_floats",
        lambda tf: tf.complex([1.0, 2.0], 3.0),
        [],
        ops=("Complex",),
        ref=lambda: np.array([1 + 3j, 2 + 3j], np.complex64),
    ),
    Case(
        "complex_of_complex",
        lambda tf, z: [tf.math.real(z), tf.math.imag(z), tf.math.angle(z)],
        [CA],
        ops=("Real", "Imag", "Angle"),
        ref=lambda z: [np.real(z), np.imag(z), np.angle(z)],
    ),
    Case(
        "real_imag_angle_of_reals",
        lambda tf, x: [tf.math.real(x), tf.math.imag(x), tf.math.angle(x)],
        [np.array([1.5, -2.0, 0.7], np.float32)],
        ref=lambda x: [x, np.zeros(3), np.array([0.0, np.pi, 0.0])],
        grad=True,
    ),
    # -- bitwise ----------------------------------------------------------------------------
    Case(
        "bitwise_and_or_xor",
        lambda tf, a, b: [
            tf.bitwise.bitwise_and(a, b),
            tf.bitwise.bitwise_or(a, b),
            tf.bitwise.bitwise_xor(a, b),
            tf.bitwise.bitwise_and(a, 6),
        ],
        [IA, IB],
        ops=("BitwiseAnd", "BitwiseOr", "BitwiseXor"),
        ref=lambda a, b: [a & b, a | b, a ^ b, a & 6],
    ),
    Case(
        "bitwise_operators",
        lambda tf, a, b: [a & b, a | b, a ^ b, ~a],
        [IA, IB],
        ops=("BitwiseAnd", "BitwiseOr", "BitwiseXor", "Invert"),
        ref=lambda a, b: [a & b, a | b, a ^ b, ~a],
    ),
    Case(
        "bitwise_uint8",
        lambda tf, a: [tf.bitwise.invert(a), tf.bitwise.bitwise_or(a, a // 2)],
        [np.array([0, 5, 255, 128], np.uint8)],
        ops=("Invert", "BitwiseOr"),
        ref=lambda a: [~a, a | (a // 2)],
    ),
    Case(
        "shifts",
        lambda tf, a, b: [tf.bitwise.left_shift(a, b), tf.bitwise.right_shift(a, b)],
        [I8A, I8B],
        ops=("LeftShift", "RightShift"),
        ref=lambda a, b: [(a.astype(np.int64) << b).astype(np.int8), a >> b],
    ),
    Case(
        "shifts_out_of_range_clamp",
        lambda tf, a, b: [tf.bitwise.left_shift(a, b), tf.bitwise.right_shift(a, b)],
        [np.array([5, -3, 127, 1], np.int8), np.array([8, 9, -1, 7], np.int8)],
        ops=("LeftShift", "RightShift"),
        ref=lambda a, b: [
            np.array([-128, -128, 127, -128], np.int8),
            np.array([0, -1, 127, 0], np.int8),
        ],
    ),
    Case(
        "shifts_wide",
        lambda tf, a, b: [tf.bitwise.left_shift(a, b), tf.bitwise.right_shift(a, b)],
        [np.array([1, -1, -8, 8], np.int64), np.array([63, 70, 2, 2], np.int64)],
        ops=("LeftShift", "RightShift"),
        ref=lambda a, b: [
            np.array([np.iinfo(np.int64).min, np.iinfo(np.int64).min, -32, 32]),
            np.array([0, -1, -2, 2]),
        ],
    ),
    Case(
        "shifts_unsigned",
        lambda tf, a, b: [tf.bitwise.left_shift(a, b), tf.bitwise.right_shift(a, b)],
        [np.array([255, 128, 3], np.uint16), np.array([9, 1, 20], np.uint16)],
        ops=("LeftShift", "RightShift"),
        ref=lambda a, b: [
            np.array([(255 << 9) & 0xFFFF, 256, (3 << 15) & 0xFFFF], np.uint16),
            np.array([0, 64, 0], np.uint16),
        ],
    ),
]
