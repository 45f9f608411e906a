"""Side-by-side benchmark: arroyo vs TensorFlow vs the NumPy floor, in one table.

    python benchmarks/run.py                                        # arroyo + NumPy floor
    python benchmarks/run.py --tf-python /root/tfvenv/bin/python    # + TensorFlow 2.21
    python benchmarks/run.py --tf-python ... --workload eager_add_small,seed_loop_eager --rounds 3
    python benchmarks/run.py --tf-python ... --micro                 # + benchmarks/microbench.py
    python benchmarks/run.py --save results.jsonl                   # keep every raw record
    python benchmarks/run.py --load results.jsonl                   # its table again

The workloads are the shared ones, `../shared/bench/tfapi_bench.py` (written only against
the TensorFlow API, run once with `--impl arroyo` and once with `--impl tensorflow` in the
interpreter given by --tf-python), and the NumPy floor comes from
`../shared/bench/peers_bench.py --impl numpy`. Without ../shared, the eager workloads of
`benchmarks/microbench.py` (which carry their own NumPy floor) are used instead.

The machine is shared and noisy, so each workload runs in a fresh process per
implementation, the implementations alternate (the order rotates every round), and every
cell is the median of the samples pooled over all rounds. Ratios are times: arroyo's time
divided by the other's (for GFLOP/s, the other's rate divided by arroyo's), so < 1 means
arroyo is faster.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MICRO = ROOT / "benchmarks" / "microbench.py"

# NumPy floor rows, by preference: plain eager NumPy first, then the hand-written backprop
# of the seed loop (mode "manual") and im2col convolution.
FLOOR_MODES = ("eager", "manual", "im2col")
# Per-record extras worth a note under the table (medians over rounds).
EXTRAS = {
    "recorded_over_unrecorded": "taped/untaped op time",
    "unrecorded_median": "untaped op us",
    "first_step_s": "first step s",
    "steady_ms_per_step": "steady ms/step",
    "first_call_s": "first call s",
    "final_mse": "final MSE",
    "final_loss": "final loss",
}


def floor_workload(workload: str) -> str:
    """The peers_bench.py workload that is the NumPy floor for a tfapi_bench.py one."""
    if workload.endswith("_function"):  # a compiled variant's floor is the eager NumPy code
        return workload[: -len("_function")] + "_eager"
    return workload


class Job:
    """One benchmark script in one interpreter: yields JSON records per workload."""

    def __init__(self, label, python, script, impl, extra=(), pythonpath=None):
        self.label, self.python, self.script, self.impl = label, python, script, impl
        self.extra, self.pythonpath = list(extra), pythonpath

    def run(self, workloads, repeat, timeout):
        cmd = [self.python, str(self.script), "--impl", self.impl, "--workload", workloads]
        cmd += self.extra + (["--repeat", str(repeat)] if repeat else [])
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
        # Time imports as users see them, from cached bytecode (TF's wheels ship theirs).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        if self.pythonpath:
            env["PYTHONPATH"] = os.pathsep.join(
                p for p in (str(self.pythonpath), env.get("PYTHONPATH")) if p
            )
        # Outside the repository, so `import tensorflow` and friends see only what is installed.
        with tempfile.TemporaryDirectory() as cwd:
            try:
                proc = subprocess.run(
                    cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
                )
            except subprocess.TimeoutExpired:
                return [{"workload": workloads, "error": f"timed out after {timeout}s"}]
        records = []
        for line in proc.stdout.splitlines():
            if line.startswith("{"):
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
        if not records:
            tail = proc.stderr.strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
            records.append({"workload": workloads, "error": tail[0][:300]})
        return records


class Cell:
    """Pooled samples of one (suite, workload, mode) for one implementation."""

    def __init__(self):
        self.samples: list[float] = []
        self.unit = self.headline_unit = None
        self.rate_constant = None
        self.error = None
        self.extras: dict[str, float] = {}

    def add(self, rec):
        if "error" in rec:
            self.error = rec["error"]
            return
        self.samples += rec["samples"]
        self.unit = rec["unit"]
        self.headline_unit = rec.get("headline_unit", rec["unit"])
        if self.headline_unit != self.unit and self.rate_constant is None:
            # A rate (GFLOP/s, samples/s) is work / time: keep the work, to derive the rate
            # from the pooled median time.
            self.rate_constant = rec.get("flops", 0) / 1e9 * 1e3 if self.unit == "ms" else None
            if not self.rate_constant:
                self.rate_constant = rec["headline"] * rec["median"]
        for key in EXTRAS:
            if isinstance(rec.get(key), (int, float)):
                self.extras.setdefault(key, []).append(rec[key])

    @property
    def time(self):
        """Median time in `unit` (for GFLOP/s rows of microbench: the median rate)."""
        return statistics.median(self.samples) if self.samples else None

    @property
    def headline(self):
        t = self.time
        if t is None or self.rate_constant is None:
            return t
        return self.rate_constant / t

    def is_rate(self):
        return self.unit == "GFLOP/s"


def _fmt(v):
    if v is None:
        return "-"
    return f"{v:.3g}" if abs(v) < 1000 else f"{v:.0f}"


def _ratio(a, b) -> str:
    """Time ratio a/b of two Cells: < 1 means a is faster."""
    if a is None or b is None or a.time is None or b.time is None:
        return "-"
    ta, tb = a.time, b.time
    if a.is_rate() or b.is_rate():  # microbench reports GFLOP/s itself: invert to times
        ta, tb = tb, ta
    return f"{ta / tb:.2f}x"


def _collect(results, floors, suite, workload, label, rec) -> None:
    """File one JSON record under its workload: a timing Cell, a NumPy floor or an error."""
    if "skipped" in rec:
        return
    if label == "numpy":  # peers_bench.py: the NumPy floor of `workload`
        if "error" not in rec:
            floors.setdefault((suite, workload), {}).setdefault(rec["mode"], Cell()).add(rec)
        return
    workload = rec.get("workload", workload)  # microbench.py runs all its workloads at once
    entry = results.setdefault((suite, workload), {"modes": {}, "errors": {}})
    if "error" in rec:
        entry["errors"][label] = rec["error"]
        return
    entry["modes"].setdefault(rec.get("mode", "-"), {}).setdefault(label, Cell()).add(rec)
    if "numpy_median" in rec:  # microbench.py measures its own floor, in the record's unit
        floor = floors.setdefault((suite, workload), {}).setdefault("eager", Cell())
        floor.add(dict(rec, samples=[rec["numpy_median"]]))


def _pick_floor(modes: dict[str, Cell]):
    for mode in FLOOR_MODES:
        if mode in modes:
            return modes[mode]
    return next(iter(modes.values()), None)


def _print_table(results, floors, rounds, seconds) -> None:
    has_tf = any(
        "tensorflow" in cells or "tensorflow" in entry["errors"]
        for entry in results.values()
        for cells in entry["modes"].values()
    )
    head = ["workload", "mode", "unit", "arroyo"] + (["TF 2.21"] if has_tf else [])
    head += ["NumPy floor"] + (["arroyo/TF"] if has_tf else []) + ["arroyo/NumPy"]
    labels = ["arroyo"] + (["tensorflow"] if has_tf else [])
    print(f"\n# medians over {rounds} alternating round(s); ratios are times (< 1: arroyo faster)")
    print(
        f"# OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')} "
        f"OPENBLAS_L2_SIZE={os.environ.get('OPENBLAS_L2_SIZE')}; total {seconds:.0f}s"
    )
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    notes = []
    for (suite, workload), entry in results.items():
        floor = _pick_floor(floors.get((suite, workload), {}))
        name = workload if suite == "tfapi" else f"micro:{workload}"
        for label, err in entry["errors"].items():
            notes.append(f"# {label} {name}: {err}")
        for mode, cells in entry["modes"].items() or [("-", {})]:
            ref = next((c for c in cells.values() if c.unit), None)
            row = [name, mode, ref.headline_unit if ref else "-"]
            for label in labels:
                cell = cells.get(label)
                row.append(
                    _fmt(cell.headline) if cell else "error" if label in entry["errors"] else "-"
                )
            row.append(_fmt(floor.headline) if floor else "-")
            if has_tf:
                row.append(_ratio(cells.get("arroyo"), cells.get("tensorflow")))
            row.append(_ratio(cells.get("arroyo"), floor))
            print("| " + " | ".join(row) + " |")
            for label, cell in cells.items():
                if cell.extras:
                    text = ", ".join(
                        f"{EXTRAS[k]} {statistics.median(v):.3g}" for k, v in cell.extras.items()
                    )
                    notes.append(f"# {label} {name} {mode}: {text}")
    for note in notes:
        print(note)
    sys.stdout.flush()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--tf-python", help="python of a venv with tensorflow 2.21 (adds TF columns)")
    p.add_argument("--workload", default="all", help="comma-separated tfapi_bench.py workloads")
    p.add_argument("--rounds", type=int, default=2, help="alternating rounds (default 2)")
    p.add_argument("--repeat", type=int, default=None, help="samples per run (default: script's)")
    p.add_argument("--micro", action="store_true", help="also run benchmarks/microbench.py")
    p.add_argument("--shared", default=str(ROOT.parent / "shared"), help="the shared folder")
    p.add_argument("--settle", type=float, default=1.0, help="idle seconds before each run")
    p.add_argument("--timeout", type=int, default=900, help="seconds per run")
    p.add_argument("--save", help="write every raw record to this JSON-lines file")
    p.add_argument("--load", help="only print the table of a file written by --save")
    a = p.parse_args(argv)

    if a.load:
        results, floors, rounds = {}, {}, 0
        with open(a.load) as fh:
            for line in fh:
                rec = json.loads(line)
                rounds = max(rounds, rec["round"] + 1)
                workload = rec.get("for_workload", rec.get("workload"))
                _collect(results, floors, rec["suite"], workload, rec["label"], rec)
        _print_table(results, floors, rounds, 0.0)
        return 0

    bench = Path(a.shared) / "bench"
    tfapi, peers = bench / "tfapi_bench.py", bench / "peers_bench.py"
    suites = []  # (suite name, {label: Job}, workloads)
    if tfapi.exists():
        jobs = {"arroyo": Job("arroyo", sys.executable, tfapi, "arroyo", pythonpath=ROOT)}
        if a.tf_python:
            jobs["tensorflow"] = Job("tensorflow", a.tf_python, tfapi, "tensorflow")
        if peers.exists():
            jobs["numpy"] = Job("numpy", sys.executable, peers, "numpy")
        names = a.workload
        if names == "all":
            out = subprocess.run(
                [sys.executable, str(tfapi), "--list"], capture_output=True, text=True, check=True
            )
            names = ",".join(out.stdout.split())
        suites.append(("tfapi", jobs, names.split(",")))
    else:
        print(f"# {tfapi} not found: using benchmarks/microbench.py", file=sys.stderr)
    if a.micro or not tfapi.exists():
        jobs = {"arroyo": Job("arroyo", sys.executable, MICRO, "arroyo", ["--json"], ROOT)}
        if a.tf_python:
            jobs["tensorflow"] = Job("tensorflow", a.tf_python, MICRO, "tensorflow", ["--json"])
        wl = "all" if tfapi.exists() or a.workload == "all" else a.workload
        suites.append(("micro", jobs, wl.split(",") if wl != "all" else ["all"]))

    # (suite, workload) -> {"modes": {mode: {label: Cell}}, "errors": {label: message}}
    results: dict[tuple, dict] = {}
    floors: dict[tuple, dict[str, Cell]] = {}  # (suite, workload) -> NumPy mode -> Cell
    raw = open(a.save, "w") if a.save else None
    t_start = time.perf_counter()
    for suite, jobs, workloads in suites:
        labels = list(jobs)
        for workload in workloads:
            for rnd in range(a.rounds):
                k = rnd % len(labels)
                for label in labels[k:] + labels[:k]:  # rotate who goes first
                    wl = floor_workload(workload) if label == "numpy" else workload
                    time.sleep(a.settle)
                    t0 = time.perf_counter()
                    records = jobs[label].run(wl, a.repeat, a.timeout)
                    print(
                        f"# {suite}:{workload} round {rnd + 1} {label}: "
                        f"{time.perf_counter() - t0:.1f}s",
                        file=sys.stderr,
                        flush=True,
                    )
                    for rec in records:
                        rec.update(suite=suite, label=label, round=rnd, for_workload=workload)
                        if raw:
                            raw.write(json.dumps(rec) + "\n")
                        _collect(results, floors, suite, workload, label, rec)
    if raw:
        raw.close()
    _print_table(results, floors, a.rounds, time.perf_counter() - t_start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
