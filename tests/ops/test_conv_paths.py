"""The shape-dependent paths of the conv, bias and pooling kernels agree with plain NumPy
references: chunked im2col with per-chunk padding (chunk edges inside the padding, strides,
dilations, explicit pads), the tap-major one-channel layout, the 1x1 direct GEMM, thread
splitting, groups, the reshaped bias add/grad and the pooling fast paths."""

import numpy as np
import pytest

import arroyo as tf
from arroyo.ops import conv_ops, pool_ops

RNG = np.random.default_rng(11)


def ref_conv(x, f, stride=(1, 1), pads=((0, 0), (0, 0)), dil=(1, 1)):
    """Direct float64 convolution of NHWC x with f [kh, kw, cin/groups, k]."""
    x = np.pad(x.astype(np.float64), ((0, 0), pads[0], pads[1], (0, 0)))
    kh, kw, cf, k = f.shape
    groups = x.shape[3] // cf
    kg = k // groups
    ho = (x.shape[1] - (kh - 1) * dil[0] - 1) // stride[0] + 1
    wo = (x.shape[2] - (kw - 1) * dil[1] - 1) // stride[1] + 1
    out = np.zeros((x.shape[0], ho, wo, k))
    for i in range(kh):
        for j in range(kw):
            r0, c0 = i * dil[0], j * dil[1]
            tap = x[:, r0 : r0 + stride[0] * (ho - 1) + 1 : stride[0],
                    c0 : c0 + stride[1] * (wo - 1) + 1 : stride[1]]  # fmt: skip
            for gi in range(groups):
                out[..., gi * kg : (gi + 1) * kg] += (
                    tap[..., gi * cf : (gi + 1) * cf] @ f[i, j, :, gi * kg : (gi + 1) * kg]
                )
    return out


def ref_grads(x, f, dy, **kw):
    """(dx, df) of sum(conv(x, f) * dy) by linearity: exact float64 references."""
    xs, fs = x.shape, f.shape
    dx = np.zeros(xs)
    for idx in np.ndindex(*xs):
        e = np.zeros(xs)
        e[idx] = 1
        dx[idx] = np.sum(ref_conv(e, f, **kw) * dy)
    df = np.zeros(fs)
    for idx in np.ndindex(*fs):
        e = np.zeros(fs)
        e[idx] = 1
        df[idx] = np.sum(ref_conv(x, e, **kw) * dy)
    return dx, df


@pytest.fixture(params=["serial", "threads"])
def small_chunks(request, monkeypatch):
    """Tiny chunks (many per image, edges inside the padding); threads forced or not."""
    monkeypatch.setattr(conv_ops, "_CHUNK_BYTES", 700)
    monkeypatch.setattr(conv_ops, "_PAR_FLOPS", 0.0 if request.param == "threads" else 1e30)
    return request.param


GEOMS = [
    # (x shape, f shape, strides, padding, dilations)
    ((2, 9, 8, 3), (3, 3, 3, 4), (1, 1), "SAME", (1, 1)),
    ((2, 9, 8, 3), (3, 3, 3, 4), (1, 1), "VALID", (1, 1)),
    ((2, 9, 8, 1), (3, 3, 1, 5), (1, 1), "SAME", (1, 1)),  # tap-major (one channel)
    ((3, 10, 7, 1), (2, 3, 1, 2), (2, 3), "VALID", (1, 1)),
    ((2, 11, 9, 2), (3, 2, 2, 3), (2, 1), "SAME", (2, 1)),
    ((1, 8, 9, 2), (3, 3, 2, 3), (1, 2), [[0, 0], [3, 1], [0, 2], [0, 0]], (1, 1)),
    ((2, 5, 6, 4), (1, 1, 4, 3), (1, 1), "VALID", (1, 1)),  # 1x1 direct
    ((2, 6, 5, 4), (1, 1, 4, 3), (2, 2), "SAME", (1, 1)),
    ((2, 7, 6, 4), (3, 3, 2, 6), (1, 1), "SAME", (1, 1)),  # 2 groups
    ((1, 4, 4, 2), (5, 5, 2, 2), (1, 1), [[0, 0], [4, 4], [5, 0], [0, 0]], (1, 1)),  # all-pad rows
]


