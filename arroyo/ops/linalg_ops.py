"""Linear algebra: batched matmul, decompositions and solves, diagonals, norms, einsum.

Primitives (`defop`, with TF's raw-op names and attrs): BatchMatMulV2, MatrixInverse,
MatrixDeterminant, LogMatrixDeterminant, MatrixSolve, MatrixTriangularSolve, MatrixSolveLs,
Cholesky, Qr, Svd, SelfAdjointEigV2, MatrixDiagV3, MatrixDiagPartV3, MatrixSetDiagV3,
MatrixBandPart, Diag, DiagPart and Cross. Kernels are NumPy's LAPACK-backed routines (half
precision is computed in float32). Gradients are the standard matrix-calculus results
(Giles 2008; Murray 2016 for Cholesky; Townsend 2016 for SVD), the same formulas TF uses,
written with public arroyo ops so they differentiate again.

tensordot, einsum, norm, trace, pinv, logdet, global_norm and the rest are compositions.
"""

from __future__ import annotations

import collections
import collections.abc
import functools

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.context import state
from arroyo.framework.errors import FailedPreconditionError, InvalidArgumentError
from arroyo.framework.op_registry import check_same_dtype, defop, dtype_name, execute
from arroyo.framework.tensor import EagerTensor, convert_to_tensor
from arroyo.framework.tensor_shape import TensorShape
from arroyo.ops import _infer, array_ops, math_ops, reduction_ops, unary_ops
from arroyo.ops._helpers import (
    int_tensor,
    is_tensorlike,
    same_dtype_operands,
    static_value,
    to_tensor,
)

_d = dtypes
# Allowed dtypes, in the order TF lists them in its messages.
_LINALG_T = (_d.float64, _d.float32, _d.float16, _d.complex64, _d.complex128)
_DET_T = (_d.float16, _d.float32, _d.float64, _d.complex64, _d.complex128)
_TRISOLVE_T = (_d.bfloat16,) + _LINALG_T
_TENSOR_DIAG_T = (_d.bfloat16, _d.float16, _d.float32, _d.float64, _d.int32, _d.int64,
                  _d.complex64, _d.complex128)  # fmt: skip
_MATMUL_T = (_d.bfloat16, _d.float16, _d.float32, _d.float64, _d.int32, _d.int64, _d.uint8,
             _d.uint16, _d.uint32, _d.uint64, _d.complex64, _d.complex128)  # fmt: skip
_BMM_T = (_d.bfloat16, _d.float16, _d.float32, _d.float64, _d.int16, _d.int32, _d.int64,
          _d.uint8, _d.uint16, _d.uint32, _d.uint64, _d.complex64, _d.complex128)  # fmt: skip
_CROSS_T = (_d.float32, _d.float64, _d.int32, _d.uint8, _d.int16, _d.int8, _d.int64,
            _d.bfloat16, _d.uint16, _d.float16, _d.uint32, _d.uint64)  # fmt: skip
_EINSUM_T = (_d.bfloat16, _d.float16, _d.float32, _d.float64, _d.int32, _d.int64,
             _d.complex64, _d.complex128)  # fmt: skip
_ALIGNS = ("LEFT_RIGHT", "RIGHT_LEFT", "LEFT_LEFT", "RIGHT_RIGHT")


# -- shared helpers --------------------------------------------------------------------------


def _error(op_name, message, cls=InvalidArgumentError):
    return cls(None, None, f"{message} [Op:{op_name}]")


def _check_t(op_name, t, allowed):
    if t.dtype not in allowed:
        names = ", ".join(dtype_name(d) for d in allowed)
        raise _error(
            op_name,
            f"Value for attr 'T' of {dtype_name(t.dtype)} is not in the list of allowed values: "
            f"{names}\n\t; NodeDef: {{{{node {op_name}}}}}; Op<name={op_name}>",
        )


def _shape_str(shape):
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


_LAPACK_NP = frozenset(np.dtype(t) for t in (np.float32, np.float64, np.complex64, np.complex128))


def _lapack(x):
    """`x` in a dtype NumPy's linalg handles (half precision is computed in float32)."""
    return x if x.dtype in _LAPACK_NP else x.astype(np.float32)


def _ah(x):
    """Adjoint (conjugate transpose) of the last two axes of a NumPy array."""
    x = np.swapaxes(x, -1, -2)
    return np.conj(x) if x.dtype.kind == "c" else x


def _check_matrix(op_name, x, square=True):
    if x.ndim < 2:
        raise _error(op_name, f"Input tensor 0 must have rank >= 2, got {x.ndim}")
    if square and x.shape[-1] != x.shape[-2]:
        raise _error(op_name, "Input matrix must be square.")


def _dims(shape: TensorShape):
    return None if shape.rank is None else shape.as_list()


# Public-op shorthands used by the gradients (so they are themselves differentiable).
def _mm(a, b, adjoint_a=False, adjoint_b=False):
    return math_ops.matmul(a, b, adjoint_a=adjoint_a, adjoint_b=adjoint_b)


def _expand2(x):
    return array_ops.expand_dims(array_ops.expand_dims(x, -1), -1)


def _safe_reciprocal(x, eps=1e-20):
    return math_ops.multiply(x, unary_ops.reciprocal(math_ops.add(math_ops.multiply(x, x), eps)))


# -- matmul beyond the 2-D fast path ---------------------------------------------------------


def _bmm_kernel(x, y, adj_x=False, adj_y=False, grad_x=False, grad_y=False):
    for i, v in enumerate((x, y)):
        if v.ndim < 2:
            raise _error("BatchMatMulV2", f"In[{i}] ndims must be >= 2: {v.ndim}")
    try:
        if x.shape[:-2] != y.shape[:-2]:
            np.broadcast_shapes(x.shape[:-2], y.shape[:-2])
    except ValueError:
        raise _error(
            "BatchMatMulV2",
            f"In[0] and In[1] must have compatible batch dimensions: {_shape_str(x.shape)} vs. "
            f"{_shape_str(y.shape)}",
        ) from None
    kx = x.shape[-2] if adj_x else x.shape[-1]
    ky = y.shape[-1] if adj_y else y.shape[-2]
    if kx != ky:
        # TF's oneDNN kernel (float32, bfloat16) appends the adjoint flags; Eigen's does not.
        flags = f" {int(adj_x)} {int(adj_y)}" if _onednn(x.dtype) else ""
        raise _error(
            "BatchMatMulV2",
            f"Matrix size-incompatible: In[0]: {_shape_str(x.shape)}, In[1]: {_shape_str(y.shape)}{flags}",
        )
    if adj_x:
        x = _ah(x)
    if adj_y:
        y = _ah(y)
    if x.dtype.kind not in "fciu" or x.dtype.itemsize < 4 and x.dtype.kind == "f":
        return np.matmul(x.astype(np.float32), y.astype(np.float32)).astype(x.dtype)
    return np.matmul(x, y)


def _onednn(np_dtype):
    """Whether TF's CPU build runs this dtype's matmul on oneDNN (its error texts differ)."""
    return np_dtype == np.float32 or np_dtype.name == "bfloat16"


def _matmul_rank_error(a, b, ra, rb):
    """TF's eager error for a MatMul operand that is not a matrix (texts differ by kernel)."""
    if a.dtype in (dtypes.float32, dtypes.bfloat16):  # oneDNN's kernel
        return _error("MatMul", f"In[{0 if ra < 2 else 1}] ndims must be >= 2")
    if ra != rb:
        return _error("MatMul", f"In[0] and In[1] has different ndims: {_shape_str(a.shape.as_list())} vs. "
                                f"{_shape_str(b.shape.as_list())}")  # fmt: skip
    return _error("MatMul", f"In[0] and In[1] ndims must be == 2: {ra}")


def _bmm_infer(inputs, attrs):
    x, y = inputs[0].shape, inputs[1].shape
    dt = inputs[0].dtype
    if x.rank is None or y.rank is None:
        return [(dt, TensorShape(None))]
    for i, s in enumerate((x, y)):
        if s.rank < 2:
            raise ValueError(f"Shape must be at least rank 2 but is rank {s.rank} for input {i} of "
                             f"'BatchMatMulV2' with input shapes: {x}, {y}.")  # fmt: skip
    batch = _infer.broadcast_shapes(x[:-2], y[:-2], "BatchMatMulV2")
    m = x[-1] if attrs.get("adj_x") else x[-2]
    n = y[-2] if attrs.get("adj_y") else y[-1]
    return [(dt, batch.concatenate([m, n]))]


def _bmm_grad(op, g):
    x, y = op.inputs
    ax, ay = op.get_attr("adj_x"), op.get_attr("adj_y")
    if not ax and not ay:
        return _mm(g, y, adjoint_b=True), _mm(x, g, adjoint_a=True)
    if not ax and ay:
        return _mm(g, y), _mm(g, x, adjoint_a=True)
    if ax and not ay:
        return _mm(y, g, adjoint_b=True), _mm(x, g)
    return _mm(y, g, adjoint_a=True, adjoint_b=True), _mm(g, x, adjoint_a=True, adjoint_b=True)


_BMM = defop("BatchMatMulV2", ("x", "y"), _bmm_kernel,
             attrs={"adj_x": False, "adj_y": False, "grad_x": False, "grad_y": False},
             infer=_bmm_infer, grad=_bmm_grad)  # fmt: skip
_BMM_FLAGS = {(a, b): {"adj_x": a, "adj_y": b} for a in (False, True) for b in (False, True)}


def _matmul_operands(a, b):
    """TF's conversion for matmul: `a` first, then `b` with `a`'s dtype as a hint."""
    if not is_tensorlike(a) and is_tensorlike(b):
        b = to_tensor(b)
        a = convert_to_tensor(a, dtype_hint=b.dtype)
    else:
        a = to_tensor(a)
        b = to_tensor(b) if is_tensorlike(b) else convert_to_tensor(b, dtype_hint=a.dtype)
    return a, b


