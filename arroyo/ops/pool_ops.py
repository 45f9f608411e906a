"""Max and average pooling (tf.nn.max_pool*, avg_pool*) in 1, 2 and 3 spatial dimensions.

Kernels work on channels-last arrays and loop over the window taps (k_h * k_w passes of
vectorized `np.maximum`/`np.add` over the whole output), which beats reducing a strided
window view. Windows that tile the input exactly (ksize == strides, e.g. 2x2/2) are reduced
along the window rows first, on whole contiguous image rows, and their gradients are one
comparison plus one exact select (MaxPoolGrad) or one broadcast store (AvgPoolGrad); large
ones are split over the conv worker threads. The gradients are ops of their own
(MaxPoolGrad, AvgPoolGrad, ...) with their own kernels and gradients, so second order works
as in TF.
"""

from __future__ import annotations

import collections
import itertools

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.errors import InvalidArgumentError, UnimplementedError
from arroyo.framework.op_registry import FLOATS, INTS, defop, execute
from arroyo.framework.tensor_shape import TensorShape
from arroyo.ops import array_ops
from arroyo.ops._helpers import check_allowed, int_tensor, static_value, to_tensor
from arroyo.ops.conv_ops import _attr_error, _get_sequence, _halves, _run_items, convert_padding

_MAX_T = FLOATS + INTS
_AVG_T = FLOATS
_FORMATS = {2: ("NHWC", "NCHW"), 3: ("NDHWC", "NCDHW")}


# -- geometry ---------------------------------------------------------------------------