def _pads(x, f, strides, padding, dil):
    if isinstance(padding, list):
        return tuple(tuple(p) for p in padding[1:3])
    if padding == "VALID":
        return ((0, 0), (0, 0))
    pads = []
    for size, k, s, d in zip(x.shape[1:3], f.shape[:2], strides, dil):
        out = -(-size // s)
        total = max(0, (out - 1) * s + (k - 1) * d + 1 - size)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


@pytest.mark.parametrize("geom", GEOMS, ids=range(len(GEOMS)))
def test_conv2d_paths_match_reference(geom, small_chunks):
    xs, fs, strides, padding, dil = geom
    x = RNG.standard_normal(xs).astype(np.float32)
    f = RNG.standard_normal(fs).astype(np.float32)
    kw = dict(stride=strides, pads=_pads(x, f, strides, padding, dil), dil=dil)
    expected = ref_conv(x, f, **kw)
    got = tf.nn.conv2d(x, f, strides, padding, dilations=list(dil)).numpy()
    assert got.dtype == np.float32 and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    dy = RNG.standard_normal(expected.shape)
    dx_ref, df_ref = ref_grads(x, f, dy, **kw)
    xt, ft = tf.constant(x.astype(np.float64)), tf.constant(f.astype(np.float64))
    with tf.GradientTape() as tape:
        tape.watch([xt, ft])
        y = tf.nn.conv2d(xt, ft, strides, padding, dilations=list(dil))
    dx, df = tape.gradient(y, [xt, ft], output_gradients=tf.constant(dy))
    np.testing.assert_allclose(dx.numpy(), dx_ref, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(df.numpy(), df_ref, rtol=1e-10, atol=1e-10)


def test_chunking_does_not_change_float32_results(monkeypatch):
    # The CNN's shapes: one chunk vs many vs two threads give the same values (each output
    # is one GEMM dot product of the same length whatever the chunking).
    x = RNG.standard_normal((4, 26, 26, 16)).astype(np.float32)
    f = RNG.standard_normal((3, 3, 16, 16)).astype(np.float32)
    base = tf.nn.conv2d(x, f, 1, "VALID").numpy()
    for size, par in ((4096, 1e30), (4096, 0.0), (64 << 20, 0.0)):
        monkeypatch.setattr(conv_ops, "_CHUNK_BYTES", size)
        monkeypatch.setattr(conv_ops, "_PAR_FLOPS", par)
        np.testing.assert_allclose(
            tf.nn.conv2d(x, f, 1, "VALID").numpy(), base, rtol=1e-5, atol=1e-5
        )
    np.testing.assert_allclose(base, ref_conv(x, f), rtol=1e-4, atol=1e-3)


def test_nchw_and_half_precision_follow_the_same_paths(small_chunks):
    x = RNG.standard_normal((2, 3, 7, 6)).astype(np.float32)  # NCHW
    f = RNG.standard_normal((3, 3, 3, 4)).astype(np.float32)
    ref = ref_conv(x.transpose(0, 2, 3, 1), f, pads=((1, 1), (1, 1))).transpose(0, 3, 1, 2)
    got = tf.nn.conv2d(x, f, 1, "SAME", data_format="NCHW").numpy()
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4)
    h = tf.nn.conv2d(x.astype(np.float16), f.astype(np.float16), 1, "SAME", data_format="NCHW")
    assert h.dtype == tf.float16
    np.testing.assert_allclose(h.numpy().astype(np.float64), ref, rtol=2e-2, atol=2e-2)


def test_scratch_buffers_are_reused_and_never_leak_into_results():
    # Alternating geometries reuse (and must fully rewrite or re-zero) the per-thread
    # buffers: a padded call after an unpadded one with a wider slab still sees zeros.
    a = RNG.standard_normal((2, 12, 12, 3)).astype(np.float32) + 100
    b = RNG.standard_normal((2, 5, 5, 3)).astype(np.float32)
    f = RNG.standard_normal((3, 3, 3, 2)).astype(np.float32)
    for _ in range(2):
        ya = tf.nn.conv2d(a, f, 1, "SAME").numpy()
        yb = tf.nn.conv2d(b, f, 1, "SAME").numpy()
    np.testing.assert_allclose(ya, ref_conv(a, f, pads=((1, 1), (1, 1))), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(yb, ref_conv(b, f, pads=((1, 1), (1, 1))), rtol=1e-4, atol=1e-4)
    buf = conv_ops._scratch("test", (3, 4), np.float32)
    assert buf.shape == (3, 4) and conv_ops._scratch("test", (2, 2), np.float32).base is buf.base


def test_blas_thread_count_is_restored():
    blas = conv_ops._blas_threads()
    if not blas:
        pytest.skip("no OpenBLAS thread setter in this NumPy")
    before = blas[0]()
    x = RNG.standard_normal((8, 20, 20, 8)).astype(np.float32)
    tf.nn.conv2d(x, RNG.standard_normal((3, 3, 8, 8)).astype(np.float32), 1, "SAME")
    assert blas[0]() == before


# -- bias ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape", [(32, 26, 26, 16), (4, 3, 5, 7), (3, 4096, 2), (5, 600), (2, 3), (17, 1, 3, 64)]
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.float16])
def test_bias_add_and_grad_match_numpy(shape, dtype):
    x = (RNG.standard_normal(shape) * 4).astype(dtype)
    b = (RNG.standard_normal(shape[-1]) * 4).astype(dtype)
    y = tf.nn.bias_add(x, b).numpy()
    assert y.dtype == dtype
    np.testing.assert_array_equal(y, x + b)  # the same additions: identical bits
    g = conv_ops._bias_add_grad_kernel(x)
    assert g.dtype == dtype and g.shape == (shape[-1],)
    exact = x.astype(np.float64).reshape(-1, shape[-1]).sum(0)
    if dtype == np.int32:
        np.testing.assert_array_equal(g, exact.astype(np.int32))
    else:
        tol = 1e-2 if dtype == np.float16 else 1e-5
        scale = np.abs(x.astype(np.float64)).reshape(-1, shape[-1]).sum(0)
        assert np.all(np.abs(g.astype(np.float64) - exact) <= tol * scale + 1e-6)


