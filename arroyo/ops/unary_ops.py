"""Unary elementwise math: exp, log, trig, sigmoid, erf, rounding, predicates...

One table row per op: raw-op name, NumPy kernel, allowed dtypes, gradient.
"""

from __future__ import annotations

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.op_registry import COMPLEX, FLOATS, INTS, defop
from arroyo.ops import _infer, special
from arroyo.ops._helpers import np_allowed, unary
from arroyo.ops._parallel import bounds, run_claimed, split_ufunc, splittable
from arroyo.ops.math_ops import add, conj, multiply, negative, subtract, truediv

FC = FLOATS + COMPLEX
_INT_FLOATS = FLOATS + COMPLEX + INTS


def _c(op):
    """Conjugated forward output/input, as TF's complex gradients use."""
    return conj(op)


def _sigmoid_into(x, out):
    # 1 / (1 + exp(-x)) in place: exp overflow for x << 0 gives 1/inf = 0, the correct
    # limit. (Branch-free: NumPy's masked `where=` loops are ~20x slower on large arrays.)
    np.negative(x, out=out)
    np.exp(out, out=out)
    np.add(out, 1, out=out)
    _reciprocal_into(out, out)


# NumPy's float `reciprocal` loop is ~2x slower than `1 / x` on large arrays (and the two
# are bit-identical: both are one correctly rounded division).
_DIVIDE_RECIPROCAL_MIN = 4096


def _reciprocal_into(x, out):
    if x.size >= _DIVIDE_RECIPROCAL_MIN:
        np.true_divide(1, x, out=out)
    else:
        np.reciprocal(x, out=out)


def _sigmoid_kernel(x):
    if type(x) is not np.ndarray or x.dtype.kind != "f":
        return 1 / (1 + np.exp(-x))
    out = np.empty_like(x)
    if splittable((x,)):
        # Large inputs: both cores fill chunks of the result, no temporaries or copies.
        flat, o = x.reshape(-1), out.reshape(-1)
        parts = bounds(x.size)

        def work(i, _helper):
            lo, hi = parts[i]
            _sigmoid_into(flat[lo:hi], o[lo:hi])

        run_claimed(work)
    else:
        _sigmoid_into(x, out)
    return out


def _round_kernel(x):
    return np.round(x) if x.dtype.kind == "f" else x


def _rsqrt(x):
    return 1 / np.sqrt(x)


def _reciprocal(x):
    if x.dtype.kind in "iu":
        # TF registers no CPU kernel for integer Reciprocal (only XLA has one).
        from arroyo.framework.errors import NotFoundError

        t = "DT_" + x.dtype.name.upper()
        raise NotFoundError(
            None, None, "Could not find device for node: {{node Reciprocal}} = "
            f"Reciprocal[T={t}]\nAll kernels registered for op Reciprocal:\n  device='CPU'; "
            "T in [DT_COMPLEX128, DT_COMPLEX64, DT_DOUBLE, DT_BFLOAT16, DT_HALF, DT_FLOAT]\n"
            " [Op:Reciprocal]",
        )  # fmt: skip
    if x.dtype.kind in "fc" and x.size >= _DIVIDE_RECIPROCAL_MIN:
        return np.true_divide(x.dtype.type(1), x)
    return np.reciprocal(x)


# name: (kernel, allowed, gradient(op, g) -> grad, public name)
_TABLE = {
    "Exp": (split_ufunc(np.exp), FC, lambda op, g: multiply(g, _c(op.outputs[0]))),
    "Expm1": (np.expm1, FC, lambda op, g: multiply(g, exp(_c(op.inputs[0])))),
    "Log": (split_ufunc(np.log), FC, lambda op, g: multiply(g, reciprocal(_c(op.inputs[0])))),
    "Log1p": (np.log1p, FC, lambda op, g: multiply(g, reciprocal(add(1, _c(op.inputs[0]))))),
    "Sqrt": (np.sqrt, FC, lambda op, g: truediv(multiply(g, 0.5), _c(op.outputs[0]))),
    "Rsqrt": (_rsqrt, FC, lambda op, g: multiply(g, multiply(-0.5, _cube(_c(op.outputs[0]))))),
    "Square": (np.square, _INT_FLOATS, lambda op, g: multiply(g, multiply(2, _c(op.inputs[0])))),
    "Reciprocal": (_reciprocal, _INT_FLOATS,
                   lambda op, g: multiply(g, negative(square(_c(op.outputs[0]))))),
    "Sin": (split_ufunc(np.sin), FC, lambda op, g: multiply(g, cos(_c(op.inputs[0])))),
    "Cos": (split_ufunc(np.cos), FC, lambda op, g: multiply(g, negative(sin(_c(op.inputs[0]))))),
    "Tan": (np.tan, FC, lambda op, g: multiply(g, square(reciprocal(cos(_c(op.inputs[0])))))),
    "Asin": (np.arcsin, FC, lambda op, g: multiply(g, rsqrt(subtract(1, square(_c(op.inputs[0])))))),
    "Acos": (np.arccos, FC,
             lambda op, g: negative(multiply(g, rsqrt(subtract(1, square(_c(op.inputs[0]))))))),
    "Atan": (np.arctan, FC, lambda op, g: multiply(g, reciprocal(add(1, square(_c(op.inputs[0])))))),
    "Sinh": (np.sinh, FC, lambda op, g: multiply(g, cosh(_c(op.inputs[0])))),
    "Cosh": (np.cosh, FC, lambda op, g: multiply(g, sinh(_c(op.inputs[0])))),
    "Tanh": (split_ufunc(np.tanh), FC, lambda op, g: multiply(g, subtract(1, square(_c(op.outputs[0]))))),
    "Asinh": (np.arcsinh, FC, lambda op, g: multiply(g, rsqrt(add(square(_c(op.inputs[0])), 1)))),
    "Acosh": (np.arccosh, FC, lambda op, g: multiply(g, rsqrt(subtract(square(_c(op.inputs[0])), 1)))),
    "Atanh": (np.arctanh, FC, lambda op, g: multiply(g, reciprocal(subtract(1, square(_c(op.inputs[0])))))),
    "Sigmoid": (_sigmoid_kernel, FC,
                lambda op, g: multiply(g, multiply(_c(op.outputs[0]), subtract(1, _c(op.outputs[0]))))),
    "Erf": (special.erf, FLOATS,
            lambda op, g: multiply(g, multiply(2 / np.sqrt(np.pi), exp(negative(square(op.inputs[0])))))),
    "Erfc": (special.erfc, FLOATS,
             lambda op, g: multiply(g, multiply(-2 / np.sqrt(np.pi), exp(negative(square(op.inputs[0])))))),
    "Lgamma": (special.lgamma, FLOATS, lambda op, g: multiply(g, digamma(op.inputs[0]))),
    "Digamma": (special.digamma, FLOATS, lambda op, g: multiply(g, _trigamma(op.inputs[0]))),
    "Floor": (np.floor, FLOATS, lambda op, g: None),
    "Ceil": (np.ceil, FLOATS, lambda op, g: None),
    "Round": (_round_kernel, FLOATS + INTS, lambda op, g: None),
    "Rint": (np.rint, FLOATS, lambda op, g: None),
    "IsNan": (np.isnan, FLOATS, None),
    "IsInf": (np.isinf, FLOATS, None),
    "IsFinite": (np.isfinite, FLOATS, None),
}  # fmt: skip

