"""Complex numbers: tf.complex, tf.math.real / imag / angle (raw ops Complex, Real, Imag, Angle).

Gradients follow TF's convention for complex tensors (the gradient of a real loss is the
conjugate Wirtinger derivative times two, so real and imaginary parts split naturally).
"""

from __future__ import annotations

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.op_registry import defop, execute
from arroyo.framework.tensor import EagerTensor
from arroyo.ops import _infer, array_ops, math_ops, unary_ops
from arroyo.ops._helpers import to_tensor

_COMPLEX_OF = {dtypes.float32: dtypes.complex64, dtypes.float64: dtypes.complex128}
_TOUT = {dtypes.float32: {"Tout": dtypes.complex64}, dtypes.float64: {"Tout": dtypes.complex128}}
_REAL_TOUT = {
    dtypes.complex64: {"Tout": dtypes.float32},
    dtypes.complex128: {"Tout": dtypes.float64},
}


def _complex_kernel(real, imag, Tout=dtypes.complex64):  # noqa: N803 - TF's attr name
    out = np.empty(np.broadcast_shapes(np.shape(real), np.shape(imag)), Tout.as_numpy_dtype)
    out.real = real
    out.imag = imag
    return out if out.ndim else out[()]


def _complex_infer(inputs, attrs):
    shape = _infer.broadcast_shapes(inputs[0].shape, inputs[1].shape, "Complex")
    return [(attrs.get("Tout") or _COMPLEX_OF[inputs[0].dtype], shape)]


def _complex_grad(op, g):
    return real(g), imag(g)


def _part_kernel(fn):
    def kernel(input, Tout=None):  # noqa: A002, N803
        out = np.ascontiguousarray(fn(input))
        if Tout is not None and out.dtype != Tout.as_numpy_dtype:
            out = out.astype(Tout.as_numpy_dtype)
        return out if out.ndim else out[()]

    return kernel


def _part_infer(inputs, attrs):
    return [(attrs.get("Tout") or inputs[0].dtype.real_dtype, inputs[0].shape)]


def _real_grad(op, g):
    return complex(g, array_ops.zeros_like(g))


def _imag_grad(op, g):
    return complex(array_ops.zeros_like(g), g)


def _angle_grad(op, g):
    # -g / (imag(z) + i real(z)), as TF; a product with the reciprocal (whose gradient
    # conjugates correctly) so that it differentiates again.
    z = op.inputs[0]
    inv = unary_ops.reciprocal(complex(imag(z), real(z)))
    return math_ops.negative(math_ops.multiply(complex(g, array_ops.zeros_like(g)), inv))


_COMPLEX = defop("Complex", ("real", "imag"), _complex_kernel, attrs={"Tout": dtypes.complex64},
                 infer=_complex_infer, grad=_complex_grad, fusible=True)  # fmt: skip
_REAL = defop("Real", ("input",), _part_kernel(np.real), attrs={"Tout": dtypes.float32},
              infer=_part_infer, grad=_real_grad, fusible=True)  # fmt: skip
_IMAG = defop("Imag", ("input",), _part_kernel(np.imag), attrs={"Tout": dtypes.float32},
              infer=_part_infer, grad=_imag_grad, fusible=True)  # fmt: skip
_ANGLE = defop("Angle", ("input",), _part_kernel(np.angle), attrs={"Tout": dtypes.float32},
               infer=_part_infer, grad=_angle_grad, fusible=True)  # fmt: skip


def complex(real, imag, name=None):  # noqa: A001 - TF's public name
    """Builds complex numbers real + i*imag (float32 -> complex64, float64 -> complex128).

    >>> tf.complex([1., 2.], 3.).numpy().tolist()
    [(1+3j), (2+3j)]
    """
    if type(real) is EagerTensor and type(imag) is EagerTensor and real.dtype is imag.dtype:
        attrs = _TOUT.get(real.dtype)
        if attrs is not None:
            return execute(_COMPLEX, (real, imag), attrs, name)
    # TF converts the two parts independently: Python floats are float32 even next to float64.
    r, i = to_tensor(real), to_tensor(imag)
    if r.dtype is not i.dtype or r.dtype not in _TOUT:
        raise TypeError(
            f"The `real` and `imag` components have incorrect types: {r.dtype.name} {i.dtype.name}. "
            "They must be consistent, and one of [tf.float32, tf.float64]"
        )
    return execute(_COMPLEX, (r, i), _TOUT[r.dtype], name)


def _numeric(x):
    x = to_tensor(x)
    if not (x.dtype.is_floating or x.dtype.is_complex or x.dtype.is_integer):
        raise TypeError(f"input must be a numeric tensor, but got tensor with dtype {x.dtype}")
    return x


def real(input, name=None):  # noqa: A002
    """Real part of a complex tensor; real tensors are returned unchanged.

    >>> tf.math.real(tf.constant([1 + 2j])).numpy().tolist()
    [1.0]
    """
    x = _numeric(input)
    if not x.dtype.is_complex:
        return x
    return execute(_REAL, (x,), _REAL_TOUT[x.dtype], name)


def imag(input, name=None):  # noqa: A002
    """Imaginary part of a complex tensor; zeros for real tensors.

    >>> tf.math.imag(tf.constant([1 + 2j])).numpy().tolist()
    [2.0]
    """
    x = _numeric(input)
    if not x.dtype.is_complex:
        return array_ops.zeros_like(x)
    return execute(_IMAG, (x,), _REAL_TOUT[x.dtype], name)


def angle(input, name=None):  # noqa: A002
    """Argument of complex numbers, in (-pi, pi]; for reals pi where negative, else 0.

    >>> tf.math.angle(tf.constant([-1., 2.])).numpy().tolist()
    [3.1415927410125732, 0.0]
    """
    x = _numeric(input)
    if not x.dtype.is_complex:
        if x.dtype.is_integer:
            raise TypeError(f"Cannot convert {np.pi} to EagerTensor of dtype {x.dtype.name}")
        pi = math_ops.multiply(array_ops.ones_like(x), np.pi)
        return array_ops.where(math_ops.less(x, 0), pi, array_ops.zeros_like(x))
    return execute(_ANGLE, (x,), _REAL_TOUT[x.dtype], name)


TF_API = {
    "tf": ["complex"],
    "tf.math": ["real", "imag", "angle"],
}