def test_bias_grad_nchw_and_gradient_of_bias_add():
    x = RNG.standard_normal((2, 3, 4, 5))
    np.testing.assert_allclose(
        conv_ops._bias_add_grad_kernel(x, data_format="NCHW"), x.sum((0, 2, 3)), rtol=1e-12
    )
    v = tf.constant(RNG.standard_normal((8, 6, 6, 16)))
    b = tf.constant(RNG.standard_normal(16))
    with tf.GradientTape() as tape:
        tape.watch([v, b])
        y = tf.reduce_sum(tf.nn.bias_add(v, b) * tf.cast(tf.range(16), tf.float64))
    gv, gb = tape.gradient(y, [v, b])
    np.testing.assert_allclose(gb.numpy(), 8 * 36 * np.arange(16.0), rtol=1e-12)
    np.testing.assert_allclose(gv.numpy(), np.broadcast_to(np.arange(16.0), (8, 6, 6, 16)))


def test_bias_rows_choice():
    assert conv_ops._bias_rows(np.zeros((32, 26, 26, 16), np.float32)) == 26
    assert conv_ops._bias_rows(np.zeros((4096, 16), np.float32)) == 128
    assert conv_ops._bias_rows(np.zeros((32, 10), np.float32)) == 1  # small: plain add
    assert conv_ops._bias_rows(np.zeros((64, 64, 512), np.float32)) == 1  # long rows already
    assert conv_ops._bias_rows(np.zeros((32, 26, 26, 16), np.float32)[:, 1:]) == 1


# -- pooling ---------------------------------------------------------------------------