_OPS = {}
for _name, (_kernel, _allowed, _grad) in _TABLE.items():
    _out = dtypes.bool if _name.startswith("Is") else None
    _OPS[_name] = (
        defop(
            _name,
            ("x",),
            _kernel,
            infer=_infer.make_unary(_out),
            grad=_grad,
            differentiable=_grad is not None,
            fusible=True,
        ),  # fmt: skip
        np_allowed(_allowed),
        _allowed,
    )


def _cube(y):
    return multiply(y, multiply(y, y))


def _u(name):
    op, allowed_np, allowed = _OPS[name]

    def fn(x, name=None):
        return unary(op, allowed_np, allowed, x, name)

    fn.__doc__ = f"Elementwise {name} of `x` (raw op `{name}`), same dtype and shape."
    return fn


exp = _u("Exp")
expm1 = _u("Expm1")
log = _u("Log")
log1p = _u("Log1p")
sqrt = _u("Sqrt")
rsqrt = _u("Rsqrt")
square = _u("Square")
reciprocal = _u("Reciprocal")
sin = _u("Sin")
cos = _u("Cos")
tan = _u("Tan")
asin = _u("Asin")
acos = _u("Acos")
atan = _u("Atan")
sinh = _u("Sinh")
cosh = _u("Cosh")
tanh = _u("Tanh")
asinh = _u("Asinh")
acosh = _u("Acosh")
atanh = _u("Atanh")
sigmoid = _u("Sigmoid")
erf = _u("Erf")
erfc = _u("Erfc")
lgamma = _u("Lgamma")
digamma = _u("Digamma")
floor = _u("Floor")
ceil = _u("Ceil")
round = _u("Round")  # noqa: A001 - TF's public name (half to even)
rint = _u("Rint")
is_nan = _u("IsNan")
is_inf = _u("IsInf")
is_finite = _u("IsFinite")
for _n, _f in list(globals().items()):
    if callable(_f) and getattr(_f, "__name__", "") == "fn":
        _f.__name__ = _f.__qualname__ = _n

_POLYGAMMA = defop("Polygamma", ("a", "x"), special.polygamma, infer=_infer.make_broadcast("Polygamma"),
                   grad=lambda op, g: (None, multiply(g, polygamma(add(op.inputs[0], 1), op.inputs[1]))))  # fmt: skip


def polygamma(a, x, name=None):
    """The n-th derivative of digamma, elementwise (`a` holds n as a float)."""
    from arroyo.ops._helpers import binary

    return binary(_POLYGAMMA, np_allowed((dtypes.float32, dtypes.float64)),
                  (dtypes.float32, dtypes.float64), a, x, name)  # fmt: skip


def _trigamma(x):
    from arroyo.ops.array_ops import ones_like

    return polygamma(ones_like(x), x)


del _name, _kernel, _allowed, _grad, _n, _f, _out

_UNARY_PUBLIC = ["exp", "expm1", "log", "log1p", "sqrt", "rsqrt", "square", "reciprocal", "sin",
                 "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh",
                 "atanh", "sigmoid", "erf", "erfc", "lgamma", "digamma", "floor", "ceil", "round",
                 "rint", "is_nan", "is_inf", "is_finite", "polygamma"]  # fmt: skip
TF_API = {
    "tf": [
        "exp",
        "sqrt",
        "square",
        "sin",
        "cos",
        "tan",
        "asin",
        "acos",
        "atan",
        "sinh",
        "cosh",
        "tanh",
        "asinh",
        "acosh",
        "atanh",
        "sigmoid",
        "floor",
        "round",
        "reciprocal",
        "rsqrt",
    ],
    "tf.math": _UNARY_PUBLIC,
    "tf.nn": ["sigmoid", "tanh"],
}
