"""Produces tests/data/goldens/cases_*.npz: TensorFlow 2.21's outputs for every table row.

Run with real TensorFlow, from a virtual environment outside the repository:

    /path/to/tfvenv/bin/python tools/make_goldens.py            # every cases_* module
    /path/to/tfvenv/bin/python tools/make_goldens.py cases_math # one module

The rows are the same `Case` objects the tests use (tests/ops/cases_*.py); each `fn` is
called with the real `tensorflow` module. Outputs are stored as `<case>/<k>` arrays and
their dtypes as `<case>/dtypes`. Rows TF rejects are reported and left out.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main(argv):
    import tensorflow as tf

    import tests.ops as ops_pkg
    from tests.harness import GOLDEN_DIR, _to_np, run

    names = argv or [
        i.name for i in pkgutil.iter_modules(ops_pkg.__path__) if i.name.startswith("cases_")
    ]
    os.makedirs(GOLDEN_DIR, exist_ok=True)
    for name in names:
        mod = importlib.import_module(f"tests.ops.{name}")
        arrays = {}
        skipped = []
        for case in mod.CASES:
            if not case.golden:
                continue
            try:
                out = run(case, tf)
            except Exception as e:  # noqa: BLE001 - report and go on
                skipped.append(f"{case.name}: {type(e).__name__}: {str(e).splitlines()[0][:120]}")
                continue
            outs = out if isinstance(out, (list, tuple)) else [out]
            vals = _to_np(list(outs))
            for k, v in enumerate(vals):
                arrays[f"{case.name}/{k}"] = np.asarray(v)
            arrays[f"{case.name}/dtypes"] = np.array(
                [o.dtype.name for o in outs if hasattr(o, "dtype")], dtype=object
            )
        path = os.path.join(GOLDEN_DIR, name + ".npz")
        tmp = path + ".tmp.npz"
        np.savez_compressed(tmp, **arrays)
        os.replace(tmp, path)
        print(f"{name}: {len([k for k in arrays if k.endswith('/dtypes')])} cases -> {path}")
        for s in skipped:
            print("  skipped", s)


if __name__ == "__main__":
    main(sys.argv[1:])
