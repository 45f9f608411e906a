"""arroyo's own micro-benchmarks, written against the TensorFlow 2 API only.

    python benchmarks/microbench.py                          # arroyo, every workload, a table
    python benchmarks/microbench.py --workload tape,guide_loop --repeat 5
    /root/tfvenv/bin/python benchmarks/microbench.py --impl tensorflow   # the same on TF
    python benchmarks/microbench.py --json                   # JSON lines, as tfapi_bench.py

Workloads (each also times the same work in plain NumPy, in the same process and under the
same BLAS settings: the floor a NumPy-backed framework can reach):

  import       `import <impl>` in a fresh process (s)
  add_small    eager `x + x` on a 2x3 float32 tensor (us/op)
  matmul_small eager 10x10 float32 matmul (us/op)
  tape         `x * x` (2x3) recorded on an active GradientTape vs unrecorded (us/op, ratio)
  chain        `reduce_sum(relu(x*2+1) * sigmoid(x))` on 1M float32 (ms/call)
  matmul_large 2048x2048 float32 matmul (GFLOP/s)
  guide_loop   the basics guide's training loop: 1000 eager steps of a 64-unit ReLU MLP on
               201 points, plain tf.Variables, GradientTape, `v.assign_sub(lr * g)` (s total)

Every number is the median of `--repeat` samples; a sample averages many back-to-back calls.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

perf = time.perf_counter
tf = None  # the module under test, bound in main()
IMPL = "arroyo"
SEED = 42


# --------------------------------------------------------------------------- timing
def _sync(result):
    # Forces the value onto the host, so a lazy implementation is timed in full.
    if result is not None and hasattr(result, "numpy"):
        result.numpy()


def _calibrate(fn, sync, target_s: float) -> int:
    """How many back-to-back calls take about target_s."""
    n = 1
    while True:
        t0 = perf()
        for _ in range(n):
            r = fn()
        sync(r)
        dt = perf() - t0
        if dt >= target_s / 4 or n >= 1_000_000:
            return max(1, min(1_000_000, int(n * target_s / max(dt, 1e-9))))
        n *= 4


def time_per_call(fn, repeat: int, target_s: float = 0.2, sync=_sync, warmup: int = 2):
    """`repeat` samples of seconds per call, each averaged over a calibrated inner loop."""
    for _ in range(warmup):
        sync(fn())
    inner = _calibrate(fn, sync, target_s)
    samples = []
    for _ in range(repeat):
        t0 = perf()
        for _ in range(inner):
            r = fn()
        sync(r)
        samples.append((perf() - t0) / inner)
    return samples


def _no_sync(_):
    pass


def record(workload, unit, samples, numpy_samples=None, headline_unit=None, scale=None, **extra):
    """One result: medians in `unit`; `scale` turns seconds per call into that unit."""
    conv = (lambda s: s) if scale is None else scale
    values = [conv(s) for s in samples]
    rec = {
        "impl": IMPL,
        "impl_version": getattr(tf, "__version__", "?"),
        "workload": workload,
        "mode": "eager",
        "unit": unit,
        "median": statistics.median(values),
        "min": min(values),
        "repeat": len(values),
    }
    if numpy_samples is not None:
        rec["numpy_median"] = statistics.median(conv(s) for s in numpy_samples)
    rec.update(extra)
    rec["samples"] = [round(v, 6) for v in values]
    return rec


# --------------------------------------------------------------------------- workloads
def w_import(repeat):
    def fresh(module):
        code = (
            "import time, importlib; t0 = time.perf_counter(); "
            f"importlib.import_module({module!r}); print(time.perf_counter() - t0)"
        )
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
        # Import from cached bytecode, as users do (the warm-up run below writes it).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        return float(out.stdout.split()[-1])

    fresh(IMPL)  # warm the OS file cache and the bytecode cache
    own = [fresh(IMPL) for _ in range(repeat)]
    floor = [fresh("numpy") for _ in range(repeat)]
    return record("import", "s", own, floor)


def w_add_small(repeat):
    x = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=tf.float32)
    xn = x.numpy()
    own = time_per_call(lambda: x + x, repeat)
    floor = time_per_call(lambda: xn + xn, repeat, sync=_no_sync)
    return record("add_small", "us", own, floor, scale=lambda s: s * 1e6)


def w_matmul_small(repeat):
    xn = np.random.default_rng(SEED).random((10, 10), dtype=np.float32)
    x = tf.constant(xn)
    own = time_per_call(lambda: tf.matmul(x, x), repeat)
    floor = time_per_call(lambda: xn @ xn, repeat, sync=_no_sync)
    return record("matmul_small", "us", own, floor, scale=lambda s: s * 1e6)


def w_tape(repeat):
    x = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=tf.float32)

    def run(n):
        t0 = perf()
        for _ in range(n):
            r = x * x
        r.numpy()
        return (perf() - t0) / n

    def run_recorded(n):
        # A fresh tape per sample, so the recorded op list stays the length of one sample.
        with tf.GradientTape() as tape:
            tape.watch(x)
            return run(n)

    n = _calibrate(lambda: x * x, _sync, 0.1)
    run(n), run_recorded(n)  # warm up
    plain, recorded = [], []
    for _ in range(repeat):  # alternate, so drifting machine load hits both alike
        plain.append(run(n))
        recorded.append(run_recorded(n))
    return record(
        "tape",
        "us",
        recorded,
        scale=lambda s: s * 1e6,
        unrecorded_median=statistics.median(plain) * 1e6,
        recorded_over_unrecorded=statistics.median(recorded) / statistics.median(plain),
    )


def w_chain(repeat, n=1_000_000):
    xn = np.random.default_rng(SEED).standard_normal(n, dtype=np.float32)
    x = tf.constant(xn)

    def chain():
        return tf.reduce_sum(tf.nn.relu(x * 2.0 + 1.0) * tf.sigmoid(x))

    def chain_np():
        one = np.float32(1.0)
        return np.sum(np.maximum(xn * np.float32(2.0) + one, 0) * (one / (one + np.exp(-xn))))

    own = time_per_call(chain, repeat, target_s=0.3)
    floor = time_per_call(chain_np, repeat, target_s=0.3, sync=_no_sync)
    value, want = float(chain().numpy()), float(chain_np())
    assert abs(value - want) <= 1e-3 * abs(want), (value, want)
    return record("chain", "ms", own, floor, scale=lambda s: s * 1e3, value=value)


def w_matmul_large(repeat, n=2048):
    rng = np.random.default_rng(SEED)
    an, bn = rng.random((n, n), dtype=np.float32), rng.random((n, n), dtype=np.float32)
    a, b = tf.constant(an), tf.constant(bn)
    gflops = lambda s: 2 * n**3 / s / 1e9
    own = time_per_call(lambda: tf.matmul(a, b), repeat, target_s=0.5, warmup=1)
    floor = time_per_call(lambda: an @ bn, repeat, target_s=0.5, sync=_no_sync, warmup=1)
    env = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    return record("matmul_large", "GFLOP/s", own, floor, scale=gflops, blas_env=env)


def _guide_data():
    """The guide's data and an initialisation shared by the tf and NumPy versions."""
    rng = np.random.default_rng(SEED)
    x = np.linspace(-2, 2, 201).astype(np.float32)
    y = (x**2 + 2 * x - 5 + rng.standard_normal(201)).astype(np.float32)
    limit = np.sqrt(6.0 / 65)
    init = [
        rng.standard_normal((1, 64)).astype(np.float32),
        rng.standard_normal(64).astype(np.float32),
        rng.uniform(-limit, limit, (64, 1)).astype(np.float32),
        np.zeros(1, np.float32),
    ]
    return x, y, init