def ref_max_pool_grad(x, g, k, s, pads=((0, 0), (0, 0))):
    """Each window's gradient to its first maximum in scan order (TF's CPU kernels)."""
    xp = np.pad(x.astype(np.float64), ((0, 0), pads[0], pads[1], (0, 0)), constant_values=-np.inf)
    dxp = np.zeros(xp.shape)
    n, ho, wo, c = g.shape
    for b, i, j, ch in np.ndindex(n, ho, wo, c):
        win = xp[b, i * s[0] : i * s[0] + k[0], j * s[1] : j * s[1] + k[1], ch]
        r, q = np.unravel_index(np.argmax(win), win.shape)  # first maximum
        dxp[b, i * s[0] + r, j * s[1] + q, ch] += g[b, i, j, ch]
    return dxp[:, pads[0][0] : pads[0][0] + x.shape[1], pads[1][0] : pads[1][0] + x.shape[2]]


POOLS = [
    # (x shape, ksize, strides, padding): tiling windows first, then the general paths
    ((2, 8, 6, 3), (2, 2), (2, 2), "VALID"),
    ((2, 9, 6, 3), (3, 2), (3, 2), "SAME"),
    ((2, 7, 6, 3), (2, 2), (2, 2), "VALID"),  # remainder row: general path
    ((2, 7, 6, 3), (3, 3), (1, 1), "SAME"),  # overlapping windows
    ((1, 8, 8, 2), (3, 3), (2, 2), "VALID"),
]