def matmul_general(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
                   name=None, output_type=None):  # fmt: skip
    """`tf.matmul` for everything but two eager 2-D tensors of one dtype.

    Rank-2 operands use MatMul (adjoints become conj + transpose); anything of higher rank
    uses BatchMatMulV2, which broadcasts the batch dimensions.

    >>> tf.matmul(tf.ones([5, 2, 3]), tf.ones([3, 4])).shape
    TensorShape([5, 2, 4])
    """
    for t, adj, which in ((transpose_a, adjoint_a, "a"), (transpose_b, adjoint_b, "b")):
        if t and adj:
            raise ValueError(
                f"Only one of `transpose_{which}` and `adjoint_{which}` can be True. Received "
                f"`transpose_{which}`={t}, `adjoint_{which}`={adj}."
            )
    a, b = _matmul_operands(a, b)
    if output_type is not None and dtypes.as_dtype(output_type) is not a.dtype:
        output_type = dtypes.as_dtype(output_type)
        a, b = math_ops.cast(a, output_type), math_ops.cast(b, output_type)
    ra, rb = a.shape.rank, b.shape.rank
    if ra is not None and rb is not None and ra <= 2 and rb <= 2:
        check_same_dtype("MatMul", (a, b))
        if ra < 2 or rb < 2:
            if isinstance(a, EagerTensor) and isinstance(b, EagerTensor):
                raise _matmul_rank_error(a, b, ra, rb)
            raise ValueError(f"Shape must be rank 2 but is rank {min(ra, rb)} for '{{{{node MatMul}}}} = "
                             f"MatMul' with input shapes: {a.shape}, {b.shape}.")  # fmt: skip
        _check_t("MatMul", a, _MATMUL_T)
        if adjoint_a:
            a, transpose_a = math_ops.conj(a), True
        if adjoint_b:
            b, transpose_b = math_ops.conj(b), True
        attrs = {"transpose_a": bool(transpose_a), "transpose_b": bool(transpose_b)}
        return execute(math_ops._MATMUL, (a, b), attrs, name)
    check_same_dtype("BatchMatMulV2", (a, b))
    _check_t("BatchMatMulV2", a, _BMM_T)
    if transpose_a:
        a, adjoint_a = math_ops.conj(a), True
    if transpose_b:
        b, adjoint_b = math_ops.conj(b), True
    return execute(_BMM, (a, b), _BMM_FLAGS[bool(adjoint_a), bool(adjoint_b)], name)


# -- inverse, determinants, solves --------------------------------------------------------------


def _inv_kernel(input, adjoint=False):  # noqa: A002 - TF's input name
    _check_matrix("MatrixInverse", input)
    x = _lapack(input)
    if adjoint:
        x = _ah(x)
    try:
        out = np.linalg.inv(x)
    except np.linalg.LinAlgError:
        raise _error("MatrixInverse", "Input is not invertible.") from None
    return out.astype(input.dtype, copy=False)


def _inv_grad(op, g):
    y = op.outputs[0]
    if op.get_attr("adjoint"):  # Y = A^-H: dA = -Y G^H Y
        return math_ops.negative(_mm(y, _mm(g, y, adjoint_a=True)))
    return math_ops.negative(_mm(y, _mm(g, y, adjoint_b=True), adjoint_a=True))  # -Y^H G Y^H


def _square_infer(inputs, attrs):
    x = inputs[0]
    return [(x.dtype, x.shape)]


def _batch_of(shape: TensorShape):
    return TensorShape(None) if shape.rank is None else shape[:-2]


_INV = defop("MatrixInverse", ("input",), _inv_kernel, attrs={"adjoint": False},
             infer=_square_infer, grad=_inv_grad)  # fmt: skip


def _det_kernel(input):  # noqa: A002
    _check_matrix("MatrixDeterminant", input)
    return np.asarray(np.linalg.det(_lapack(input))).astype(input.dtype)[()]


def _det_grad(op, g):
    # d det(A) / dA = det(A) A^-T, conjugated under TF's complex convention.
    return math_ops.multiply(
        _expand2(math_ops.multiply(g, op.outputs[0])), inv(op.inputs[0], adjoint=True)
    )


_DET = defop("MatrixDeterminant", ("input",), _det_kernel,
             infer=lambda inputs, attrs: [(inputs[0].dtype, _batch_of(inputs[0].shape))],
             grad=_det_grad)  # fmt: skip


def _slogdet_kernel(input):  # noqa: A002
    _check_matrix("LogMatrixDeterminant", input)
    sign, logdet = np.linalg.slogdet(_lapack(input))
    dt = input.dtype
    return [np.asarray(sign).astype(dt)[()], np.asarray(logdet).astype(dt)[()]]


def _slogdet_grad(op, g_sign, g_logdet):
    return math_ops.multiply(_expand2(g_logdet), inv(op.inputs[0], adjoint=True))


_SLOGDET = defop("LogMatrixDeterminant", ("input",), _slogdet_kernel, num_outputs=2,
                 infer=lambda inputs, attrs: [(inputs[0].dtype, _batch_of(inputs[0].shape))] * 2,
                 grad=_slogdet_grad)  # fmt: skip


def _solve_kernel(matrix, rhs, adjoint=False):
    op = "MatrixSolve"
    if matrix.ndim < 2:
        raise _error(op, f"Input tensor 0 must have rank >= 2, got {matrix.ndim}")
    if matrix.ndim != rhs.ndim:
        raise _error(op, "All input tensors must have the same rank.")
    if matrix.shape[:-2] != rhs.shape[:-2]:
        raise _error(op, "All input tensors must have the same outer dimensions.")
    if matrix.shape[-1] != matrix.shape[-2]:
        raise _error(op, "First input (lhs) must be a square matrix.")
    if matrix.shape[-1] != rhs.shape[-2]:
        raise _error(op, "Input matrix and rhs are incompatible.")
    a = _lapack(matrix)
    if adjoint:
        a = _ah(a)
    if rhs.size == 0 or a.size == 0:
        return np.zeros(rhs.shape, matrix.dtype)
    try:
        out = np.linalg.solve(a, _lapack(rhs))
    except np.linalg.LinAlgError:
        raise _error(op, "Input matrix is not invertible.") from None
    return out.astype(matrix.dtype, copy=False)


def _solve_grad(op, g):
    a = op.inputs[0]
    adj = op.get_attr("adjoint")
    c = op.outputs[0]
    gb = solve(a, g, adjoint=not adj)
    ga = _mm(c, gb, adjoint_b=True) if adj else _mm(gb, c, adjoint_b=True)
    return math_ops.negative(ga), gb


_SOLVE = defop("MatrixSolve", ("matrix", "rhs"), _solve_kernel, attrs={"adjoint": False},
               infer=lambda inputs, attrs: [(inputs[0].dtype, inputs[1].shape)], grad=_solve_grad)  # fmt: skip


def _substitute(t, b, lower):
    """Triangular solve by substitution (only used when a diagonal entry is exactly zero:
    NumPy's solver refuses, TF returns the infs and nans substitution gives)."""
    shape = np.broadcast_shapes(t.shape[:-2], b.shape[:-2])
    t = np.broadcast_to(t, shape + t.shape[-2:])
    b = np.broadcast_to(b, shape + b.shape[-2:])
    n = t.shape[-1]
    x = np.zeros(b.shape, np.result_type(t, b))
    with np.errstate(all="ignore"):
        for i in range(n) if lower else range(n - 1, -1, -1):
            known = np.einsum("...j,...jk->...k", t[..., i, :], x)
            x[..., i, :] = (b[..., i, :] - known) / t[..., i, i][..., None]
    return x


def _trisolve_kernel(matrix, rhs, lower=True, adjoint=False):
    op = "MatrixTriangularSolve"
    for i, v in enumerate((matrix, rhs)):
        if v.ndim < 2:
            raise _error(op, f"In[{i}] ndims must be >= 2: {v.ndim}")
    if matrix.shape[-1] != matrix.shape[-2]:
        raise _error(op, f"In[0] matrices in the last dimensions must be square "
                         f"({matrix.shape[-1]} =/= {matrix.shape[-2]})")  # fmt: skip
    same_batch = matrix.shape[:-2] == rhs.shape[:-2]
    try:
        out_batch = (
            matrix.shape[:-2]
            if same_batch
            else np.broadcast_shapes(matrix.shape[:-2], rhs.shape[:-2])
        )
    except ValueError:
        raise _error(op, f"In[0] and In[1] must have compatible batch dimensions: "
                         f"{_shape_str(matrix.shape)} vs. {_shape_str(rhs.shape)}") from None  # fmt: skip
    if matrix.shape[-1] != rhs.shape[-2]:
        raise _error(op, f"In[0] mismatch In[1] shape: {matrix.shape[-1]} vs. {rhs.shape[-2]}: "
                         f"{_shape_str(matrix.shape)} {_shape_str(rhs.shape)} {int(lower)} {int(adjoint)}")  # fmt: skip
    n = matrix.shape[-1]
    out_shape = tuple(out_batch) + rhs.shape[-2:]
    if 0 in out_shape or n == 0:
        return np.zeros(out_shape, matrix.dtype)
    a = _lapack(matrix)
    t = np.where(_triangle(n, bool(lower)), a, np.zeros((), a.dtype))
    if adjoint:
        t = _ah(t)
    b = _lapack(rhs)
    try:
        out = np.linalg.solve(t, b)
    except np.linalg.LinAlgError:
        out = _substitute(t, b, lower != bool(adjoint))
    if out.shape != out_shape:
        out = np.broadcast_to(out, out_shape)
    return out.astype(matrix.dtype, copy=False)


@functools.lru_cache(maxsize=64)
def _triangle(n, lower):
    i = np.arange(n)
    return i[:, None] >= i[None, :] if lower else i[:, None] <= i[None, :]


def _trisolve_infer(inputs, attrs):
    m, r = inputs[0].shape, inputs[1].shape
    if m.rank is None or r.rank is None:
        return [(inputs[0].dtype, TensorShape(None))]
    batch = _infer.broadcast_shapes(m[:-2], r[:-2], "MatrixTriangularSolve")
    return [(inputs[0].dtype, batch.concatenate(r[-2:]))]


def _trisolve_grad(op, g):
    a = op.inputs[0]
    adj, lower = op.get_attr("adjoint"), op.get_attr("lower")
    c = op.outputs[0]
    gb = triangular_solve(a, g, lower=lower, adjoint=not adj)
    ga = _mm(c, gb, adjoint_b=True) if adj else _mm(gb, c, adjoint_b=True)
    ga = (
        band_part(math_ops.negative(ga), -1, 0)
        if lower
        else band_part(math_ops.negative(ga), 0, -1)
    )
    return ga, gb


