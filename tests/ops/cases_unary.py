"""Table rows for unary_ops: exp/log, trig and hyperbolic, sigmoid, special functions,
rounding and the float predicates. Inputs stay inside each op's domain."""

import importlib.util

import numpy as np

from tests.harness import Case

HAVE_SCIPY = importlib.util.find_spec("scipy") is not None

R = np.random.default_rng(7)
X = R.normal(size=(2, 3)).astype(np.float32)  # anywhere on the real line
POS = R.uniform(0.3, 2.5, size=(2, 3)).astype(np.float32)  # log, sqrt, lgamma, ...
UNIT = R.uniform(-0.85, 0.85, size=(2, 3)).astype(np.float32)  # asin, acos, atanh
SMALL = R.uniform(-1.2, 1.2, size=(2, 3)).astype(np.float32)  # tan away from its poles
GT1 = R.uniform(1.2, 3.0, size=(2, 3)).astype(np.float32)  # acosh
# Rounding: halves (ties go to even), and values well away from integers for gradients.
HALVES = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49, -0.51, 3.7], np.float32)
OFFGRID = np.array([[0.3, 1.7, -2.2], [-0.6, 2.45, 3.1]], np.float32)
SPECIAL = np.array([1.0, np.nan, np.inf, -np.inf, 0.0, -3.5], np.float32)
CPLX = np.array([1 + 1j, -0.5 + 2j, 0.3 - 0.7j], np.complex64)


def _u(name, fn_name, x, ref, grad=True, grad2=True, **kw):
    return Case(name, lambda tf, v: getattr(tf.math, fn_name)(v), [x], ops=(kw.pop("op"),),
                ref=ref, grad=grad, grad2=grad2 and grad, **kw)  # fmt: skip


def _sigmoid(x):
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


def _sp(fn):
    """SciPy reference function, or None without SciPy (the row then checks goldens only)."""
    if not HAVE_SCIPY:
        return None

    def ref(*args):
        import scipy.special as sp

        return getattr(sp, fn)(*[np.asarray(a, np.float64) for a in args])

    return ref


def _if_scipy(ref):
    return ref if HAVE_SCIPY else None


