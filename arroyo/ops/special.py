"""Special-function kernels (erf, erfc, lgamma, digamma, polygamma) on NumPy arrays.

NumPy has none of these. SciPy's are used when it is installed; otherwise the standard
library's `math.erf`/`math.lgamma` are applied elementwise and digamma/polygamma use the
asymptotic series after upward recurrence. Results keep the input dtype.
"""

from __future__ import annotations

import math

import numpy as np


def _scipy_special():
    try:
        import scipy.special as sp
    except ImportError:
        return None
    return sp


def _elementwise(fn, x):
    xa = np.asarray(x)
    work = xa.astype(np.float64)
    out = np.fromiter((fn(v) for v in work.ravel()), dtype=np.float64, count=work.size)
    out = out.reshape(work.shape).astype(xa.dtype)
    return out if isinstance(x, np.ndarray) else out[()]


def _same_dtype(out, x):
    out = np.asarray(out).astype(np.asarray(x).dtype)
    return out if isinstance(x, np.ndarray) else out[()]


def erf(x):
    sp = _scipy_special()
    if sp is not None:
        return _same_dtype(sp.erf(np.asarray(x, dtype=np.float64)), x)
    return _elementwise(math.erf, x)


def erfc(x):
    sp = _scipy_special()
    if sp is not None:
        return _same_dtype(sp.erfc(np.asarray(x, dtype=np.float64)), x)
    return _elementwise(math.erfc, x)


def _lgamma_scalar(v):
    if v <= 0 and v == math.floor(v):
        return math.inf
    try:
        return math.lgamma(v)
    except (ValueError, OverflowError):
        return math.inf


def lgamma(x):
    sp = _scipy_special()
    if sp is not None:
        return _same_dtype(sp.gammaln(np.asarray(x, dtype=np.float64)), x)
    return _elementwise(_lgamma_scalar, x)


def _digamma64(x):
    x = np.array(x, dtype=np.float64, copy=True)
    out = np.zeros_like(x)
    # Poles at non-positive integers: TF returns nan there.
    pole = (x <= 0) & (x == np.floor(x))
    # Reflection for negative x: psi(1-x) - psi(x) = pi cot(pi x).
    neg = (x < 0) & ~pole
    refl = np.zeros_like(x)
    with np.errstate(all="ignore"):
        refl[neg] = np.pi / np.tan(np.pi * x[neg])
        x = np.where(neg, 1 - x, x)
        acc = np.zeros_like(x)
        while True:
            small = x < 6
            if not small.any():
                break
            acc[small] -= 1 / x[small]
            x = np.where(small, x + 1, x)
        inv = 1 / x
        inv2 = inv * inv
        series = np.log(x) - 0.5 * inv - inv2 * (
            1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132)))
        )
        out = acc + series
        out = np.where(neg, out - refl, out)
    out[pole] = np.nan
    return out


def digamma(x):
    sp = _scipy_special()
    if sp is not None:
        return _same_dtype(sp.digamma(np.asarray(x, dtype=np.float64)), x)
    return _same_dtype(_digamma64(x), x)


def _hurwitz_zeta64(s, q):
    """zeta(s, q) for s > 1, q > 0, by Euler-Maclaurin summation."""
    s = np.asarray(s, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    s, q = np.broadcast_arrays(s, q)
    n = 9
    total = np.zeros(s.shape)
    for k in range(n):
        total += (q + k) ** (-s)
    a = q + n
    total += a ** (1 - s) / (s - 1) + 0.5 * a ** (-s)
    # Bernoulli-number correction terms.
    b2k = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6]
    fact = 1.0
    term_s = s.copy()
    pow_a = a ** (-s - 1)
    for k, b in enumerate(b2k, 1):
        fact *= (2 * k) * (2 * k - 1) if k > 1 else 2
        total += b / fact * term_s * pow_a
        term_s = term_s * (s + 2 * k - 1) * (s + 2 * k)
        pow_a = pow_a / (a * a)
    return total


def polygamma(n, x):
    """psi^(n)(x) = (-1)^(n+1) n! zeta(n+1, x); n = 0 gives digamma."""
    sp = _scipy_special()
    na = np.asarray(n, dtype=np.float64)
    xa = np.asarray(x, dtype=np.float64)
    if sp is not None:
        out = np.where(na == 0, sp.digamma(xa), sp.polygamma(np.maximum(na, 1).astype(np.int64), xa))
        return _same_dtype(out, x)
    na, xa = np.broadcast_arrays(na, xa)
    out = np.empty(na.shape)
    zero = na == 0
    out[zero] = _digamma64(xa[zero])
    rest = ~zero
    if rest.any():
        nn = na[rest]
        fact = np.array([math.gamma(v + 1) for v in nn.ravel()]).reshape(nn.shape)
        out[rest] = (-1) ** (nn + 1) * fact * _hurwitz_zeta64(nn + 1, xa[rest])
    return _same_dtype(out, x)