_TRISOLVE = defop("MatrixTriangularSolve", ("matrix", "rhs"), _trisolve_kernel,
                  attrs={"lower": True, "adjoint": False}, infer=_trisolve_infer,
                  grad=_trisolve_grad)  # fmt: skip


def _gram_solve(gram, rhs):
    """(gram)^-1 rhs for Hermitian positive definite `gram`; NaN where Cholesky fails, as TF."""
    try:
        np.linalg.cholesky(gram)
        return np.linalg.solve(gram, rhs)
    except np.linalg.LinAlgError:
        return np.full(np.broadcast_shapes(gram.shape[:-2], rhs.shape[:-2]) + rhs.shape[-2:], np.nan,
                       np.result_type(gram, rhs))  # fmt: skip


def _solve_ls_kernel(matrix, rhs, l2_regularizer, fast=True):
    op = "MatrixSolveLs"
    if matrix.ndim < 2:
        raise _error(op, f"Input tensor 0 must have rank >= 2, got {matrix.ndim}")
    if matrix.ndim != rhs.ndim:
        raise _error(op, "All input tensors must have the same rank.")
    if matrix.shape[:-2] != rhs.shape[:-2]:
        raise _error(op, "All input tensors must have the same outer dimensions.")
    if matrix.shape[-2] != rhs.shape[-2]:
        raise _error(op, "Input matrix and rhs are incompatible.")
    a, b = _lapack(matrix), _lapack(rhs)
    m, n = a.shape[-2:]
    out_shape = a.shape[:-2] + (n, b.shape[-1])
    if 0 in out_shape or m == 0:
        return np.zeros(out_shape, matrix.dtype)
    lam = float(l2_regularizer)
    ah = _ah(a)
    if not fast:  # minimum-norm least squares; TF ignores the regularizer here
        out = np.linalg.pinv(a) @ b
    elif m >= n:
        out = _gram_solve(ah @ a + lam * np.eye(n, dtype=a.dtype), ah @ b)
    else:
        out = ah @ _gram_solve(a @ ah + lam * np.eye(m, dtype=a.dtype), b)
    return out.astype(matrix.dtype, copy=False)


def _solve_ls_infer(inputs, attrs):
    m, r = inputs[0].shape, inputs[1].shape
    if m.rank is None or r.rank is None:
        return [(inputs[0].dtype, TensorShape(None))]
    return [(inputs[0].dtype, m[:-2].concatenate([m[-1], r[-1]]))]


def _solve_ls_grad(op, g):
    if not op.get_attr("fast"):
        raise ValueError("Gradient not defined for fast=False")
    a, b, lam = op.inputs
    x = op.outputs[0]
    lam = math_ops.cast(lam, a.dtype)
    m, n = a.shape[-2], a.shape[-1]
    if m is not None and n is not None and m >= n:
        # x = (A^H A + l I)^-1 A^H b
        chol = cholesky(_regularized_gram(a, lam, True))
        z = cholesky_solve(chol, g)
        xz = _mm(x, z, adjoint_b=True)
        sym = math_ops.add(xz, matrix_transpose(xz))
        ga = math_ops.add(math_ops.negative(_mm(a, sym)), _mm(b, z, adjoint_b=True))
        return ga, _mm(a, z), None
    # x = A^H (A A^H + l I)^-1 b
    chol = cholesky(_regularized_gram(a, lam, False))
    gb = cholesky_solve(chol, _mm(a, g))
    tmp = cholesky_solve(chol, b)
    a1 = math_ops.negative(_mm(gb, _mm(tmp, a, adjoint_a=True)))
    a2 = _mm(tmp, math_ops.subtract(g, _mm(a, gb, adjoint_a=True)), adjoint_b=True)
    return math_ops.add(a1, a2), gb, None


def _regularized_gram(a, lam, first_kind):
    gram = _mm(a, a, adjoint_a=True) if first_kind else _mm(a, a, adjoint_b=True)
    eye = diag(array_ops.ones_like(diag_part(gram)))
    return math_ops.add(gram, math_ops.multiply(lam, eye))


_SOLVE_LS = defop("MatrixSolveLs", ("matrix", "rhs", "l2_regularizer"), _solve_ls_kernel,
                  attrs={"fast": True}, infer=_solve_ls_infer, grad=_solve_ls_grad)  # fmt: skip


# -- decompositions --------------------------------------------------------------------------------


def _cholesky_kernel(input):  # noqa: A002
    _check_matrix("Cholesky", input)
    x = _lapack(input)
    if x.size == 0:
        return input.copy()
    try:
        out = np.linalg.cholesky(x)  # reads the lower triangle only, as TF
    except np.linalg.LinAlgError:
        out = _cholesky_each(x)
    return out.astype(input.dtype, copy=False)


def _cholesky_each(x):
    """Per-matrix Cholesky: TF returns NaNs (lower triangle) for a matrix that is not PD."""
    flat = x.reshape((-1,) + x.shape[-2:])
    out = np.empty_like(flat)
    failed = np.tril(np.full(x.shape[-2:], np.nan, x.dtype))
    for i, m in enumerate(flat):
        try:
            out[i] = np.linalg.cholesky(m)
        except np.linalg.LinAlgError:
            out[i] = failed
    return out.reshape(x.shape)


def _cholesky_grad(op, g):
    # Murray (2016): A-bar = 1/2 (S + S^H), S = L^-H Phi(L^H G) L^-1, Phi = tril, halved diagonal.
    chol = op.outputs[0]
    eye = diag(array_ops.ones_like(diag_part(chol)))
    l_inv = triangular_solve(chol, eye)
    mid = band_part(_mm(chol, g, adjoint_a=True), -1, 0)
    mid = set_diag(mid, math_ops.multiply(diag_part(mid), 0.5))
    s = _mm(_mm(l_inv, mid, adjoint_a=True), l_inv)
    return math_ops.multiply(math_ops.add(s, adjoint(s)), 0.5)


_CHOLESKY = defop(
    "Cholesky", ("input",), _cholesky_kernel, infer=_square_infer, grad=_cholesky_grad
)


def _qr_kernel(input, full_matrices=False):  # noqa: A002
    _check_matrix("Qr", input, square=False)
    q, r = np.linalg.qr(_lapack(input), mode="complete" if full_matrices else "reduced")
    return [q.astype(input.dtype, copy=False), r.astype(input.dtype, copy=False)]


def _qr_infer(inputs, attrs):
    x = inputs[0]
    dims = _dims(x.shape)
    if dims is None:
        return [(x.dtype, TensorShape(None))] * 2
    batch, m, n = dims[:-2], dims[-2], dims[-1]
    if attrs.get("full_matrices"):
        k = m
    else:
        k = None if m is None or n is None else min(m, n)
    return [(x.dtype, TensorShape(batch + [m, k])), (x.dtype, TensorShape(batch + [k, n]))]


def _qr_grad(op, dq, dr):
    a = op.inputs[0]
    q, r = op.outputs
    m, n = a.shape[-2], a.shape[-1]
    if m is None or n is None:
        raise NotImplementedError("QrGrad not implemented with dynamic shapes.")
    if op.get_attr("full_matrices") and m > n:
        raise NotImplementedError(
            "QrGrad not implemented when nrows > ncols and full_matrices is true."
        )
    if m >= n:
        return _qr_grad_tall(q, r, dq, dr)
    # Wide A = [X | Y] with X square: Q R = [Q U | Q V]; X follows the square rule.
    y = a[..., :, m:]
    u = r[..., :, :m]
    dv = dr[..., :, m:]
    du = dr[..., :, :m]
    dx = _qr_grad_tall(q, u, math_ops.add(dq, _mm(y, dv, adjoint_b=True)), du)
    return array_ops.concat([dx, _mm(q, dv)], -1)


def _right_solve_adj(x, r):
    """x R^-H for upper-triangular R."""
    return adjoint(triangular_solve(r, adjoint(x), lower=False))


def _qr_grad_tall(q, r, dq, dr):
    qdq = _mm(q, dq, adjoint_a=True)
    rdr = _mm(r, dr, adjoint_b=True)
    rdr_skew = math_ops.subtract(rdr, adjoint(rdr))
    lower = band_part(math_ops.add(math_ops.subtract(qdq, adjoint(qdq)), rdr_skew), -1, 0)
    out = math_ops.add(
        _mm(q, math_ops.add(dr, _right_solve_adj(lower, r))),
        _right_solve_adj(math_ops.subtract(dq, _mm(q, qdq)), r),
    )
    if q.dtype.is_complex:
        # The diagonal of the skew part is imaginary; it needs its own correction.
        d = diag(diag_part(rdr_skew))
        corr = math_ops.subtract(d, math_ops.cast(_real(d), q.dtype))
        out = math_ops.add(out, _right_solve_adj(_mm(q, corr, adjoint_b=True), r))
    return out


_QR = defop("Qr", ("input",), _qr_kernel, attrs={"full_matrices": False}, num_outputs=2,
            infer=_qr_infer, grad=_qr_grad)  # fmt: skip


def _svd_kernel(input, compute_uv=True, full_matrices=False):  # noqa: A002
    _check_matrix("Svd", input, square=False)
    x = _lapack(input)
    dt = input.dtype
    if not compute_uv:
        s = np.linalg.svd(x, compute_uv=False) if x.size else np.zeros(x.shape[:-2] + (0,))
        empty = np.zeros((), dt)
        return [s.astype(dt), empty, empty]
    u, s, vh = np.linalg.svd(x, full_matrices=full_matrices)
    return [s.astype(dt), u.astype(dt, copy=False), _ah(vh).astype(dt)]


def _svd_infer(inputs, attrs):
    x = inputs[0]
    dims = _dims(x.shape)
    if dims is None:
        return [(x.dtype, TensorShape(None))] * 3
    batch, m, n = dims[:-2], dims[-2], dims[-1]
    k = None if m is None or n is None else min(m, n)
    s = (x.dtype, TensorShape(batch + [k]))
    if not attrs.get("compute_uv", True):
        return [s, (x.dtype, TensorShape([])), (x.dtype, TensorShape([]))]
    full = attrs.get("full_matrices")
    return [s, (x.dtype, TensorShape(batch + [m, m if full else k])),
            (x.dtype, TensorShape(batch + [n, n if full else k]))]  # fmt: skip