def _guide_loop_tf(steps=1000, lr=0.01):
    _, yn, init = _guide_data()
    x = tf.cast(tf.linspace(-2, 2, 201), tf.float32)  # as the guide builds it
    y = tf.constant(yn)
    w1, b1, w2, b2 = variables = [tf.Variable(a) for a in init]
    t0 = perf()
    for step in range(steps):
        with tf.GradientTape() as tape:
            h = tf.nn.relu(tf.matmul(x[:, tf.newaxis], w1) + b1)
            prediction = tf.squeeze(tf.matmul(h, w2) + b2, axis=1)
            loss = tf.reduce_mean((y - prediction) ** 2)
        grads = tape.gradient(loss, variables)
        for v, g in zip(variables, grads):
            v.assign_sub(lr * g)
        if step % 100 == 0:
            loss.numpy()  # the guide prints the loss every 100 steps
    return perf() - t0, float(loss.numpy())


def _guide_loop_tf_function(steps=1000, lr=0.01):
    """The same loop with the step in tf.function; the total includes tracing."""
    _, yn, init = _guide_data()
    x = tf.cast(tf.linspace(-2, 2, 201), tf.float32)
    y = tf.constant(yn)
    w1, b1, w2, b2 = variables = [tf.Variable(a) for a in init]

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            h = tf.nn.relu(tf.matmul(x[:, tf.newaxis], w1) + b1)
            prediction = tf.squeeze(tf.matmul(h, w2) + b2, axis=1)
            loss = tf.reduce_mean((y - prediction) ** 2)
        grads = tape.gradient(loss, variables)
        for v, g in zip(variables, grads):
            v.assign_sub(lr * g)
        return loss

    t0 = perf()
    for i in range(steps):
        loss = step(x, y)
        if i % 100 == 0:
            loss.numpy()
    return perf() - t0, float(loss.numpy())


