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
    if not math.isfinite(v):
        return v if v != v else math.inf  # nan stays nan; +-inf give inf, as TF
    if v <= 0 and v == math.floor(v):
        return math.inf
    try:
        return math.lgamma(v)
    except (ValueError, OverflowError):
        return math.inf


def lgamma(x):
    sp = _scipy_special()
    if sp is not None:
        xa = np.asarray(x, dtype=np.float64)
        return _same_dtype(
            np.where(xa == -np.inf, np.inf, sp.gammaln(xa)), x
        )  # TF: lgamma(-inf) = inf
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
        # Poles (including -inf) are answered with nan below; park them at 1 meanwhile.
        x = np.where(neg, 1 - x, np.where(pole, 1.0, x))
        acc = np.zeros_like(x)
        while True:
            small = x < 6
            if not small.any():
                break
            acc[small] -= 1 / x[small]
            x = np.where(small, x + 1, x)
        inv = 1 / x
        inv2 = inv * inv
        series = (
            np.log(x)
            - 0.5 * inv
            - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132))))
        )
        out = acc + series
        out = np.where(neg, out - refl, out)
    out[pole] = np.nan
    return out


def _poles(xa):
    return (xa <= 0) & (xa == np.floor(xa))


def digamma(x):
    sp = _scipy_special()
    if sp is not None:
        xa = np.asarray(x, dtype=np.float64)
        # SciPy gives -inf at 0; TF gives nan at every pole.
        return _same_dtype(np.where(_poles(xa), np.nan, sp.digamma(xa)), x)
    return _same_dtype(_digamma64(x), x)


def _hurwitz_zeta64(s, q):
    """zeta(s, q) for s > 1 (integer when q < 0), by Euler-Maclaurin summation."""
    s = np.asarray(s, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    s, q = np.broadcast_arrays(s, q)
    # Sum enough leading terms directly that the tail starts at q + n >= 9 for every element
    # (negative non-integer q arise from polygamma at negative x; s is an integer there).
    low = np.nanmin(q) if q.size and not np.all(np.isnan(q)) else 0.0
    n = 9 + (int(np.ceil(-low)) if low < 0 else 0)
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
    """psi^(n)(x) = (-1)^(n+1) n! zeta(n+1, x); n = 0 gives digamma.

    As TF: nan unless n is a non-negative integer; at the poles (x a non-positive
    integer) +inf for odd n, nan for even n.
    """
    sp = _scipy_special()
    na, xa = np.broadcast_arrays(np.asarray(n, dtype=np.float64), np.asarray(x, dtype=np.float64))
    valid = (na >= 0) & (na == np.floor(na))
    nn = np.where(valid, na, 1.0)
    pole = _poles(xa)
    with np.errstate(all="ignore"):
        if sp is not None:
            out = np.where(
                nn == 0, sp.digamma(xa), sp.polygamma(np.maximum(nn, 1).astype(np.int64), xa)
            )
        else:
            out = np.empty(na.shape)
            zero = nn == 0
            out[zero] = _digamma64(xa[zero])
            rest = ~zero
            if rest.any():
                k = nn[rest]
                fact = np.array([math.gamma(v + 1) for v in k.ravel()]).reshape(k.shape)
                q = np.where(pole | np.isneginf(xa), 1.0, xa)[rest]  # poles are answered below
                out[rest] = (-1) ** (k + 1) * fact * _hurwitz_zeta64(k + 1, q)
    odd = np.mod(nn, 2) == 1
    out = np.where(pole, np.where(odd, np.inf, np.nan), out)
    out = np.where(np.isneginf(xa), np.nan, out)
    out = np.where(valid, out, np.nan)
    return _same_dtype(out, x)