def _svd_grad(op, g_s, g_u, g_v):
    # Townsend (2016), "Differentiating the Singular Value Decomposition".
    a = op.inputs[0]
    g_s = math_ops.cast(g_s, a.dtype)
    if not op.get_attr("compute_uv"):
        _, u, v = execute(_SVD, (a,), {"compute_uv": True, "full_matrices": False})
        return _mm(u, _mm(diag(g_s), v, adjoint_b=True))
    m, n = a.shape[-2], a.shape[-1]
    if m is None or n is None:
        raise NotImplementedError(
            "SVD gradient has not been implemented for input with unknown inner matrix shape."
        )
    s, u, v = op.outputs
    full = op.get_attr("full_matrices")
    transposed = m > n
    if transposed:  # differentiate A^H = V S U^H, then take the adjoint at the end
        m, n = n, m
        u, v = v, u
        g_u, g_v = g_v, g_u
    if full and n - m > 1:
        raise NotImplementedError(
            "svd gradient is not implemented for abs(m - n) > 1 when full_matrices is True"
        )
    s_mat = diag(s)
    s2 = math_ops.multiply(s, s)
    f = set_diag(_safe_reciprocal(math_ops.subtract(array_ops.expand_dims(s2, -2), array_ops.expand_dims(s2, -1))),
                 array_ops.zeros_like(s))  # fmt: skip
    s_inv = diag(_safe_reciprocal(s))
    v1 = v[..., :, :m]
    g_v1 = g_v[..., :, :m]
    f_u = math_ops.multiply(f, _mm(u, g_u, adjoint_a=True))
    v_gv = _mm(v1, g_v1, adjoint_a=True)
    f_v = math_ops.multiply(f, v_gv)
    inner = math_ops.add(
        math_ops.add(diag(g_s), _mm(math_ops.add(f_u, adjoint(f_u)), s_mat)),
        _mm(s_mat, math_ops.add(f_v, adjoint(f_v))),
    )
    grad = _mm(u, _mm(inner, v1, adjoint_b=True))
    if m != n:
        gv1t = adjoint(g_v1)
        extra = math_ops.subtract(gv1t, _mm(_mm(gv1t, v1), v1, adjoint_b=True))
        if full:
            v2 = v[..., :, m:n]
            g_v2 = g_v[..., :, m:n]
            extra = math_ops.subtract(extra, _mm(_mm(v1, g_v2, adjoint_a=True), v2, adjoint_b=True))
        grad = math_ops.add(grad, _mm(_mm(u, s_inv), extra))
    if a.dtype.is_complex:
        l_mat = diag(diag_part(v_gv))
        term = _mm(s_inv, math_ops.subtract(adjoint(l_mat), l_mat))
        grad = math_ops.add(grad, math_ops.multiply(_mm(u, _mm(term, v1, adjoint_b=True)), 0.5))
    return adjoint(grad) if transposed else grad


_SVD = defop("Svd", ("input",), _svd_kernel, attrs={"compute_uv": True, "full_matrices": False},
             num_outputs=3, infer=_svd_infer, grad=_svd_grad)  # fmt: skip


def _eigh_kernel(input, compute_v=True):  # noqa: A002
    _check_matrix("SelfAdjointEigV2", input)
    x = _lapack(input)
    dt = input.dtype
    if not compute_v:
        return [np.linalg.eigvalsh(x).astype(dt), np.zeros((), dt)]
    e, v = np.linalg.eigh(x)  # lower triangle, as TF
    return [e.astype(dt), v.astype(dt, copy=False)]


def _eigh_infer(inputs, attrs):
    x = inputs[0]
    dims = _dims(x.shape)
    if dims is None:
        return [(x.dtype, TensorShape(None))] * 2
    e = (x.dtype, TensorShape(dims[:-1]))
    if not attrs.get("compute_v", True):
        return [e, (x.dtype, TensorShape([]))]
    return [e, (x.dtype, x.shape)]


def _eigh_grad(op, g_e, g_v):
    a = op.inputs[0]
    e = op.outputs[0]
    if op.get_attr("compute_v"):
        v = op.outputs[1]
        f = set_diag(_safe_reciprocal(math_ops.subtract(array_ops.expand_dims(e, -2), array_ops.expand_dims(e, -1))),
                     array_ops.zeros_like(e))  # fmt: skip
        inner = math_ops.add(diag(g_e), math_ops.multiply(f, _mm(v, g_v, adjoint_a=True)))
    else:
        _, v = execute(_EIGH, (a,), {"compute_v": True})
        inner = diag(g_e)
    grad = _mm(v, _mm(inner, v, adjoint_b=True))
    # The kernel reads the lower triangle only: fold the gradient onto it.
    grad = band_part(math_ops.add(grad, adjoint(grad)), -1, 0)
    return set_diag(grad, math_ops.multiply(diag_part(grad), 0.5))


_EIGH = defop("SelfAdjointEigV2", ("input",), _eigh_kernel, attrs={"compute_v": True},
              num_outputs=2, infer=_eigh_infer, grad=_eigh_grad)  # fmt: skip


# -- diagonals and bands --------------------------------------------------------------------------


def _diag_range(k, op_name):
    ks = np.ravel(k).astype(np.int64)
    if ks.size == 1:
        lo = hi = int(ks[0])
    elif ks.size == 2:
        lo, hi = int(ks[0]), int(ks[1])
    else:
        raise _error(
            op_name, f"diag_index must have only one or two elements, received {ks.size} elements."
        )
    if lo > hi:
        raise _error(
            op_name, f"lower_diag_index must not be larger than upper_diag_index: {lo} > {hi}"
        )
    return lo, hi


@functools.lru_cache(maxsize=256)
def _diag_slots(m, n, lo, hi, align, width=None):
    """Where each slot of the packed diagonals lives in an m x n matrix.

    Returns (rows, cols, valid) of shape [num_diags, width]: row d of the packing holds
    diagonal hi - d; short diagonals are padded on the side `align` says (superdiagonals,
    which include the main one, by its first word; subdiagonals by its second).
    """
    ks = np.arange(hi, lo - 1, -1)
    lens = np.maximum(np.minimum(m + np.minimum(ks, 0), n - np.maximum(ks, 0)), 0)
    if width is None:
        width = int(lens.max()) if lens.size else 0
    first, second = align.split("_")
    left = np.where(ks >= 0, first == "LEFT", second == "LEFT")
    offset = np.where(left, 0, width - lens)
    t = np.arange(width)[None, :] - offset[:, None]
    valid = (t >= 0) & (t < lens[:, None])
    rows = t - np.minimum(ks, 0)[:, None]
    cols = t + np.maximum(ks, 0)[:, None]
    # Clipped copies index safely; (which, slot) lists the valid slots.
    rows_c = np.clip(rows, 0, max(m - 1, 0))
    cols_c = np.clip(cols, 0, max(n - 1, 0))
    which, slot = np.nonzero(valid)
    for arr in (rows, cols, valid, rows_c, cols_c, which, slot):
        arr.flags.writeable = False  # cached: shared between calls
    return rows, cols, valid, width, rows_c, cols_c, which, slot


def _check_diag_bounds(op_name, m, n, lo, hi):
    for which, k in (("lower", lo), ("upper", hi)):
        if not (-m < k < n or k == 0):
            raise _error(
                op_name, f"{which}_diag_index is out of bound: {k}. It must be between {-m} and {n}"
            )


def _diag_part_kernel(input, k, padding_value, align="RIGHT_LEFT"):  # noqa: A002
    op = "MatrixDiagPartV3"
    if input.ndim < 2:
        raise _error(op, f"input must be at least 2-dim, received shape: {_shape_str(input.shape)}")
    lo, hi = _diag_range(k, op)
    m, n = input.shape[-2:]
    _check_diag_bounds(op, m, n, lo, hi)
    if lo == hi == 0:  # the main diagonal: no padding possible
        return np.diagonal(input, axis1=-2, axis2=-1).copy()
    rows, _, valid, _, rows_c, cols_c, _, _ = _diag_slots(m, n, lo, hi, align)
    batch = input.shape[:-2]
    if rows.size == 0 or m == 0 or n == 0:
        out = np.full(batch + rows.shape, padding_value, input.dtype)
    else:
        out = input[..., rows_c, cols_c]
        if not valid.all():
            out = np.where(valid, out, np.asarray(padding_value, input.dtype))
    return out[..., 0, :] if lo == hi else out


def _diag_part_infer(inputs, attrs):
    x, k = inputs[0], static_value(inputs[1])
    dims = _dims(x.shape)
    if dims is None or k is None:
        return [(x.dtype, TensorShape(None))]
    lo, hi = _diag_range(k, "MatrixDiagPartV3")
    m, n = dims[-2], dims[-1]
    if m is None or n is None:
        width = None
    else:
        ks = np.arange(lo, hi + 1)
        width = int(np.maximum(np.minimum(m + np.minimum(ks, 0), n - np.maximum(ks, 0)), 0).max())
    tail = [width] if lo == hi else [hi - lo + 1, width]
    return [(x.dtype, TensorShape(dims[:-2] + tail))]


def _diag_part_grad(op, g):
    x, k = op.inputs[0], op.inputs[1]
    return set_diag(array_ops.zeros_like(x), g, k=k, align=op.get_attr("align")), None, None


_DIAG_PART = defop("MatrixDiagPartV3", ("input", "k", "padding_value"), _diag_part_kernel,
                   attrs={"align": "RIGHT_LEFT"}, infer=_diag_part_infer, grad=_diag_part_grad)  # fmt: skip


def _diag_geometry(op, dshape, lo, hi, num_rows, num_cols):
    """Output rows/cols of MatrixDiagV3, TF's defaulting and consistency rules."""
    if len(dshape) < 1:
        raise _error(op, f"diagonal must be at least 1-dim, received shape: {_shape_str(dshape)}")
    if lo != hi and (len(dshape) < 2 or dshape[-2] != hi - lo + 1):
        raise _error(op, "The number of diagonals provided in the input does not match the "
                         "lower_diag_index and upper_diag_index range.")  # fmt: skip
    width = dshape[-1]
    min_rows = width - min(hi, 0)
    min_cols = width + max(lo, 0)
    if num_rows == -1 and num_cols == -1:
        num_rows = num_cols = max(min_rows, min_cols)
    elif num_rows == -1:
        num_rows = min_rows
    elif num_cols == -1:
        num_cols = min_cols
    if num_rows < min_rows:
        raise _error(op, "The number of rows is too small.")
    if num_cols < min_cols:
        raise _error(op, "The number of columns is too small.")
    if num_rows != min_rows and num_cols != min_cols:
        raise _error(op, "The number of rows or columns is not consistent with the specified d_lower, "
                         "d_upper, and diagonal.")  # fmt: skip
    return num_rows, num_cols