def _guide_loop_numpy(steps=1000, lr=0.01):
    """The same loop with a hand-written backward pass: the floor for eager autodiff."""
    xn, y, init = _guide_data()
    x = xn[:, None]
    w1, b1, w2, b2 = (a.copy() for a in init)
    lr = np.float32(lr)
    t0 = perf()
    for _ in range(steps):
        pre = x @ w1 + b1
        h = np.maximum(pre, 0)
        err = (h @ w2)[:, 0] + b2[0] - y
        loss = np.mean(err * err)
        d = (err * np.float32(2.0 / len(y)))[:, None]
        dh = (d @ w2.T) * (pre > 0)
        w2 -= lr * (h.T @ d)
        b2 -= lr * d.sum(0)
        w1 -= lr * (x.T @ dh)
        b1 -= lr * dh.sum(0)
    return perf() - t0, float(loss)


def w_guide_loop(repeat):
    runs = [_guide_loop_tf() for _ in range(repeat)]
    floor = [_guide_loop_numpy()[0] for _ in range(repeat)]
    return record(
        "guide_loop",
        "s",
        [t for t, _ in runs],
        floor,
        steps=1000,
        final_loss=runs[-1][1],
        numpy_final_loss=_guide_loop_numpy()[1],
    )


def w_guide_loop_function(repeat):
    runs = [_guide_loop_tf_function() for _ in range(repeat)]
    floor = [_guide_loop_numpy()[0] for _ in range(repeat)]
    return record(
        "guide_loop_function",
        "s",
        [t for t, _ in runs],
        floor,
        steps=1000,
        final_loss=runs[-1][1],
        numpy_final_loss=_guide_loop_numpy()[1],
    )


WORKLOADS = {
    "import": (w_import, 5),
    "add_small": (w_add_small, 7),
    "matmul_small": (w_matmul_small, 7),
    "tape": (w_tape, 7),
    "chain": (w_chain, 7),
    "matmul_large": (w_matmul_large, 5),
    "guide_loop": (w_guide_loop, 3),
    "guide_loop_function": (w_guide_loop_function, 3),
}


def print_table(records) -> None:
    print(f"{'workload':<14}{'unit':>9}{IMPL:>12}{'NumPy':>12}{'ratio':>9}  notes")
    for r in records:
        if "error" in r:
            print(f"{r['workload']:<14}{'':>9}{'error':>12}  {r['error']}")
            continue
        floor = r.get("numpy_median")
        ratio, note = "", ""
        if floor:
            # Ratio of times: > 1 means slower than NumPy (rates are inverted to match).
            ratio = floor / r["median"] if r["unit"] == "GFLOP/s" else r["median"] / floor
            ratio = f"{ratio:.2f}x"
        if r["workload"] == "tape":
            note = (
                f"unrecorded {r['unrecorded_median']:.2f} us; "
                f"recorded/unrecorded {r['recorded_over_unrecorded']:.2f}x"
            )
        elif r["workload"] in ("guide_loop", "guide_loop_function"):
            note = f"final loss {r['final_loss']:.3f} (NumPy {r['numpy_final_loss']:.3f})"
        floor_s = f"{floor:.4g}" if floor else "-"
        print(
            f"{r['workload']:<14}{r['unit']:>9}{r['median']:>12.4g}{floor_s:>12}{ratio:>9}  {note}"
        )


def main(argv=None) -> int:
    global tf, IMPL
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--impl", default="arroyo", help="module imported as `tf` (default: arroyo)")
    p.add_argument("--workload", default="all", help="'all' or a list of: " + ",".join(WORKLOADS))
    p.add_argument("--repeat", type=int, default=None, help="samples per workload")
    p.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    a = p.parse_args(argv)
    names = list(WORKLOADS) if a.workload == "all" else a.workload.split(",")
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        p.error(f"unknown workload(s) {unknown}; choose from {', '.join(WORKLOADS)}")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    IMPL = a.impl
    tf = importlib.import_module(a.impl)
    records = []
    for name in names:
        fn, default_repeat = WORKLOADS[name]
        t0 = perf()
        try:
            rec = fn(a.repeat or default_repeat)
        except Exception as e:  # an unsupported workload is a result too; go on
            rec = {"impl": IMPL, "workload": name, "error": f"{type(e).__name__}: {e}"[:300]}
        records.append(rec)
        if a.json:
            print(json.dumps(rec), flush=True)
        print(f"# {name}: {perf() - t0:.1f}s", file=sys.stderr, flush=True)
    if not a.json:
        print_table(records)
    return 1 if any("error" in r for r in records) else 0


if __name__ == "__main__":
    sys.exit(main())