@pytest.mark.parametrize("pool", POOLS, ids=range(len(POOLS)))
@pytest.mark.parametrize("ties", [False, True])
def test_max_pool_and_grad_first_max_on_ties(pool, ties):
    xs, k, s, padding = pool
    if ties:  # few distinct values: most windows hold their max more than once
        x = RNG.integers(0, 3, xs).astype(np.float32)
    else:
        x = RNG.permutation(int(np.prod(xs))).reshape(xs).astype(np.float32)
    y = tf.nn.max_pool2d(x, list(k), list(s), padding)
    pads = ((0, 0), (0, 0))
    if padding == "SAME":
        pads = tuple(
            (t // 2, t - t // 2)
            for t in (max(0, (-(-n // st) - 1) * st + kk - n) for n, kk, st in zip(xs[1:3], k, s))
        )
    g = RNG.standard_normal(y.shape).astype(np.float32)
    dx = pool_ops._max_pool_grad_kernel("MaxPoolGrad", 2)(
        x, y.numpy(), g, [1, *k, 1], [1, *s, 1], padding
    )
    assert dx.dtype == np.float32 and dx.shape == xs
    np.testing.assert_allclose(dx, ref_max_pool_grad(x, g, k, s, pads), rtol=1e-6, atol=1e-6)


def test_max_pool_grad_tiles_exact_select_and_special_values():
    x = np.array([[1.0, 5.0], [5.0, 0.0]], np.float32).reshape(1, 2, 2, 1)
    x = np.concatenate([x, x * 0 + np.array([2, 3, 1, 0], np.float32).reshape(1, 2, 2, 1)])
    kern = pool_ops._max_pool_grad_kernel("MaxPoolGrad", 2)
    y = tf.nn.max_pool2d(x, 2, 2, "VALID").numpy()
    g = np.array([np.inf, -7.5], np.float32).reshape(2, 1, 1, 1)
    dx = kern(x, y, g, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    # Tie in the first image: the first 5 (scan order) only; an inf gradient stays inf
    # and never turns the others into nan; the rest are +0.
    np.testing.assert_array_equal(dx[0].ravel(), [0, np.inf, 0, 0])
    np.testing.assert_array_equal(dx[1].ravel(), [0, -7.5, 0, 0])
    assert not np.signbit(dx[0].ravel()[0])
    # A NaN window: the general path's first-max scan (as before)
    xn = np.array([np.nan, 1, 2, 3], np.float32).reshape(1, 2, 2, 1)
    yn = tf.nn.max_pool2d(xn, 2, 2, "VALID").numpy()
    assert np.isnan(yn).all()
    dxn = kern(xn, yn, np.ones((1, 1, 1, 1), np.float32), [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    assert dxn.sum() == 1.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.float16])
def test_pool_tiling_paths_dtypes(dtype):
    x = (RNG.standard_normal((3, 6, 8, 5)) * 10).astype(dtype)
    y = tf.nn.max_pool2d(x, 2, 2, "SAME").numpy()
    assert y.dtype == dtype
    np.testing.assert_array_equal(y, x.reshape(3, 3, 2, 4, 2, 5).max(axis=(2, 4)))
    if dtype != np.int32:
        a = tf.nn.avg_pool2d(x, 2, 2, "VALID").numpy()
        ref = x.astype(np.float64).reshape(3, 3, 2, 4, 2, 5).mean(axis=(2, 4))
        np.testing.assert_allclose(a, ref, atol=0.05 if dtype == np.float16 else 1e-5)
        g = (RNG.standard_normal((3, 3, 4, 5))).astype(dtype)
        da = pool_ops._avg_pool_grad_kernel("AvgPoolGrad", 2)(
            np.array(x.shape), g, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"
        )
        assert da.dtype == dtype
        np.testing.assert_array_equal(da, np.repeat(np.repeat(g / dtype(4), 2, 1), 2, 2))


def test_pool_nchw_tiles():
    x = RNG.standard_normal((2, 3, 4, 6)).astype(np.float32)
    y = tf.nn.max_pool2d(x, 2, 2, "VALID", data_format="NCHW").numpy()
    np.testing.assert_array_equal(y, x.reshape(2, 3, 2, 2, 3, 2).max(axis=(3, 5)))
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        z = tf.reduce_sum(tf.nn.max_pool2d(xt, 2, 2, "VALID", data_format="NCHW"))
    dx = tape.gradient(z, xt).numpy()
    assert dx.shape == x.shape and dx.sum() == 2 * 3 * 2 * 3
    np.testing.assert_array_equal(dx == 1, x == np.repeat(np.repeat(y, 2, 2), 2, 3))


# -- the thread scheduler ----------------------------------------------------------------


def test_run_items_results_in_order_errors_raised(monkeypatch):
    monkeypatch.setattr(conv_ops, "_PAR_FLOPS", 0.0)
    made = []

    def make():
        made.append(1)
        return lambda i: i * i

    assert conv_ops._run_items(make, list(range(40))) == [i * i for i in range(40)]
    assert 1 <= len(made) <= conv_ops._n_workers()

    def bad(i):
        if i == 7:
            raise ValueError("item 7")
        return i

    with pytest.raises(ValueError, match="item 7"):
        conv_ops._run_items(lambda: bad, list(range(20)))
    assert conv_ops._SingleBlas.depth == 0


def test_filter_gradient_bits_do_not_depend_on_threads(monkeypatch):
    x = RNG.standard_normal((6, 14, 14, 8)).astype(np.float32)
    dy = RNG.standard_normal((6, 14, 14, 4)).astype(np.float32)
    monkeypatch.setattr(conv_ops, "_CHUNK_BYTES", 20000)
    args = (x, np.array([3, 3, 8, 4]), dy, [1, 1, 1, 1], "SAME")
    monkeypatch.setattr(conv_ops, "_PAR_FLOPS", 1e30)
    serial = conv_ops._conv2d_bp_filter_kernel(*args)
    monkeypatch.setattr(conv_ops, "_PAR_FLOPS", 0.0)
    for _ in range(3):
        np.testing.assert_array_equal(conv_ops._conv2d_bp_filter_kernel(*args), serial)


def test_concurrent_calls_from_several_threads(monkeypatch):
    # Each caller has its own scratch buffers and job; the helpers serve them in turn.
    import threading

    monkeypatch.setattr(conv_ops, "_PAR_FLOPS", 0.0)
    monkeypatch.setattr(conv_ops, "_CHUNK_BYTES", 4096)
    xs = [RNG.standard_normal((3, 9, 9, 2 + i)).astype(np.float32) for i in range(4)]
    fs = [RNG.standard_normal((3, 3, 2 + i, 3)).astype(np.float32) for i in range(4)]
    want = [ref_conv(x, f, pads=((1, 1), (1, 1))) for x, f in zip(xs, fs)]
    got = [None] * 4
    errors = []

    def run(i):
        try:
            for _ in range(5):
                got[i] = tf.nn.conv2d(xs[i], fs[i], 1, "SAME").numpy()
        except Exception as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-4)
    assert conv_ops._SingleBlas.depth == 0