def _place_diagonals(out, diagonal, lo, hi, align):
    m, n = out.shape[-2:]
    rows, cols, _, _, _, _, which, slot = _diag_slots(m, n, lo, hi, align, width=diagonal.shape[-1])
    out[..., rows[which, slot], cols[which, slot]] = diagonal[..., which, slot]
    return out


def _diag_kernel(diagonal, k, num_rows, num_cols, padding_value, align="RIGHT_LEFT"):
    op = "MatrixDiagV3"
    lo, hi = _diag_range(k, op)
    m, n = _diag_geometry(op, diagonal.shape, lo, hi, int(num_rows), int(num_cols))
    if lo == hi == 0 and m == n == diagonal.shape[-1]:  # the common square case
        out = np.zeros(diagonal.shape[:-1] + (m, m), diagonal.dtype)
        if padding_value != 0:
            out[...] = padding_value
        i = np.arange(m)
        out[..., i, i] = diagonal
        return out
    d = diagonal[..., None, :] if lo == hi else diagonal
    out = np.full(d.shape[:-2] + (m, n), padding_value, diagonal.dtype)
    return _place_diagonals(out, d, lo, hi, align)


def _diag_infer(inputs, attrs):
    d = inputs[0]
    k, rows, cols = (static_value(t) for t in inputs[1:4])
    dims = _dims(d.shape)
    if dims is None or k is None or rows is None or cols is None:
        return [(d.dtype, TensorShape(None))]
    lo, hi = _diag_range(k, "MatrixDiagV3")
    batch = dims[:-1] if lo == hi else dims[:-2]
    if dims and dims[-1] is not None:
        m, n = _diag_geometry("MatrixDiagV3", dims, lo, hi, int(rows), int(cols))
    else:
        m = None if int(rows) == -1 else int(rows)
        n = None if int(cols) == -1 else int(cols)
    return [(d.dtype, TensorShape(batch + [m, n]))]


def _diag_grad(op, g):
    return diag_part(g, k=op.inputs[1], align=op.get_attr("align")), None, None, None, None


_DIAG = defop("MatrixDiagV3", ("diagonal", "k", "num_rows", "num_cols", "padding_value"),
              _diag_kernel, attrs={"align": "RIGHT_LEFT"}, infer=_diag_infer, grad=_diag_grad)  # fmt: skip


def _set_diag_kernel(input, diagonal, k, align="RIGHT_LEFT"):  # noqa: A002
    op = "MatrixSetDiagV3"
    if input.ndim < 2:
        raise _error(op, f"input must be at least 2-dim, received shape: {_shape_str(input.shape)}")
    lo, hi = _diag_range(k, op)
    m, n = input.shape[-2:]
    _check_diag_bounds(op, m, n, lo, hi)
    width = _diag_slots(m, n, lo, hi, align)[3]
    want = input.shape[:-2] + ((width,) if lo == hi else (hi - lo + 1, width))
    if diagonal.shape != want:
        raise _error(
            op,
            "Either first dimensions of diagonal don't match input.shape[:-2], or diagonal.shape[:-1] "
            "is not equal to the longests diagonal in range [lower_diag_index:upper_diag_index].\n"
            f"Input shape: {_shape_str(input.shape)}\nDiagonal shape: {_shape_str(diagonal.shape)}\n"
            f"Expected diagonal shape: {_shape_str(want)}",
        )
    d = diagonal[..., None, :] if lo == hi else diagonal
    return _place_diagonals(input.copy(), d, lo, hi, align)


def _set_diag_grad(op, g):
    k, align = op.inputs[2], op.get_attr("align")
    diagonal = op.inputs[1]
    return (set_diag(g, array_ops.zeros_like(diagonal), k=k, align=align),
            diag_part(g, k=k, align=align), None)  # fmt: skip


_SET_DIAG = defop("MatrixSetDiagV3", ("input", "diagonal", "k"), _set_diag_kernel,
                  attrs={"align": "RIGHT_LEFT"}, infer=_square_infer, grad=_set_diag_grad)  # fmt: skip


def _band_part_kernel(input, num_lower, num_upper, Tindex=None):  # noqa: A002, N803
    op = "MatrixBandPart"
    if input.ndim < 2:
        raise _error(op, f"input must be at least 2-dim, received shape: {_shape_str(input.shape)}")
    m, n = input.shape[-2:]
    lo, up = int(num_lower), int(num_upper)
    if lo > m:
        raise _error(
            op, f"num_lower must be negative or less or equal to number of rows ({m}) got: {lo}"
        )
    if up > n:
        raise _error(
            op, f"num_upper must be negative or less or equal to number of columns ({n}) got: {up}"
        )
    i = np.arange(m)[:, None]
    j = np.arange(n)[None, :]
    keep = ((lo < 0) | (i - j <= lo)) & ((up < 0) | (j - i <= up))
    return np.where(keep, input, np.zeros((), input.dtype))


def _band_part_grad(op, g):
    return band_part(g, op.inputs[1], op.inputs[2]), None, None


_BAND_PART = defop("MatrixBandPart", ("input", "num_lower", "num_upper"), _band_part_kernel,
                   attrs={"Tindex": dtypes.int64}, infer=_square_infer, grad=_band_part_grad)  # fmt: skip


def _tensor_diag_kernel(diagonal):
    if diagonal.ndim < 1:
        raise _error("Diag", "Input must be at least rank 1, got 0")
    size = diagonal.size
    out = np.zeros((size, size), diagonal.dtype)
    out[np.arange(size), np.arange(size)] = diagonal.reshape(-1)
    return out.reshape(diagonal.shape * 2)