CASES = [
    _u("exp", "exp", X, np.exp, op="Exp"),
    _u("expm1", "expm1", X, np.expm1, op="Expm1"),
    _u("log", "log", POS, np.log, op="Log"),
    _u("log1p", "log1p", POS - 0.2, np.log1p, op="Log1p"),
    _u("sqrt", "sqrt", POS, np.sqrt, op="Sqrt"),
    _u("rsqrt", "rsqrt", POS, lambda x: 1 / np.sqrt(x), op="Rsqrt"),
    _u("square", "square", X, np.square, op="Square"),
    _u("reciprocal", "reciprocal", POS, np.reciprocal, op="Reciprocal"),
    _u("sin", "sin", X, np.sin, op="Sin"),
    _u("cos", "cos", X, np.cos, op="Cos"),
    _u("tan", "tan", SMALL, np.tan, op="Tan", rtol=2e-5),
    _u("asin", "asin", UNIT, np.arcsin, op="Asin"),
    _u("acos", "acos", UNIT, np.arccos, op="Acos"),
    _u("atan", "atan", X, np.arctan, op="Atan"),
    _u("sinh", "sinh", X, np.sinh, op="Sinh"),
    _u("cosh", "cosh", X, np.cosh, op="Cosh"),
    _u("tanh", "tanh", X, np.tanh, op="Tanh"),
    _u("asinh", "asinh", X, np.arcsinh, op="Asinh"),
    _u("acosh", "acosh", GT1, np.arccosh, op="Acosh"),
    _u("atanh", "atanh", UNIT, np.arctanh, op="Atanh"),
    _u("sigmoid", "sigmoid", X * 4, _sigmoid, op="Sigmoid"),
    Case(
        "sigmoid_tails",
        lambda tf, x: tf.math.sigmoid(x),
        [np.array([-100.0, -30.0, 0.0, 30.0, 100.0], np.float32)],
        ops=("Sigmoid",),
        ref=_sigmoid,
    ),
    _u("erf", "erf", X, _sp("erf"), op="Erf"),
    _u("erfc", "erfc", X, _sp("erfc"), op="Erfc"),
    _u("lgamma", "lgamma", POS, _sp("gammaln"), op="Lgamma", rtol=2e-5),
    _u(
        "lgamma_negative",
        "lgamma",
        np.array([-0.5, -1.3, -2.7, 0.2], np.float32),
        _sp("gammaln"),
        op="Lgamma",
        rtol=2e-5,
    ),
    _u("digamma", "digamma", POS, _sp("digamma"), op="Digamma", rtol=2e-5),
    _u(
        "digamma_negative",
        "digamma",
        np.array([-0.5, -1.3, -2.7, 0.2], np.float32),
        _sp("digamma"),
        op="Digamma",
        rtol=2e-5,
        grad2=False,
    ),
    Case(
        "polygamma",
        lambda tf, a, x: tf.math.polygamma(tf.cast(a, x.dtype), x),
        [np.array([[0.0, 1.0, 2.0], [3.0, 1.0, 0.0]], np.float32), POS],
        ops=("Polygamma",),
        ref=_if_scipy(
            lambda a, x: np.array(
                [[_sp("polygamma")(int(n), v) for n, v in zip(ra, rx)] for ra, rx in zip(a, x)]
            )
        ),
        grad=True,
        grad2=True,
        grad_inputs=(1,),
        rtol=2e-5,
        grad_rtol=1e-3,
    ),
    Case(
        "polygamma_invalid",
        lambda tf, a, x: tf.math.polygamma(a, x),
        [
            np.array([1.5, -1.0, 1.0, 2.0, 1.0], np.float32),
            np.array([1.0, 1.0, -1.0, -1.0, -1.5], np.float32),
        ],
        ops=("Polygamma",),
        ref=lambda a, x: np.array([np.nan, np.nan, np.inf, np.nan, 9.379247]),
        rtol=1e-5,
    ),
    Case(
        "special_poles",
        lambda tf, x: [tf.math.lgamma(x), tf.math.digamma(x)],
        [np.array([0.0, -1.0, -2.0, np.inf, -np.inf, np.nan], np.float32)],
        ops=("Lgamma", "Digamma"),
        ref=lambda x: [
            np.array([np.inf, np.inf, np.inf, np.inf, np.inf, np.nan]),
            np.array([np.nan, np.nan, np.nan, np.inf, np.nan, np.nan]),
        ],
    ),
    _u("floor", "floor", OFFGRID, np.floor, op="Floor", grad2=False),
    _u("ceil", "ceil", OFFGRID, np.ceil, op="Ceil", grad2=False),
    Case(
        "round_half_even",
        lambda tf, x: tf.math.round(x),
        [HALVES],
        ops=("Round",),
        ref=lambda x: np.array([0, 2, 2, -0, -2, -2, 0, -1, 4], np.float32),
    ),
    Case(
        "round_grad", lambda tf, x: tf.round(x), [OFFGRID], ops=("Round",), ref=np.round, grad=True
    ),
    Case(
        "round_int",
        lambda tf, x: tf.math.round(x),
        [np.array([-2, 3, 7], np.int32)],
        ops=("Round",),
        ref=lambda x: x,
    ),
    Case("rint", lambda tf, x: tf.math.rint(x), [HALVES], ops=("Rint",), ref=np.rint),
    Case("is_nan", lambda tf, x: tf.math.is_nan(x), [SPECIAL], ops=("IsNan",), ref=np.isnan),
    Case("is_inf", lambda tf, x: tf.math.is_inf(x), [SPECIAL], ops=("IsInf",), ref=np.isinf),
    Case(
        "is_finite",
        lambda tf, x: tf.math.is_finite(x),
        [SPECIAL],
        ops=("IsFinite",),
        ref=np.isfinite,
    ),
    Case(
        "float64",
        lambda tf, x: [tf.exp(x), tf.math.log1p(x), tf.math.erf(x)],
        [POS.astype(np.float64)],
        ops=("Exp", "Log1p", "Erf"),
        ref=_if_scipy(lambda x: [np.exp(x), np.log1p(x), _sp("erf")(x)]),
        rtol=1e-12,
        atol=1e-12,
    ),
    Case(
        "float16",
        lambda tf, x: [tf.exp(x), tf.math.sqrt(x), tf.math.sigmoid(x)],
        [POS.astype(np.float16)],
        ops=("Exp", "Sqrt", "Sigmoid"),
        ref=lambda x: [np.exp(x), np.sqrt(x), _sigmoid(x)],
        rtol=2e-3,
        atol=2e-3,
    ),
    Case(
        "square_int",
        lambda tf, x: tf.math.square(x),
        [np.array([-3, 0, 4], np.int32)],
        ops=("Square",),
        ref=np.square,
    ),
    Case(
        "complex",
        lambda tf, z: [
            tf.exp(z),
            tf.math.log(z),
            tf.sqrt(z),
            tf.math.sigmoid(z),
            tf.math.expm1(z),
            tf.tanh(z),
            tf.sin(z),
        ],
        [CPLX],
        ops=("Exp", "Log", "Sqrt", "Sigmoid", "Expm1", "Tanh", "Sin"),
        ref=lambda z: [
            np.exp(z),
            np.log(z),
            np.sqrt(z),
            _sigmoid(z),
            np.expm1(z),
            np.tanh(z),
            np.sin(z),
        ],
    ),
    Case(
        "edge_values",
        lambda tf, x: [tf.math.rsqrt(x), tf.math.log(x), tf.math.reciprocal(x)],
        [np.array([0.0, -1.0, 4.0], np.float32)],
        ops=("Rsqrt", "Log", "Reciprocal"),
        ref=lambda x: [
            np.array([np.inf, np.nan, 0.5]),
            np.array([-np.inf, np.nan, np.log(4)]),
            np.array([np.inf, -1.0, 0.25]),
        ],
    ),
    Case(
        "acosh_domain",
        lambda tf, x: tf.math.acosh(x),
        [np.array([0.5, 1.0, 2.0], np.float32)],
        ops=("Acosh",),
        ref=np.arccosh,
    ),
    Case(
        "chain",
        lambda tf, x: tf.tanh(tf.sin(x) * tf.exp(-tf.square(x))) + tf.math.log1p(tf.sigmoid(x)),
        [X],
        ops=("Tanh", "Sin", "Exp", "Square", "Log1p", "Sigmoid"),
        ref=lambda x: np.tanh(np.sin(x) * np.exp(-x * x)) + np.log1p(_sigmoid(x)),
        grad=True,
        grad2=True,
    ),
]