class _Pool:
    """Window geometry of one pooling call on a channels-last array of spatial rank r."""

    __slots__ = ("k", "s", "out", "before", "after", "size")

    def __init__(self, op, shape_cl, ksize, strides, padding, explicit, data_format, nd):
        ch_first = data_format.startswith("NC")
        ksize = [int(v) for v in ksize]
        strides = [int(v) for v in strides]
        if len(ksize) != nd + 2 or len(strides) != nd + 2:
            raise InvalidArgumentError(
                None, None, f"Sliding window ksize and strides fields must specify {nd + 2} dimensions [Op:{op}]"
            )  # fmt: skip
        if any(v <= 0 for v in ksize):
            raise InvalidArgumentError(
                None, None,
                f"Sliding window ksize must be positive. The specified or inferred ksize is: "
                f"{','.join(map(str, ksize))} [Op:{op}]",
            )  # fmt: skip
        for v in strides:
            if v <= 0:
                raise InvalidArgumentError(None, None, f"Stride must be > 0, but got {v} [Op:{op}]")
        sp = slice(2, None) if ch_first else slice(1, nd + 1)
        bc = (ksize[0], ksize[1] if ch_first else ksize[-1])
        sbc = (strides[0], strides[1] if ch_first else strides[-1])
        if bc[0] != 1 or sbc[0] != 1:
            raise UnimplementedError(
                None, None, f"Pooling is not yet supported on the batch dimension. [Op:{op}]"
            )
        if bc[1] != 1 or sbc[1] != 1:
            raise UnimplementedError(
                None, None, f"Pooling is not yet supported on the depth dimension. [Op:{op}]"
            )
        self.k = ksize[sp]
        self.s = strides[sp]
        self.size = list(shape_cl[1 : nd + 1])
        pairs = None
        if padding == "EXPLICIT":
            allp = [(explicit[2 * i], explicit[2 * i + 1]) for i in range(nd + 2)]
            pairs = allp[sp]
        self.out, self.before, self.after = [], [], []
        for d in range(nd):
            size, k, s = self.size[d], self.k[d], self.s[d]
            if padding == "VALID":
                o, b, a = max(0, (size - k + s) // s), 0, 0
            elif padding == "SAME":
                o = -(-size // s)
                tot = max(0, (o - 1) * s + k - size)
                b, a = tot // 2, tot - tot // 2
            else:
                b, a = pairs[d]
                o = max(0, (size + b + a - k) // s + 1)
            self.out.append(o)
            self.before.append(b)
            self.after.append(a)

    def padded_shape(self, n, c):
        ext = [max(sz + b + a, (o - 1) * s + k if o else 0)
               for sz, b, a, o, s, k in zip(self.size, self.before, self.after, self.out, self.s, self.k)]  # fmt: skip
        return (n, *ext, c)

    def interior(self):
        return (
            (slice(None),)
            + tuple(slice(b, b + sz) for b, sz in zip(self.before, self.size))
            + (slice(None),)
        )

    def pad(self, x, value):
        shape = self.padded_shape(x.shape[0], x.shape[-1])
        if shape == x.shape:
            return x
        xp = np.full(shape, value, x.dtype)
        xp[self.interior()] = x
        return xp

    def taps(self):
        """Index tuples selecting, for each window offset, the strided slab it reads."""
        ranges = [range(k) for k in self.k]
        for offs in itertools.product(*ranges):
            yield (
                (slice(None),)
                + tuple(slice(o, o + s * (n - 1) + 1, s) for o, s, n in zip(offs, self.s, self.out))
                + (slice(None),)
            )

    def counts(self, dtype):
        """Number of non-padding elements in each window (AvgPool divides by it)."""
        total = None
        for d in range(len(self.k)):
            start = np.arange(self.out[d]) * self.s[d] - self.before[d]
            cnt = np.minimum(start + self.k[d], self.size[d]) - np.maximum(start, 0)
            shape = [1] * (len(self.k) + 2)
            shape[d + 1] = -1
            cnt = cnt.reshape(shape)
            total = cnt if total is None else total * cnt
        return np.maximum(total, 1).astype(dtype)


def _cl(x, data_format):
    """Channels-last view of x."""
    if data_format.startswith("NC"):
        r = x.ndim
        return np.transpose(x, (0,) + tuple(range(2, r)) + (1,))
    return x


def _cf(y, data_format):
    if data_format.startswith("NC"):
        r = y.ndim
        return np.ascontiguousarray(np.transpose(y, (0, r - 1) + tuple(range(1, r - 1))))
    return y


def _lowest(dtype):
    if dtype.kind == "f":
        return -np.inf
    if dtype.kind in "iu":
        return np.iinfo(dtype).min
    return np.finfo(np.float32).min


def _check_pool_attrs(op, nd, padding, data_format, explicit, allow_explicit):
    pads = ("SAME", "VALID", "EXPLICIT") if allow_explicit else ("SAME", "VALID")
    if padding not in pads:
        raise _attr_error(op, "padding", padding, pads)
    formats = _FORMATS[nd] + (("NCHW_VECT_C",) if op == "MaxPool" else ())
    if data_format not in formats:
        raise _attr_error(op, "data_format", data_format, formats)
    explicit = list(explicit or ())
    if padding == "EXPLICIT" and len(explicit) != 2 * (nd + 2):
        raise InvalidArgumentError(
            None, None, f"explicit_paddings attribute must contain {2 * (nd + 2)} values [Op:{op}]"
        )  # fmt: skip
    if padding != "EXPLICIT" and explicit:
        raise InvalidArgumentError(
            None, None, f"explicit_paddings attribute must be empty if the padding attribute is not EXPLICIT [Op:{op}]"
        )  # fmt: skip
    return explicit


def _check_rank(op, x, nd):
    if np.ndim(x) != nd + 2:
        raise InvalidArgumentError(None, None, f"Input must be {nd + 2}-dimensional [Op:{op}]" if nd == 3 else
                                   f"Input must be 4 or 5-dimensional [Op:{op}]")  # fmt: skip


def _argmax_taps(xp, geo):
    """Running max over the taps and, per output, the first tap reaching it (TF's scan order)."""
    best = None
    idx = None
    for t, sl in enumerate(geo.taps()):
        tap = xp[sl]
        if best is None:
            best = tap.copy()
            idx = np.zeros(best.shape, np.int32)
            continue
        m = np.greater(tap, best)
        np.copyto(best, tap, where=m)
        np.copyto(idx, t, where=m)
    return best, idx


def _tap_masks(xp, y, geo):
    """Per tap, where the window element is the first (in scan order) equal to the pooled
    max `y`: TF's choice among ties. None when y has NaNs or is not every window's max,
    which then need the first-max scan of `_argmax_taps`.

    One comparison and two boolean passes per tap instead of a running argmax (6x faster
    on 32x64x64x32 3x3 windows, where random float32 data has a few ties).
    """
    if y is None or y.shape != (xp.shape[0], *geo.out, xp.shape[-1]):
        return None
    if y.dtype.kind in "fc" and np.isnan(y).any():
        return None
    masks = []
    taken = None
    for sl in geo.taps():
        e = np.equal(xp[sl], y)
        if taken is None:
            taken = e.copy()
        else:
            np.greater(e, taken, out=e)  # e and not yet taken by an earlier tap
            np.logical_or(taken, e, out=taken)
        masks.append(e)
    return masks if taken.all() else None


def _select(mask, g, out):
    """out = where(mask, g, 0), exactly (bits of g or +0), as an integer multiply of g's
    bits by the mask: 4x faster than np.where, and no inf * 0 = nan of a float multiply."""
    it = np.dtype(f"i{out.dtype.itemsize}")
    gv = np.asarray(g)
    if gv.dtype != out.dtype:
        gv = gv.astype(out.dtype)
    out[...] = gv
    ov = out.view(it)
    np.multiply(ov, mask, out=ov)
    return out


def _tiles(geo):
    """Whether the (2-D) windows tile the input exactly: ksize == strides, no padding,
    sizes divisible."""
    if len(geo.k) != 2 or list(geo.k) != list(geo.s) or any(geo.before) or any(geo.after):
        return False
    return all(o * k == sz for o, k, sz in zip(geo.out, geo.k, geo.size))


def _blocks(geo, x):
    """x (channels last) as (N, O1, K1, O2, K2, C) when the windows tile it, else None."""
    if not _tiles(geo):
        return None
    (o1, o2), (k1, k2) = geo.out, geo.k
    return x.reshape(x.shape[0], o1, k1, o2, k2, x.shape[-1])


def _block_reduce(x, geo, ufunc, out):
    """out = ufunc-reduction of exactly tiling windows: first along the window rows, on
    whole contiguous image rows (one long inner loop each), then along the window columns."""
    n, c = x.shape[0], x.shape[-1]
    (o1, o2), (k1, k2) = geo.out, geo.k
    rows = x.reshape(n, o1, k1, -1)
    m = rows[:, :, 0]
    if k1 > 1:
        m = ufunc(m, rows[:, :, 1])
        for i in range(2, k1):
            ufunc(m, rows[:, :, i], out=m)
    cols = m.reshape(n, o1, o2, k2, c)
    if k2 == 1:
        out[...] = cols[:, :, :, 0]
        return out
    ufunc(cols[:, :, :, 0], cols[:, :, :, 1], out=out)
    for j in range(2, k2):
        ufunc(out, cols[:, :, :, j], out=out)
    return out


_SPLIT = 1 << 21  # elements from which a tiling pool is split over the worker threads


def _over_images(fn, n, size):
    """fn(image slice) over all n images: on the worker threads when the operand is large."""
    if size < _SPLIT or n < 2:
        return [fn(slice(0, n))]
    return _run_items(lambda: fn, _halves(n))


def _first_max_masks(xp, geo):
    _, idx = _argmax_taps(xp, geo)
    return [idx == t for t in range(int(np.prod(geo.k)))]


# -- max pooling ------------------------------------------------------------------------


def _max_pool_fwd(op, nd):
    def kernel(input, ksize=None, strides=None, padding=None, explicit_paddings=(),  # noqa: A002
               data_format=_FORMATS[nd][0]):  # fmt: skip
        explicit = _check_pool_attrs(op, nd, padding, data_format, explicit_paddings, nd == 2)
        _check_rank(op, input, nd)
        x = _cl(input, data_format)
        geo = _Pool(op, x.shape, ksize, strides, padding, explicit, data_format, nd)
        out_shape = (x.shape[0], *geo.out, x.shape[-1])
        if 0 in out_shape or x.size == 0:
            return _cf(np.zeros(out_shape, input.dtype), data_format)
        if _tiles(geo):
            out = np.empty(out_shape, x.dtype)
            _over_images(lambda b: _block_reduce(x[b], geo, np.maximum, out[b]), len(x), x.size)
            return _cf(out, data_format)
        xp = geo.pad(x, _lowest(x.dtype))
        out = None
        for sl in geo.taps():
            if out is None:
                out = np.array(xp[sl])
            else:
                np.maximum(out, xp[sl], out=out)
        return _cf(out, data_format)

    return kernel


def _max_pool_grad_kernel(op, nd):
    def kernel(orig_input, orig_output, grad, ksize=None, strides=None, padding=None,
               explicit_paddings=(), data_format=_FORMATS[nd][0], TInput=None):  # fmt: skip
        explicit = _check_pool_attrs(op, nd, padding, data_format, explicit_paddings, nd == 2)
        _check_rank(op, orig_input, nd)
        x = _cl(orig_input, data_format)
        g = _cl(grad, data_format)
        geo = _Pool(op, x.shape, ksize, strides, padding, explicit, data_format, nd)
        if tuple(g.shape) != (x.shape[0], *geo.out, x.shape[-1]):
            raise InvalidArgumentError(
                None, None, f"Expected grad shape to be [{','.join(map(str, (x.shape[0], *geo.out, x.shape[-1])))}], "
                f"but got [{','.join(map(str, g.shape))}] [Op:{op}]",
            )  # fmt: skip
        if x.size == 0 or g.size == 0:
            return np.zeros(orig_input.shape, grad.dtype)
        y = _cl(orig_output, data_format)
        xb = _blocks(geo, x)
        if (
            xb is not None
            and y.shape == g.shape
            and not (y.dtype.kind in "fc" and np.isnan(y).any())
        ):
            # Exactly tiling windows: one comparison of x with the broadcast max; when each
            # window holds its max once, the gradient is one select.
            eq = np.empty(xb.shape, bool)

            def compare(b):
                np.equal(xb[b], y[b, :, None, :, None, :], out=eq[b])
                return np.count_nonzero(eq[b])

            if sum(_over_images(compare, len(x), x.size)) == y.size:
                dx = np.empty(eq.shape, grad.dtype)
                _over_images(lambda b: _select(eq[b], g[b, :, None, :, None, :], dx[b]), len(x),
                             x.size)  # fmt: skip
                return _cf(dx.reshape(x.shape), data_format)
        xp = geo.pad(x, _lowest(x.dtype))
        masks = _tap_masks(xp, y, geo) or _first_max_masks(xp, geo)
        dxp = np.zeros(xp.shape, grad.dtype)
        disjoint = all(s >= k for s, k in zip(geo.s, geo.k))
        tmp = None if disjoint else np.empty(g.shape, grad.dtype)
        for mask, sl in zip(masks, geo.taps()):
            if disjoint:
                # Windows do not overlap: each input element gets at most one gradient.
                np.copyto(dxp[sl], g, where=mask)
            else:
                dxp[sl] += _select(mask, g, tmp)
        return _cf(np.ascontiguousarray(dxp[geo.interior()]), data_format)

    return kernel


def _max_pool_grad_grad_kernel(op, nd):
    def kernel(orig_input, orig_output, grad, ksize=None, strides=None, padding=None,
               explicit_paddings=(), data_format=_FORMATS[nd][0]):  # fmt: skip
        explicit = _check_pool_attrs(op, nd, padding, data_format, explicit_paddings, nd == 2)
        x = _cl(orig_input, data_format)
        g = _cl(grad, data_format)
        if g.shape != x.shape:
            raise InvalidArgumentError(
                None, None, f"{op}: grad must have the shape of orig_input [Op:{op}]"
            )  # fmt: skip
        geo = _Pool(op, x.shape, ksize, strides, padding, explicit, data_format, nd)
        out_shape = (x.shape[0], *geo.out, x.shape[-1])
        out = np.zeros(out_shape, grad.dtype)
        if out.size == 0 or x.size == 0:
            return _cf(out, data_format)
        xp = geo.pad(x, _lowest(x.dtype))
        gp = geo.pad(g, 0)
        masks = _tap_masks(xp, _cl(orig_output, data_format), geo) or _first_max_masks(xp, geo)
        for mask, sl in zip(masks, geo.taps()):
            np.copyto(out, gp[sl], where=mask)
        return _cf(out, data_format)

    return kernel


def _pool_attrs(op):
    keys = ("ksize", "strides", "padding", "explicit_paddings", "data_format")
    return {k: op.attrs[k] for k in keys if k in op.attrs}


def _grad_attrs(op, grad_def):
    return {k: v for k, v in _pool_attrs(op).items() if k in grad_def.attrs}


def _max_pool_grad(op, g):
    grad_op = _MAXPOOL_GRAD[op.type]
    return execute(grad_op, (op.inputs[0], op.outputs[0], g), _grad_attrs(op, grad_op))


def _max_pool_grad_grad(op, g):
    gg = _MAXPOOL_GRADGRAD[op.type]
    x, y = op.inputs[0], op.inputs[1]
    return (array_ops.zeros_like(x), array_ops.zeros_like(y),
            execute(gg, (x, y, g), _grad_attrs(op, gg)))  # fmt: skip


def _max_pool_grad_grad_grad(op, g):
    back = _MAXPOOL_GRAD[_FWD_OF[op.type]]
    x, y = op.inputs[0], op.inputs[1]
    return (array_ops.zeros_like(x), array_ops.zeros_like(y),
            execute(back, (x, y, g), _grad_attrs(op, back)))  # fmt: skip


def _pool_infer(nd):
    def infer(inputs, attrs):
        x = inputs[0]
        df = attrs.get("data_format") or _FORMATS[nd][0]
        s = x.shape
        if s.rank is None:
            return [(x.dtype, TensorShape([None] * (nd + 2)))]
        dims = s.as_list()
        cl = dims if not df.startswith("NC") else [dims[0]] + dims[2:] + [dims[1]]
        if any(d is None for d in cl[1 : nd + 1]):
            out = [cl[0]] + [None] * nd + [cl[-1]]
        else:
            geo = _Pool("infer", cl, attrs["ksize"], attrs["strides"], attrs["padding"],
                        list(attrs.get("explicit_paddings") or ()), df, nd)  # fmt: skip
            out = [cl[0]] + geo.out + [cl[-1]]
        if df.startswith("NC"):
            out = [out[0], out[-1]] + out[1:-1]
        return [(x.dtype, TensorShape(out))]

    return infer


def _same_as_input(pos, dtype_pos=None):
    def infer(inputs, attrs):
        return [(inputs[pos if dtype_pos is None else dtype_pos].dtype, inputs[pos].shape)]

    return infer


def _gradgrad_infer(nd):
    base = _pool_infer(nd)

    def infer(inputs, attrs):
        ((_, shape),) = base([inputs[0]], attrs)
        return [(inputs[2].dtype, shape)]

    return infer


_MP_ATTRS2 = {"T": None, "ksize": None, "strides": None, "padding": None, "explicit_paddings": [],
              "data_format": "NHWC"}  # fmt: skip
_MP_ATTRS3 = {"T": None, "ksize": None, "strides": None, "padding": None, "data_format": "NDHWC"}
_MAXPOOL = defop("MaxPool", ("input",), _max_pool_fwd("MaxPool", 2), attrs=_MP_ATTRS2,
                 infer=_pool_infer(2), grad=_max_pool_grad)  # fmt: skip
_MAXPOOL3D = defop("MaxPool3D", ("input",), _max_pool_fwd("MaxPool3D", 3), attrs=_MP_ATTRS3,
                   infer=_pool_infer(3), grad=_max_pool_grad)  # fmt: skip
_GI = ("orig_input", "orig_output", "grad")
_MAXPOOL_GRAD = {
    "MaxPool": defop("MaxPoolGrad", _GI, _max_pool_grad_kernel("MaxPoolGrad", 2), attrs=_MP_ATTRS2,
                     infer=_same_as_input(0, 2), grad=_max_pool_grad_grad),
    "MaxPool3D": defop("MaxPool3DGrad", _GI, _max_pool_grad_kernel("MaxPool3DGrad", 3),
                       attrs={**_MP_ATTRS3, "TInput": None}, infer=_same_as_input(0, 2),
                       grad=_max_pool_grad_grad),
}  # fmt: skip
_MAXPOOL_GRADGRAD = {
    "MaxPoolGrad": defop("MaxPoolGradGrad", _GI, _max_pool_grad_grad_kernel("MaxPoolGradGrad", 2),
                         attrs={k: v for k, v in _MP_ATTRS2.items() if k != "explicit_paddings"},
                         infer=_gradgrad_infer(2), grad=_max_pool_grad_grad_grad),
    "MaxPool3DGrad": defop("MaxPool3DGradGrad", _GI, _max_pool_grad_grad_kernel("MaxPool3DGradGrad", 3),
                           attrs=_MP_ATTRS3, infer=_gradgrad_infer(3), grad=_max_pool_grad_grad_grad),
}  # fmt: skip
_FWD_OF = {"MaxPoolGradGrad": "MaxPool", "MaxPool3DGradGrad": "MaxPool3D"}


# -- average pooling --------------------------------------------------------------------


def _acc_dtype(dt):
    return np.dtype(np.float32) if dt.kind == "f" and dt.itemsize < 4 else dt


def _avg_pool_fwd(op, nd):
    def kernel(
        value=None,
        ksize=None,
        strides=None,
        padding=None,
        data_format=_FORMATS[nd][0],
        input=None,  # noqa: A002 - TF's keyword
    ):
        v = value if value is not None else input
        _check_pool_attrs(op, nd, padding, data_format, (), False)
        _check_rank(op, v, nd)
        x = _cl(v, data_format)
        geo = _Pool(op, x.shape, ksize, strides, padding, [], data_format, nd)
        out_shape = (x.shape[0], *geo.out, x.shape[-1])
        if 0 in out_shape or x.size == 0:
            return _cf(np.zeros(out_shape, v.dtype), data_format)
        acc = _acc_dtype(x.dtype)
        if _tiles(geo):
            # Window rows first (long inner loops), then columns: (a + c) + (b + d) for 2x2
            # instead of ((a + b) + c) + d, within float rounding of the tap order.
            xa = x.astype(acc, copy=False)
            out = np.empty(out_shape, acc)
            cnt = acc.type(geo.k[0] * geo.k[1])

            def pool(b):
                np.divide(_block_reduce(xa[b], geo, np.add, out[b]), cnt, out=out[b])

            _over_images(pool, len(x), x.size)
            return _cf(out.astype(v.dtype, copy=False), data_format)
        xp = geo.pad(x.astype(acc, copy=False), 0)
        out = None
        for sl in geo.taps():
            if out is None:
                out = np.array(xp[sl])
            else:
                np.add(out, xp[sl], out=out)
        out /= geo.counts(acc)
        return _cf(out.astype(v.dtype, copy=False), data_format)

    return kernel


def _avg_pool_grad_kernel(op, nd):
    def kernel(
        orig_input_shape, grad, ksize=None, strides=None, padding=None, data_format=_FORMATS[nd][0]
    ):
        _check_pool_attrs(op, nd, padding, data_format, (), False)
        shape = [int(d) for d in np.reshape(orig_input_shape, -1)]
        if len(shape) != nd + 2:
            raise InvalidArgumentError(
                None, None, f"orig_input_shape must have {nd + 2} elements [Op:{op}]"
            )  # fmt: skip
        cl_shape = (
            shape if not data_format.startswith("NC") else [shape[0]] + shape[2:] + [shape[1]]
        )
        geo = _Pool(op, cl_shape, ksize, strides, padding, [], data_format, nd)
        g = _cl(grad, data_format)
        want = (cl_shape[0], *geo.out, cl_shape[-1])
        if tuple(g.shape) != want:
            raise InvalidArgumentError(
                None, None, f"Expected grad shape to be [{','.join(map(str, want))}], but got "
                f"[{','.join(map(str, g.shape))}] [Op:{op}]",
            )  # fmt: skip
        acc = _acc_dtype(grad.dtype)
        tiles = g.size and _tiles(geo)
        dxp = (np.empty if tiles else np.zeros)(geo.padded_shape(cl_shape[0], cl_shape[-1]), acc)
        if tiles:
            # Exactly tiling windows: one broadcast store of the scaled gradient.
            gs = g.astype(acc) / geo.counts(acc)
            dxb = _blocks(geo, dxp)

            def store(b):
                dxb[b] = gs[b, :, None, :, None, :]

            _over_images(store, len(gs), dxp.size)
        elif g.size:
            gs = g.astype(acc) / geo.counts(acc)
            disjoint = all(s >= k for s, k in zip(geo.s, geo.k))
            for sl in geo.taps():
                if disjoint:
                    dxp[sl] = gs  # each input element is in at most one window
                else:
                    dxp[sl] += gs
        dx = np.ascontiguousarray(dxp[geo.interior()]).astype(grad.dtype, copy=False)
        return _cf(dx, data_format)

    return kernel


def _avg_pool_grad(op, g):
    grad_op = _AVGPOOL_GRAD[op.type]
    return execute(grad_op, (array_ops.shape(op.inputs[0]), g), _grad_attrs(op, grad_op))


def _avg_pool_grad_grad(op, g):
    fwd = _AVGPOOL_FWD[op.type]
    return None, execute(fwd, (g,), _grad_attrs(op, fwd))


def _avg_grad_infer(inputs, attrs):
    v = static_value(inputs[0])
    dt = inputs[1].dtype
    if v is None:
        return [(dt, TensorShape([None] * (inputs[1].shape.rank or 4)))]
    return [(dt, TensorShape([int(d) for d in np.reshape(v, -1)]))]


_AP_ATTRS2 = {"T": None, "ksize": None, "strides": None, "padding": None, "data_format": "NHWC"}
_AP_ATTRS3 = {"T": None, "ksize": None, "strides": None, "padding": None, "data_format": "NDHWC"}
_AVGPOOL = defop("AvgPool", ("value",), _avg_pool_fwd("AvgPool", 2), attrs=_AP_ATTRS2,
                 infer=_pool_infer(2), grad=_avg_pool_grad)  # fmt: skip
_AVGPOOL3D = defop("AvgPool3D", ("input",), _avg_pool_fwd("AvgPool3D", 3), attrs=_AP_ATTRS3,
                   infer=_pool_infer(3), grad=_avg_pool_grad)  # fmt: skip
_AVGPOOL_GRAD = {
    "AvgPool": defop("AvgPoolGrad", ("orig_input_shape", "grad"), _avg_pool_grad_kernel("AvgPoolGrad", 2),
                     attrs=_AP_ATTRS2, infer=_avg_grad_infer, grad=_avg_pool_grad_grad),
    "AvgPool3D": defop("AvgPool3DGrad", ("orig_input_shape", "grad"), _avg_pool_grad_kernel("AvgPool3DGrad", 3),
                       attrs=_AP_ATTRS3, infer=_avg_grad_infer, grad=_avg_pool_grad_grad),
}  # fmt: skip
_AVGPOOL_FWD = {"AvgPoolGrad": _AVGPOOL, "AvgPool3DGrad": _AVGPOOL3D}


# -- MaxPoolWithArgmax -----------------------------------------------------------------


def _argmax_index(geo, idx, shape, include_batch):
    """Flat input index ((b*H + y)*W + x)*C + c of each output's chosen tap."""
    n, h, w, c = shape
    kw = geo.k[1]
    ti, tj = np.divmod(idx, kw)
    oy = (np.arange(geo.out[0]) * geo.s[0] - geo.before[0])[None, :, None, None]
    ox = (np.arange(geo.out[1]) * geo.s[1] - geo.before[1])[None, None, :, None]
    flat = ((oy + ti) * w + (ox + tj)) * c + np.arange(c)[None, None, None, :]
    if include_batch:
        flat = flat + (np.arange(n) * (h * w * c))[:, None, None, None]
    return flat


def _mpwa_kernel(input, ksize=None, strides=None, Targmax=dtypes.int64, padding=None,  # noqa: A002
                 include_batch_in_index=False):  # fmt: skip
    op = "MaxPoolWithArgmax"
    _check_pool_attrs(op, 2, padding, "NHWC", (), False)
    _check_rank(op, input, 2)
    geo = _Pool(op, input.shape, ksize, strides, padding, [], "NHWC", 2)
    out_shape = (input.shape[0], *geo.out, input.shape[-1])
    arg_dt = dtypes.as_dtype(Targmax).as_numpy_dtype
    if 0 in out_shape or input.size == 0:
        return [np.zeros(out_shape, input.dtype), np.zeros(out_shape, arg_dt)]
    xp = geo.pad(input, _lowest(input.dtype))
    best, idx = _argmax_taps(xp, geo)
    return [best, _argmax_index(geo, idx, input.shape, include_batch_in_index).astype(arg_dt)]


def _flat_argmax(argmax, shape, include_batch):
    a = argmax.astype(np.int64, copy=False)
    if not include_batch:
        per = int(np.prod(shape[1:]))
        a = a + (np.arange(shape[0], dtype=np.int64) * per).reshape((-1,) + (1,) * (a.ndim - 1))
    return a


def _mpwa_grad_kernel(input, grad, argmax, ksize=None, strides=None, padding=None,  # noqa: A002
                      include_batch_in_index=False, Targmax=None):  # fmt: skip
    op = "MaxPoolGradWithArgmax"
    if grad.shape != argmax.shape:
        raise InvalidArgumentError(
            None, None, f"Expected grad and argmax to have the same shape [Op:{op}]"
        )
    a = _flat_argmax(argmax, input.shape, include_batch_in_index).reshape(-1)
    if a.size and (a.min() < 0 or a.max() >= input.size):
        raise InvalidArgumentError(None, None, f"Invalid argmax value in {op} [Op:{op}]")
    dx = np.bincount(a, weights=grad.reshape(-1).astype(np.float64), minlength=input.size)
    return dx.astype(grad.dtype).reshape(input.shape)


def _mpwa_gradgrad_kernel(input, grad, argmax, ksize=None, strides=None, padding=None,  # noqa: A002
                          include_batch_in_index=False, Targmax=None):  # fmt: skip
    a = _flat_argmax(argmax, input.shape, include_batch_in_index)
    return grad.reshape(-1)[a]


def _mpwa_attrs(op):
    return {
        k: op.attrs[k]
        for k in ("ksize", "strides", "padding", "include_batch_in_index")
        if k in op.attrs
    }


def _mpwa_infer(inputs, attrs):
    ((_, shape),) = _pool_infer(2)([inputs[0]], {**attrs, "data_format": "NHWC"})
    return [
        (inputs[0].dtype, shape),
        (dtypes.as_dtype(attrs.get("Targmax") or dtypes.int64), shape),
    ]


_MPWA = defop("MaxPoolWithArgmax", ("input",), _mpwa_kernel,
              attrs={"ksize": None, "strides": None, "Targmax": dtypes.int64, "padding": None,
                     "include_batch_in_index": False, "T": None},
              infer=_mpwa_infer, num_outputs=2,
              grad=lambda op, g, _unused: execute(_MPWA_GRAD, (op.inputs[0], g, op.outputs[1]), _mpwa_attrs(op)))  # fmt: skip
_MPWA_GRAD = defop("MaxPoolGradWithArgmax", ("input", "grad", "argmax"), _mpwa_grad_kernel,
                   attrs={"ksize": None, "strides": None, "padding": None, "include_batch_in_index": False,
                          "Targmax": None, "T": None},
                   infer=_same_as_input(0, 1),
                   grad=lambda op, g: (array_ops.zeros_like(op.inputs[0]),
                                       execute(_MPWA_GRADGRAD, (op.inputs[0], g, op.inputs[2]), _mpwa_attrs(op)),
                                       None))  # fmt: skip
_MPWA_GRADGRAD = defop("MaxPoolGradGradWithArgmax", ("input", "grad", "argmax"), _mpwa_gradgrad_kernel,
                       attrs={"ksize": None, "strides": None, "padding": None, "include_batch_in_index": False,
                              "Targmax": None, "T": None},
                       infer=lambda inputs, attrs: [(inputs[1].dtype, inputs[2].shape)],
                       grad=lambda op, g: (array_ops.zeros_like(op.inputs[0]),
                                           execute(_MPWA_GRAD, (op.inputs[0], g, op.inputs[2]), _mpwa_attrs(op)),
                                           None))  # fmt: skip

_ArgmaxResult = collections.namedtuple("MaxPoolWithArgmax", ["output", "argmax"])


def max_pool_with_argmax(input, ksize, strides, padding, data_format="NHWC", output_dtype=dtypes.int64,  # noqa: A002
                         include_batch_in_index=False, name=None):  # fmt: skip
    """Max pooling that also returns the flat index of each maximum ((y * W + x) * C + c).

    >>> y, a = tf.nn.max_pool_with_argmax(tf.reshape(tf.range(4.0), [1, 2, 2, 1]), 2, 2, "VALID")
    >>> int(a[0, 0, 0, 0])
    3
    """
    if data_format != "NHWC":
        raise ValueError("`data_format` values other  than 'NHWC' are not supported. "
                         f"Received: data_format={data_format}")  # fmt: skip
    attrs = {"ksize": _get_sequence(ksize, 2, 3, "ksize"), "strides": _get_sequence(strides, 2, 3, "strides"),
             "padding": _string_padding(padding), "Targmax": dtypes.as_dtype(output_dtype),
             "include_batch_in_index": bool(include_batch_in_index)}  # fmt: skip
    out, arg = execute(_MPWA, (_input(_MPWA, input, _MAX_T),), attrs, name)
    return _ArgmaxResult(out, arg)


# -- public functions -------------------------------------------------------------------


def _input(op, x, allowed):
    x = to_tensor(x)
    if x.dtype not in allowed:
        check_allowed(op, x, allowed)
    return x


def _string_padding(padding):
    if not isinstance(padding, str):
        if isinstance(padding, bytes):
            return padding.decode()
        raise TypeError(f"Expected string for argument 'padding' not {padding!r}.")
    return padding


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """Max over [kh, kw] windows of a 4-D input (raw op MaxPool); padding may be explicit.

    >>> tf.nn.max_pool2d(tf.reshape(tf.range(16.0), [1, 4, 4, 1]), 2, 2, "VALID").numpy().ravel().tolist()
    [5.0, 7.0, 13.0, 15.0]
    """
    if data_format is None:
        data_format = "NHWC"
    ci = 1 if data_format.startswith("NC") else 3
    padding, explicit = convert_padding(padding)
    attrs = {"ksize": _get_sequence(ksize, 2, ci, "ksize"), "strides": _get_sequence(strides, 2, ci, "strides"),
             "padding": padding, "explicit_paddings": explicit, "data_format": data_format}  # fmt: skip
    return execute(_MAXPOOL, (_input(_MAXPOOL, input, _MAX_T),), attrs, name)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """Mean over [kh, kw] windows of a 4-D input, padding excluded from the count (AvgPool).

    >>> tf.nn.avg_pool2d(tf.reshape(tf.range(16.0), [1, 4, 4, 1]), 2, 2, "VALID").numpy().ravel().tolist()
    [2.5, 4.5, 10.5, 12.5]
    """
    if data_format is None:
        data_format = "NHWC"
    ci = 1 if data_format.startswith("NC") else 3
    attrs = {"ksize": _get_sequence(ksize, 2, ci, "ksize"), "strides": _get_sequence(strides, 2, ci, "strides"),
             "padding": _string_padding(padding), "data_format": data_format}  # fmt: skip
    return execute(_AVGPOOL, (_input(_AVGPOOL, input, _AVG_T),), attrs, name)


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """Max over [kd, kh, kw] windows of a 5-D input (raw op MaxPool3D)."""
    if data_format is None:
        data_format = "NDHWC"
    ci = 1 if data_format.startswith("NC") else 4
    attrs = {"ksize": _get_sequence(ksize, 3, ci, "ksize"), "strides": _get_sequence(strides, 3, ci, "strides"),
             "padding": _string_padding(padding), "data_format": data_format}  # fmt: skip
    return execute(_MAXPOOL3D, (_input(_MAXPOOL3D, input, FLOATS),), attrs, name)


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """Mean over [kd, kh, kw] windows of a 5-D input (raw op AvgPool3D)."""
    if data_format is None:
        data_format = "NDHWC"
    ci = 1 if data_format.startswith("NC") else 4
    attrs = {"ksize": _get_sequence(ksize, 3, ci, "ksize"), "strides": _get_sequence(strides, 3, ci, "strides"),
             "padding": _string_padding(padding), "data_format": data_format}  # fmt: skip
    return execute(_AVGPOOL3D, (_input(_AVGPOOL3D, input, FLOATS),), attrs, name)


def _pool1d(op, allowed, input, ksize, strides, padding, data_format, name):  # noqa: A002
    # As TF: a 2-D pool over a height-1 image; any format other than "NWC" means channels first.
    if data_format is None:
        data_format = "NWC"
    ci = 1 if data_format.startswith("NC") else 2
    attrs = {"ksize": [1] + _get_sequence(ksize, 1, ci, "ksize"),
             "strides": [1] + _get_sequence(strides, 1, ci, "strides")}  # fmt: skip
    if op is _MAXPOOL:
        padding, explicit = convert_padding(padding, 3)
        attrs["explicit_paddings"] = [0, 0] + explicit if padding == "EXPLICIT" else []
    else:
        padding = _string_padding(padding)
    axis = 1 if data_format == "NWC" else 2
    attrs["padding"] = padding
    attrs["data_format"] = "NHWC" if data_format == "NWC" else "NCHW"
    x = array_ops.expand_dims(_input(op, input, allowed), axis)
    return array_ops.squeeze(execute(op, (x,), attrs, name), [axis])


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """Max over windows of a 3-D [batch, width, channels] input (MaxPool on a height-1 image).

    >>> tf.nn.max_pool1d(tf.constant([[[1.0], [3.0], [2.0], [0.0]]]), 2, 2, "VALID").numpy().ravel().tolist()
    [3.0, 2.0]
    """
    return _pool1d(_MAXPOOL, _MAX_T, input, ksize, strides, padding, data_format, name)


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """Mean over windows of a 3-D [batch, width, channels] input (AvgPool on a height-1 image)."""
    return _pool1d(_AVGPOOL, _AVG_T, input, ksize, strides, padding, data_format, name)


def _generic(fns, input, ksize, strides, padding, data_format, name):  # noqa: A002
    x = to_tensor(input)
    rank = x.shape.rank
    n = rank - 2 if rank is not None else None
    if n is None or not 1 <= n <= 3:
        raise ValueError(f"`input.shape.rank` must be 3, 4 or 5. Received: input.shape={tuple(x.shape.as_list())} "
                         f"of rank {rank}.")  # fmt: skip
    if data_format is None:
        data_format = {1: "NWC", 2: "NHWC", 3: "NDHWC"}[n]
    ci = 1 if data_format.startswith("NC") else n + 1
    ksize = _get_sequence(ksize, n, ci, "ksize")
    strides = _get_sequence(strides, n, ci, "strides")
    if n == 1:
        # max_pool1d takes the spatial entries again (ksize is [1, k, 1] here).
        sp = slice(2, None) if ci == 1 else slice(1, -1)
        return fns[0](x, ksize[sp], strides[sp], padding, data_format=data_format, name=name)
    return fns[n - 1](x, ksize, strides, padding, data_format=data_format, name=name)


def max_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """N-D max pooling (N = 1, 2 or 3 from the input rank); ksize/strides: int or lists.

    >>> tf.nn.max_pool(tf.ones([1, 4, 4, 4, 1]), 2, 2, "SAME").shape
    TensorShape([1, 2, 2, 2, 1])
    """
    return _generic(
        (max_pool1d, max_pool2d, max_pool3d), input, ksize, strides, padding, data_format, name
    )


def avg_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """N-D average pooling (N = 1, 2 or 3 from the input rank)."""
    return _generic(
        (avg_pool1d, avg_pool2d, avg_pool3d), input, ksize, strides, padding, data_format, name
    )


def pool(input, window_shape, pooling_type, strides=None, padding="VALID", data_format=None,  # noqa: A002
         dilations=None, name=None):  # fmt: skip
    """N-D max or average pooling ("MAX" / "AVG") with a window of `window_shape`."""
    if pooling_type not in ("MAX", "AVG"):
        raise ValueError(
            f"`pooling_type` must be 'AVG' or 'MAX'. Received: pooling_type={pooling_type}"
        )
    n = len(window_shape)
    if dilations is not None and any(int(d) != 1 for d in np.reshape(dilations, -1)):
        raise NotImplementedError("tf.nn.pool with dilations > 1 is not implemented")
    strides = [1] * n if strides is None else strides
    fn = max_pool if pooling_type == "MAX" else avg_pool
    x = to_tensor(input)
    if x.shape.rank is not None and x.shape.rank != n + 2:
        raise ValueError(f"`input` must have rank {n + 2}. Received: input.shape={x.shape}")
    return fn(
        x,
        list(window_shape),
        list(np.reshape(strides, -1)),
        padding,
        data_format=data_format,
        name=name,
    )


del int_tensor

TF_API = {
    "tf.nn": [
        "max_pool",
        "max_pool1d",
        "max_pool2d",
        "max_pool3d",
        "avg_pool",
        "avg_pool1d",
        "avg_pool2d",
        "avg_pool3d",
        "pool",
        "max_pool_with_argmax",
    ],
}