def _tensor_diag_part_kernel(input):  # noqa: A002
    r = input.ndim
    half = input.shape[: r // 2]
    if r == 0 or r % 2 or input.shape[r // 2 :] != half:
        raise _error("DiagPart", f"The rank of the tensor should be even and positive, got shape "
                                 f"{_shape_str(input.shape)}" if r == 0 or r % 2 else
                     f"Invalid shape {_shape_str(input.shape)}: dimensions must match")  # fmt: skip
    size = int(np.prod(half))
    return input.reshape(size, size)[np.arange(size), np.arange(size)].reshape(half)


def _tensor_diag_infer(inputs, attrs):
    s = inputs[0].shape
    return [(inputs[0].dtype, TensorShape(None) if s.rank is None else s.concatenate(s))]


def _tensor_diag_part_infer(inputs, attrs):
    s = inputs[0].shape
    return [(inputs[0].dtype, TensorShape(None) if s.rank is None else s[: s.rank // 2])]


_TENSOR_DIAG = defop("Diag", ("diagonal",), _tensor_diag_kernel, infer=_tensor_diag_infer,
                     grad=lambda op, g: tensor_diag_part(g))  # fmt: skip
_TENSOR_DIAG_PART = defop("DiagPart", ("input",), _tensor_diag_part_kernel, infer=_tensor_diag_part_infer,
                          grad=lambda op, g: tensor_diag(g))  # fmt: skip


def _cross_kernel(a, b):
    if a.shape != b.shape:
        raise _error(
            "Cross",
            f"Both inputs must be of same shape: {_shape_str(a.shape)} vs. {_shape_str(b.shape)}",
        )
    if a.ndim == 0 or a.shape[-1] != 3:
        raise _error(
            "Cross",
            "Cross-products are only defined for 3-element vectors.",
            FailedPreconditionError,
        )
    if a.dtype.kind not in "fiu":
        return np.cross(a.astype(np.float32), b.astype(np.float32)).astype(a.dtype)
    return np.cross(a, b)


_CROSS = defop("Cross", ("a", "b"), _cross_kernel, infer=_square_infer,
               grad=lambda op, g: (cross(op.inputs[1], g), cross(g, op.inputs[0])))  # fmt: skip


# -- public API: decompositions and solves ------------------------------------------------------


def _one(op_name, x, allowed=_LINALG_T):
    x = to_tensor(x)
    _check_t(op_name, x, allowed)
    return x


def inv(input, adjoint=False, name=None):  # noqa: A002
    """Inverse of each square matrix in `input` (of its adjoint with `adjoint=True`).

    >>> tf.linalg.inv([[2., 0.], [0., 4.]]).numpy().tolist()
    [[0.5, 0.0], [0.0, 0.25]]
    """
    x = _one("MatrixInverse", input)
    return execute(_INV, (x,), {"adjoint": bool(adjoint)}, name)


def det(input, name=None):  # noqa: A002
    """Determinant of each square matrix (shape `input.shape[:-2]`).

    >>> float(tf.linalg.det([[2., 0.], [0., 3.]]))
    6.0
    """
    x = _one("MatrixDeterminant", input, _DET_T)
    return execute(_DET, (x,), {}, name)


LogMatrixDeterminant = collections.namedtuple(
    "LogMatrixDeterminant", ["sign", "log_abs_determinant"]
)


def slogdet(input, name=None):  # noqa: A002
    """(sign, log|det|) of each square matrix; stable where det over/underflows.

    >>> [float(t) for t in tf.linalg.slogdet([[0., 1.], [1., 0.]])]
    [-1.0, 0.0]
    """
    x = _one("LogMatrixDeterminant", input, _DET_T)
    return LogMatrixDeterminant(*execute(_SLOGDET, (x,), {}, name))


def logdet(matrix, name=None):
    """log(det(matrix)) of Hermitian positive definite matrices, via Cholesky."""
    chol = cholesky(matrix)
    return math_ops.multiply(
        reduction_ops.reduce_sum(unary_ops.log(_real(diag_part(chol))), axis=-1), 2.0
    )


def solve(matrix, rhs, adjoint=False, name=None):
    """X with matrix @ X = rhs (adjoint(matrix) @ X = rhs with `adjoint=True`).

    >>> tf.linalg.solve([[2., 0.], [0., 4.]], [[2.], [2.]]).numpy().tolist()
    [[1.0], [0.5]]
    """
    matrix, rhs = same_dtype_operands("MatrixSolve", (matrix, rhs))
    _check_t("MatrixSolve", matrix, _LINALG_T)
    return execute(_SOLVE, (matrix, rhs), {"adjoint": bool(adjoint)}, name)


def triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None):
    """Solves with the lower (or upper) triangle of `matrix`; batch dims broadcast.

    >>> tf.linalg.triangular_solve([[2., 0.], [1., 4.]], [[2.], [5.]]).numpy().tolist()
    [[1.0], [1.0]]
    """
    matrix, rhs = same_dtype_operands("MatrixTriangularSolve", (matrix, rhs))
    _check_t("MatrixTriangularSolve", matrix, _TRISOLVE_T)
    return execute(_TRISOLVE, (matrix, rhs), {"lower": bool(lower), "adjoint": bool(adjoint)}, name)


def cholesky(input, name=None):  # noqa: A002
    """Lower-triangular L with L @ L^H = input (only the lower triangle is read).

    >>> tf.linalg.cholesky([[4., 2.], [2., 5.]]).numpy().tolist()
    [[2.0, 0.0], [1.0, 2.0]]
    """
    x = _one("Cholesky", input)
    return execute(_CHOLESKY, (x,), {}, name)


def cholesky_solve(chol, rhs, name=None):
    """Solves A X = rhs given chol = cholesky(A)."""
    y = triangular_solve(chol, rhs, lower=True, adjoint=False)
    return triangular_solve(chol, y, lower=True, adjoint=True)


Qr = collections.namedtuple("Qr", ["q", "r"])


def qr(input, full_matrices=False, name=None):  # noqa: A002
    """QR decomposition: (q, r) with orthonormal columns in q and upper-triangular r.

    >>> q, r = tf.linalg.qr(tf.eye(2))
    >>> r.shape
    TensorShape([2, 2])
    """
    x = _one("Qr", input)
    return Qr(*execute(_QR, (x,), {"full_matrices": bool(full_matrices)}, name))


def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """Singular values s (descending, real) and, with `compute_uv`, u and v: a = u diag(s) v^H.

    >>> s = tf.linalg.svd([[3., 0.], [0., 4.]], compute_uv=False)
    >>> s.numpy().tolist()
    [4.0, 3.0]
    """
    x = _one("Svd", tensor)
    s, u, v = execute(
        _SVD, (x,), {"compute_uv": bool(compute_uv), "full_matrices": bool(full_matrices)}, name
    )
    if x.dtype.is_complex:
        s = _real(s)
    return (s, u, v) if compute_uv else s


def eigh(tensor, name=None):
    """Eigenvalues (ascending) and eigenvectors of self-adjoint matrices (lower triangle read).

    >>> e, v = tf.linalg.eigh([[2., 0.], [0., 1.]])
    >>> e.numpy().tolist()
    [1.0, 2.0]
    """
    x = _one("SelfAdjointEigV2", tensor)
    e, v = execute(_EIGH, (x,), {"compute_v": True}, name)
    return e, v


def eigvalsh(tensor, name=None):
    """Eigenvalues (ascending) of self-adjoint matrices."""
    x = _one("SelfAdjointEigV2", tensor)
    return execute(_EIGH, (x,), {"compute_v": False}, name)[0]


def lstsq(matrix, rhs, l2_regularizer=0.0, fast=True, name=None):
    """Least-squares solution of matrix @ X = rhs, optionally Tikhonov-regularized.

    `fast=True` solves the (regularized) normal equations; `fast=False` gives the
    minimum-norm solution (the regularizer is then ignored, as in TF).

    >>> tf.linalg.lstsq([[1.], [1.]], [[1.], [3.]]).numpy().tolist()
    [[2.0]]
    """
    matrix, rhs = same_dtype_operands("MatrixSolveLs", (matrix, rhs))
    _check_t("MatrixSolveLs", matrix, _LINALG_T)
    if is_tensorlike(l2_regularizer):
        lam = math_ops.cast(to_tensor(l2_regularizer), dtypes.float64)
    else:
        lam = convert_to_tensor(float(l2_regularizer), dtype=dtypes.float64)
    return execute(_SOLVE_LS, (matrix, rhs, lam), {"fast": bool(fast)}, name)


def pinv(a, rcond=None, validate_args=False, name=None):
    """Moore-Penrose pseudo-inverse via the SVD (singular values below rcond * max(s) dropped).

    >>> tf.linalg.pinv([[2., 0.], [0., 0.]]).numpy().tolist()
    [[0.5, 0.0], [0.0, 0.0]]
    """
    a = to_tensor(a)
    if not a.dtype.is_floating:
        raise TypeError(f"Input `a` must have `float`-like `dtype` (saw {a.dtype.name}).")
    dims = _dims(a.shape)
    if rcond is None:
        if dims is not None and dims[-1] is not None and dims[-2] is not None:
            big = float(max(dims[-2], dims[-1]))
        else:
            shp = array_ops.shape(a)
            big = math_ops.cast(math_ops.maximum(shp[-2], shp[-1]), a.dtype)
        rcond = math_ops.multiply(big, 10.0 * float(np.finfo(a.dtype.as_numpy_dtype).eps)) if is_tensorlike(big) \
            else 10.0 * big * float(np.finfo(a.dtype.as_numpy_dtype).eps)  # fmt: skip
    s, u, v = svd(a, full_matrices=False, compute_uv=True)
    cutoff = math_ops.multiply(rcond, reduction_ops.reduce_max(s, axis=-1))
    # Dropped singular values become inf, so 1/s is 0 without NaN gradients.
    s = array_ops.where(math_ops.greater(s, array_ops.expand_dims(cutoff, -1)), s,
                        math_ops.multiply(array_ops.ones_like(s), np.inf))  # fmt: skip
    return _mm(math_ops.divide(v, array_ops.expand_dims(s, -2)), u, adjoint_b=True)


# -- public API: diagonals, transposes, small products ----------------------------------------------


def _check_align(op_name, align):
    if align not in _ALIGNS:
        raise _error(op_name, f"Value for attr 'align' of \"{align}\" is not in the list of allowed "
                              f"values: \"LEFT_RIGHT\", \"RIGHT_LEFT\", \"LEFT_LEFT\", \"RIGHT_RIGHT\"")  # fmt: skip


_CONSTS: dict = {}


def _small_int(value, dtype=dtypes.int32):
    """int_tensor for k, num_rows, band bounds and axes: cached for Python ints (and tuples
    of them) when eager, since converting small Python values dominates these ops' cost."""
    if type(value) in (list, tuple) and all(type(v) is int for v in value):
        value = tuple(value)
    elif type(value) is not int:
        return int_tensor(value, dtype)
    if state.graph is None:
        key = (value, dtype)
        t = _CONSTS.get(key)
        if t is None:
            t = _CONSTS[key] = int_tensor(list(value) if type(value) is tuple else value, dtype)
        return t
    return int_tensor(list(value) if type(value) is tuple else value, dtype)


def _padding(value, dtype):
    if is_tensorlike(value):
        return to_tensor(value)
    if type(value) is int and value == 0 and state.graph is None:
        key = ("pad0", dtype)
        t = _CONSTS.get(key)
        if t is None:
            t = _CONSTS[key] = convert_to_tensor(0, dtype=dtype)
        return t
    return convert_to_tensor(value, dtype=dtype)


def diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0, align="RIGHT_LEFT"):
    """Batched (band) diagonal matrices from their diagonals (`tf.linalg.diag`).

    >>> tf.linalg.diag([1, 2]).numpy().tolist()
    [[1, 0], [0, 2]]
    """
    _check_align("MatrixDiagV3", align)
    d = to_tensor(diagonal)
    inputs = (
        d,
        _small_int(k),
        _small_int(num_rows),
        _small_int(num_cols),
        _padding(padding_value, d.dtype),
    )
    return execute(_DIAG, inputs, {"align": align})


def diag_part(input, name="diag_part", k=0, padding_value=0, align="RIGHT_LEFT"):  # noqa: A002
    """The k-th diagonal(s) of each matrix (`tf.linalg.diag_part`).

    >>> tf.linalg.diag_part([[1, 2], [3, 4]]).numpy().tolist()
    [1, 4]
    """
    _check_align("MatrixDiagPartV3", align)
    x = to_tensor(input)
    return execute(
        _DIAG_PART, (x, _small_int(k), _padding(padding_value, x.dtype)), {"align": align}
    )


def set_diag(input, diagonal, name="set_diag", k=0, align="RIGHT_LEFT"):  # noqa: A002
    """`input` with its k-th diagonal(s) replaced by `diagonal`.

    >>> tf.linalg.set_diag(tf.zeros([2, 2]), [1., 2.]).numpy().tolist()
    [[1.0, 0.0], [0.0, 2.0]]
    """
    _check_align("MatrixSetDiagV3", align)
    x, d = same_dtype_operands("MatrixSetDiagV3", (input, diagonal))
    return execute(_SET_DIAG, (x, d, _small_int(k)), {"align": align})


def band_part(input, num_lower, num_upper, name=None):  # noqa: A002
    """Zeroes everything outside a band (negative bounds keep a whole triangle).

    >>> tf.linalg.band_part(tf.ones([3, 3]), 0, -1).numpy().tolist()
    [[1.0, 1.0, 1.0], [0.0, 1.0, 1.0], [0.0, 0.0, 1.0]]
    """
    x = to_tensor(input)
    lo, up = _small_int(num_lower, dtypes.int64), _small_int(num_upper, dtypes.int64)
    if lo.dtype is not up.dtype:
        lo, up = math_ops.cast(lo, dtypes.int64), math_ops.cast(up, dtypes.int64)
    return execute(_BAND_PART, (x, lo, up), {"Tindex": lo.dtype}, name)


def tensor_diag(diagonal, name=None):
    """Rank-2k tensor with `diagonal` (rank k) on its diagonal (`tf.linalg.tensor_diag`)."""
    return execute(_TENSOR_DIAG, (_one("Diag", diagonal, _TENSOR_DIAG_T),), {}, name)


def tensor_diag_part(input, name=None):  # noqa: A002
    """Inverse of `tensor_diag`: the diagonal of a rank-2k tensor."""
    return execute(_TENSOR_DIAG_PART, (_one("DiagPart", input, _TENSOR_DIAG_T),), {}, name)


def trace(x, name=None):
    """Sum of the main diagonal of each matrix.

    >>> int(tf.linalg.trace([[1, 2], [3, 4]]))
    5
    """
    return reduction_ops.reduce_sum(diag_part(x), axis=_small_int(-1))


def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    """Transposes the last two dimensions (conjugating with `conjugate=True`).

    >>> tf.linalg.matrix_transpose(tf.zeros([4, 2, 3])).shape
    TensorShape([4, 3, 2])
    """
    a = to_tensor(a)
    r = a.shape.rank
    if r is None:
        rank = array_ops.rank(a)
        perm = array_ops.concat([array_ops.range_(math_ops.subtract(rank, 2)),
                                 array_ops.stack([math_ops.subtract(rank, 1), math_ops.subtract(rank, 2)])], 0)  # fmt: skip
    else:
        if r < 2:
            shown = a.numpy() if isinstance(a, EagerTensor) else a
            raise ValueError(f"Argument `a` should be a (batch) matrix with rank >= 2.  Received `a` = "
                             f"{shown} with shape: {tuple(a.shape.as_list())}")  # fmt: skip
        perm = list(range(r - 2)) + [r - 1, r - 2]
    return array_ops.transpose(a, perm, conjugate=conjugate)


def adjoint(matrix, name=None):
    """Conjugate transpose of the last two dimensions."""
    return matrix_transpose(matrix, conjugate=True)


def matvec(
    a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False, name=None
):
    """Matrix-vector product a @ b over the last dimension of `b` (batched).

    >>> tf.linalg.matvec([[1., 2.], [3., 4.]], [1., 1.]).numpy().tolist()
    [3.0, 7.0]
    """
    a, b = _matmul_operands(a, b)
    out = math_ops.matmul(
        a, array_ops.expand_dims(b, _small_int(-1)), transpose_a=transpose_a, adjoint_a=adjoint_a
    )
    return array_ops.squeeze(out, -1)


def cross(a, b, name=None):
    """Pairwise cross product of 3-vectors (last dimension 3; shapes must match).

    >>> tf.linalg.cross([1., 0., 0.], [0., 1., 0.]).numpy().tolist()
    [0.0, 0.0, 1.0]
    """
    a, b = same_dtype_operands("Cross", (a, b))
    _check_t("Cross", a, _CROSS_T)
    return execute(_CROSS, (a, b), {}, name)


def _real(x):
    from arroyo.ops import complex_ops

    return complex_ops.real(x)


# -- norms ---------------------------------------------------------------------------------------


def _is_int(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):  # noqa: A002
    """Vector norms (any p > 0, inf) and matrix norms ('fro', 1, 2, inf) as `tf.norm`.

    `axis` None (all entries as one vector), an int (vector norm) or a pair (matrix norm).

    >>> float(tf.norm([3., 4.]))
    5.0
    """
    keepdims = bool(keepdims)
    is_matrix = isinstance(axis, (tuple, list)) and len(axis) == 2
    if is_matrix:
        axis = tuple(axis)
        if not (_is_int(axis[0]) and _is_int(axis[1])) or axis[0] == axis[1]:
            raise ValueError(
                f"'axis' must be None, an integer, or a tuple of 2 unique integers, got {axis}"
            )
        supported = ["euclidean", "fro", 1, 2, np.inf]
        if ord not in supported:
            raise ValueError(f"'ord' must be a supported matrix norm in {supported}, got {ord}")
    else:
        if not (_is_int(axis) or axis is None):
            raise ValueError(
                f"'axis' must be None, an integer, or a tuple of 2 unique integers, got {axis}"
            )
        numeric = isinstance(ord, (int, float, np.number)) and not isinstance(ord, (bool, complex))
        if (not numeric or ord <= 0) and ord not in ["euclidean", 1, 2, np.inf]:
            raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
        if axis is not None:
            axis = (int(axis),)
    x = to_tensor(tensor)
    red_axis = None if axis is None else _small_int(axis)
    if isinstance(ord, str) or ord == 2:
        if is_matrix and not isinstance(ord, str):
            result = _matrix_2_norm(x, axis)
        else:
            sq = math_ops.multiply(x, math_ops.conj(x))
            result = unary_ops.sqrt(reduction_ops.reduce_sum(sq, red_axis, keepdims=True))
    else:
        result = math_ops.abs(x)
        if ord == 1 and is_matrix:  # max column sum
            result = reduction_ops.reduce_max(reduction_ops.reduce_sum(result, axis[0], keepdims=True),
                                              axis[1], keepdims=True)  # fmt: skip
        elif ord == np.inf and is_matrix:  # max row sum
            result = reduction_ops.reduce_max(reduction_ops.reduce_sum(result, axis[1], keepdims=True),
                                              axis[0], keepdims=True)  # fmt: skip
        elif ord == 1:
            result = reduction_ops.reduce_sum(result, red_axis, keepdims=True)
        elif ord == np.inf:
            result = reduction_ops.reduce_max(result, red_axis, keepdims=True)
        else:
            powered = math_ops.pow(result, float(ord))
            result = math_ops.pow(
                reduction_ops.reduce_sum(powered, red_axis, keepdims=True), 1.0 / float(ord)
            )
    if not keepdims:
        result = array_ops.squeeze(result, axis)
    return result


def _matrix_2_norm(x, axis):
    """Largest singular value over the two axes, kept as size-1 dimensions."""
    r = x.shape.rank
    if r is None:
        raise ValueError("The matrix 2-norm needs an input of known rank.")
    pos = [a % r for a in axis]
    perm = [i for i in range(r) if i not in pos] + pos
    s = execute(
        _SVD, (array_ops.transpose(x, perm),), {"compute_uv": False, "full_matrices": False}
    )[0]
    top = array_ops.expand_dims(
        reduction_ops.reduce_max(math_ops.abs(s), axis=-1, keepdims=True), -1
    )
    return array_ops.transpose(top, list(np.argsort(perm)))


def normalize(tensor, ord="euclidean", axis=None, name=None):  # noqa: A002
    """(tensor / norm, norm) with the norm kept at rank (`tf.linalg.normalize`)."""
    x = to_tensor(tensor)
    n = norm(x, ord=ord, axis=axis, keepdims=True)
    return math_ops.divide(x, n), n


_L2_LOSS_T = (dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64)


def global_norm(t_list, name=None):
    """sqrt(sum of squares of every entry of every tensor); None entries are skipped.

    >>> float(tf.linalg.global_norm([tf.constant([3.]), tf.constant([4.])]))
    5.0
    """
    if not isinstance(t_list, collections.abc.Sequence) or isinstance(t_list, (str, bytes)):
        raise TypeError(f"`t_list` should be a sequence of tensors. Received {type(t_list)}.")
    squares = []
    for t in t_list:
        if t is None:
            continue
        t = to_tensor(getattr(t, "values", t) if type(t).__name__ == "IndexedSlices" else t)
        _check_t("L2Loss", t, _L2_LOSS_T)
        squares.append(reduction_ops.reduce_sum(math_ops.multiply(t, t)))
    if not squares:
        return array_ops.constant(0.0, dtype=dtypes.float32)
    total = squares[0] if len(squares) == 1 else reduction_ops.reduce_sum(array_ops.stack(squares))
    return unary_ops.sqrt(total)


# -- tensordot and einsum --------------------------------------------------------------------------
# Operands travel with their dimension lists (ints where static, scalar int32 tensors where
# not), so shapes are read once and no-op transposes and reshapes are skipped.


def _dim_list(x):
    """Static dimensions where known, scalar int32 tensors where not."""
    if type(x) is EagerTensor:
        return list(x._value.shape)
    dims = x.shape.as_list()
    if None not in dims:
        return dims
    dyn = array_ops.shape(x)
    return [d if d is not None else dyn[i] for i, d in enumerate(dims)]


def _prod(ds):
    out = 1
    for d in ds:
        out = out * d
    return out


def _static(ds):
    return all(type(d) is int for d in ds)


def _reshape(x, dims, new_dims):
    if _static(new_dims):
        if _static(dims) and list(dims) == list(new_dims):
            return x
        return array_ops.reshape(x, list(new_dims))
    shape = array_ops.stack([d if is_tensorlike(d) else convert_to_tensor(int(d), dtype=dtypes.int32)
                             for d in new_dims])  # fmt: skip
    out = array_ops.reshape(x, shape)
    out.set_shape([d if type(d) is int else None for d in new_dims])  # keep the static part
    return out


def _transpose(x, dims, perm):
    """(x permuted, its dims)."""
    if perm == list(range(len(perm))):
        return x, dims
    return array_ops.transpose(x, perm), [dims[i] for i in perm]


def _tensordot_axes(a, b, axes):
    ra, rb = a.shape.rank, b.shape.rank
    if ra is None or rb is None:
        raise ValueError("tensordot requires inputs of known rank.")
    if _is_int(axes) or (is_tensorlike(axes) and to_tensor(axes).shape.rank == 0):
        n = int(static_value(to_tensor(axes))) if is_tensorlike(axes) else int(axes)
        if n < 0:
            raise ValueError(f"`axes` must be at least 0. Received: {n}.")
        if n > ra:
            raise ValueError(f"`axes` must not be larger than the number of dimensions of tensor {a}.  "
                             f"Received {n}, vs tensor dimensions {ra}.")  # fmt: skip
        return list(range(ra - n, ra)), list(range(n))
    if is_tensorlike(axes):
        axes = static_value(to_tensor(axes)).tolist()
    axes = list(axes)
    if len(axes) != 2:
        raise ValueError(f"`axes` must be an integer or have length 2. Received {axes}.")
    a_axes, b_axes = axes
    a_axes = [int(a_axes)] if _is_int(a_axes) else [int(v) for v in a_axes]
    b_axes = [int(b_axes)] if _is_int(b_axes) else [int(v) for v in b_axes]
    if len(a_axes) != len(b_axes):
        raise ValueError(
            f"Different number of contraction axes `a` and `b`, {len(a_axes)} != {len(b_axes)}."
        )
    return [v % ra if ra else v for v in a_axes], [v % rb if rb else v for v in b_axes]


def tensordot(a, b, axes, name=None):
    """Sums the product of `a` and `b` over the given axes (`axes` int: last n of a, first n of b).

    >>> tf.tensordot(tf.ones([2, 3]), tf.ones([3, 4]), axes=1).shape
    TensorShape([2, 4])
    """
    a, b = to_tensor(a), to_tensor(b)
    a_axes, b_axes = _tensordot_axes(a, b, axes)
    da, db = _dim_list(a), _dim_list(b)
    a_free = [i for i in range(len(da)) if i not in a_axes]
    b_free = [i for i in range(len(db)) if i not in b_axes]
    at, dat = _transpose(a, da, a_free + a_axes)
    bt, dbt = _transpose(b, db, b_axes + b_free)
    nf, nc = len(a_free), len(a_axes)
    a2 = _reshape(at, dat, [_prod(dat[:nf]), _prod(dat[nf:])])
    b2 = _reshape(bt, dbt, [_prod(dbt[:nc]), _prod(dbt[nc:])])
    out = math_ops.matmul(a2, b2)
    out_dims = dat[:nf] + dbt[nc:]
    return _reshape(out, [_prod(dat[:nf]), _prod(dbt[nc:])], out_dims)


def _einsum_labels(sub, rank, i, equation):
    for c in sub.replace("...", ""):
        if not c.isalpha():
            raise ValueError(f"Subscripts have incorrect format: {equation}")
    if "..." in sub:
        head, _, tail = sub.partition("...")
        if "." in tail:
            raise ValueError(f"Subscripts have incorrect format: {equation}")
        n_ell = rank - len(head) - len(tail)
        if n_ell < 0:
            raise _error("Einsum", f"Expected input {i} to have rank at least {len(head) + len(tail)} "
                                   f"but got: {rank}")  # fmt: skip
        # Ellipsis dimensions are named by their position from the right, so they broadcast.
        return list(head) + [("...", n_ell - 1 - j) for j in range(n_ell)] + list(tail)
    if len(sub) != rank:
        raise _error("Einsum", f"Expected input {i} to have rank {len(sub)} but got: {rank}")
    return list(sub)


@functools.lru_cache(maxsize=512)
def _einsum_parse(equation, ranks):
    eq = equation.replace(" ", "")
    if eq.count("->") > 1:
        raise ValueError(f"Subscripts have incorrect format: {equation}")
    lhs, arrow, out = eq.partition("->")
    subs = lhs.split(",")
    if len(subs) != len(ranks):
        raise ValueError(
            f'Got {len(ranks)} inputs for equation "{equation}", expecting {len(subs)}'
        )
    ins = [_einsum_labels(s, r, i, equation) for i, (s, r) in enumerate(zip(subs, ranks))]
    n_ell = max([sum(isinstance(lbl, tuple) for lbl in labels) for labels in ins] + [0])
    ell = [("...", j) for j in range(n_ell - 1, -1, -1)]
    if arrow:
        for c in out.replace("...", ""):
            if not c.isalpha():
                raise ValueError(f"Subscripts have incorrect format: {equation}")
            if not any(c in s for s in subs):
                raise ValueError(
                    f"Output subscripts contain the label {c} not present in the input subscripts."
                )
            if out.count(c) > 1:
                raise ValueError(f"Output subscripts contain the label {c} more than once.")
        if "..." in out:
            head, _, tail = out.partition("...")
            out_labels = list(head) + ell + list(tail)
        else:
            if n_ell:
                raise _error("Einsum", f"Output contains {n_ell} broadcasting dimension(s) but no ellipsis "
                                       "(...) was found in the output subscripts.")  # fmt: skip
            out_labels = list(out)
    else:
        counts = collections.Counter(c for s in subs for c in s.replace("...", ""))
        out_labels = ell + sorted(c for c, n in counts.items() if n == 1)
    return tuple(tuple(labels) for labels in ins), tuple(out_labels)


def _einsum_check_sizes(dims_list, ins):
    sizes = {}
    for dims, labels in zip(dims_list, ins):
        for ax, (lbl, d) in enumerate(zip(labels, dims)):
            if type(d) is not int:
                continue
            prev = sizes.get(lbl)
            if prev is None or (prev == 1 and type(lbl) is tuple):
                sizes[lbl] = d
            elif d != prev and not (d == 1 and type(lbl) is tuple):
                shown = [x if type(x) is int else None for x in dims]
                raise _error("Einsum", f"Expected dimension {prev} at axis {ax} of the input shaped "
                                       f"{_shape_str(shown)} but got dimension {d}")  # fmt: skip


def _einsum_diagonals(x, labels, dims):
    """Takes diagonals for labels repeated within one operand ('ii->i')."""
    while len(set(labels)) != len(labels):
        lbl = next(lb for lb in labels if labels.count(lb) > 1)
        i = labels.index(lbl)
        j = labels.index(lbl, i + 1)
        rest = [k for k in range(len(labels)) if k not in (i, j)]
        x, _ = _transpose(x, dims, rest + [i, j])
        x = diag_part(x)
        labels = [labels[k] for k in rest] + [lbl]
        dims = [dims[k] for k in rest] + [dims[i]]
    return x, labels, dims


def _broadcast_dim(a, b):
    if type(a) is int and type(b) is int:
        return max(a, b) if 1 in (a, b) else a
    return math_ops.maximum(a, b)


def _einsum_pair(x, lx, dx, y, ly, dy, keep):
    """Contracts two operands; returns (result, labels, dims) keeping the labels in `keep`."""
    sx, sy = set(lx), set(ly)
    batch = [lb for lb in lx if lb in sy and lb in keep]
    contract = [lb for lb in lx if lb in sy and lb not in keep]
    x_free = [lb for lb in lx if lb not in sy]
    y_free = [lb for lb in ly if lb not in sx]
    size_x = dict(zip(lx, dx))
    size_y = dict(zip(ly, dy))
    bx = [size_x[lb] for lb in batch]
    by = [size_y[lb] for lb in batch]
    fx = [size_x[lb] for lb in x_free]
    fy = [size_y[lb] for lb in y_free]
    labels = batch + x_free + y_free
    if not contract:  # an elementwise or outer product: a broadcasting multiply
        xt, dxt = _transpose(x, dx, [lx.index(lb) for lb in batch + x_free])
        yt, dyt = _transpose(y, dy, [ly.index(lb) for lb in batch + y_free])
        xt = _reshape(xt, dxt, bx + fx + [1] * len(y_free))
        yt = _reshape(yt, dyt, by + [1] * len(x_free) + fy)
        bz = [_broadcast_dim(p, q) for p, q in zip(bx, by)]
        return math_ops.multiply(xt, yt), labels, bz + fx + fy
    xt, dxt = _transpose(x, dx, [lx.index(lb) for lb in batch + x_free + contract])
    yt, dyt = _transpose(y, dy, [ly.index(lb) for lb in batch + contract + y_free])
    k = _prod(size_x[lb] for lb in contract)
    px, py = _prod(fx), _prod(fy)
    x3 = _reshape(xt, dxt, bx + [px, k])
    y3 = _reshape(yt, dyt, by + [k, py])
    bz = [_broadcast_dim(p, q) for p, q in zip(bx, by)]
    z = _reshape(math_ops.matmul(x3, y3), bz + [px, py], bz + fx + fy)
    return z, labels, bz + fx + fy


def einsum(equation, *inputs, **kwargs):
    """Einstein summation: 'ij,jk->ik' is matmul, 'ii' the trace, '...ij->...ji' a transpose.

    Built from transpose, reshape, matmul and reduce_sum, so it is differentiable to any
    order. Labels repeated in one operand take diagonals; ellipses broadcast.

    >>> tf.einsum('ij,jk->ik', tf.ones([2, 3]), tf.ones([3, 4])).shape
    TensorShape([2, 4])
    """
    kwargs.pop("name", None)
    kwargs.pop("optimize", None)
    if kwargs:
        raise TypeError(f"Invalid keyword arguments for this function: {', '.join(sorted(kwargs))}. "
                        "Expected: name, optimize")  # fmt: skip
    if not inputs:
        raise ValueError(f'Got 0 inputs for equation "{equation}", expecting 1')
    first = inputs[0]
    if type(first) is EagerTensor and all(
        type(t) is EagerTensor and t.dtype is first.dtype for t in inputs
    ):
        xs = inputs
    else:
        xs = same_dtype_operands("Einsum", inputs)
    if xs[0].dtype not in _EINSUM_T:
        _check_t("Einsum", xs[0], _EINSUM_T)
    dims_list = [_dim_list(x) for x in xs]
    ins, out = _einsum_parse(equation, tuple(len(d) for d in dims_list))
    _einsum_check_sizes(dims_list, ins)
    out_set = set(out)
    ops = []
    for i, (x, labels, dims) in enumerate(zip(xs, ins, dims_list)):
        labels = list(labels)
        if len(set(labels)) != len(labels):
            x, labels, dims = _einsum_diagonals(x, labels, dims)
        others = {lb for j, lbs in enumerate(ins) if j != i for lb in lbs}
        private = [ax for ax, lb in enumerate(labels) if lb not in out_set and lb not in others]
        if private:
            x = reduction_ops.reduce_sum(x, private)
            labels = [lb for ax, lb in enumerate(labels) if ax not in private]
            dims = [d for ax, d in enumerate(dims) if ax not in private]
        ops.append((x, labels, dims))
    x, lx, dx = ops[0]
    for j in range(1, len(ops)):
        y, ly, dy = ops[j]
        keep = out_set | {lb for _, lbs, _ in ops[j + 1 :] for lb in lbs}
        x, lx, dx = _einsum_pair(x, lx, dx, y, ly, dy, keep)
    return _transpose(x, dx, [lx.index(lb) for lb in out])[0]


TF_API = {
    "tf": ["tensordot", "einsum", "norm"],
    "tf.linalg": [
        "inv",
        "det",
        "slogdet",
        "logdet",
        "solve",
        "triangular_solve",
        "cholesky",
        "cholesky_solve",
        "qr",
        "svd",
        "eigh",
        "eigvalsh",
        "lstsq",
        "pinv",
        "diag",
        "diag_part",
        "set_diag",
        "band_part",
        "tensor_diag",
        "tensor_diag_part",
        "trace",
        "matrix_transpose",
        "adjoint",
        "matvec",
        "cross",
        "norm",
        "normalize",
        "global_norm",
        "tensordot",
        "einsum",
    ],
}
