"""Runs every row of every `tests/ops/cases_*.py` table, and checks op coverage."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import tests.ops as ops_pkg
from arroyo._api import _build
from arroyo.framework.op_registry import registered_ops
from tests.harness import check_case, load_golden

# Ops that are exercised through other machinery rather than a table row.
COVERED_ELSEWHERE = {
    "ReadVariableOp": "tests/test_variables.py",
    "AssignVariableOp": "tests/test_variables.py (graph builder, issue: graphs)",
    "AssignAddVariableOp": "tests/test_variables.py (graph builder)",
    "AssignSubVariableOp": "tests/test_variables.py (graph builder)",
    "VarHandleOp": "graph builder (issue: graphs)",
    # Control flow: sub-graphs in attrs, run inside compiled plans.
    "If": "tests/graph/test_control_flow.py",
    "StatelessIf": "tests/graph/test_control_flow.py",
    "Case": "tests/graph/test_control_flow.py",
    "StatelessCase": "tests/graph/test_control_flow.py",
    "While": "tests/graph/test_control_flow.py",
    "StatelessWhile": "tests/graph/test_control_flow.py",
    # Graph-only nodes: constants captured while tracing, grouping ops, tf.print.
    "Const": "tests/graph/test_passes.py (every traced row), tests/graph/test_function.py",
    "NoOp": "tests/compat/test_session.py (initializer and train ops)",
    "PrintV2": "tests/graph/test_function.py::test_tf_print_runs_every_call_in_order",
    # Summary writers (a writer handle input; the event files are the output).
    "WriteSummary": "tests/test_summary.py (event bytes equal TF 2.21's fixtures)",
    "WriteScalarSummary": "tests/test_summary.py::test_raw_write_scalar_summary",
    "WriteRawProtoSummary": "tests/test_summary.py::test_write_raw_pb",
    "WriteGraphSummary": "tests/test_summary.py::test_graph_summary",
    "FlushSummaryWriter": "tests/test_summary.py::test_function_writes_every_call_in_order",
    "CloseSummaryWriter": "tests/test_summary.py::test_close_in_function_and_not_found",
    "EncodePng": "tests/test_summary.py::test_encode_png_round_trip (zlib bytes differ from TF's)",
    "EncodeWav": "tests/test_summary.py::test_audio_matches_tf",
}


def _case_modules():
    for info in pkgutil.iter_modules(ops_pkg.__path__):
        if info.name.startswith("cases_"):
            yield info.name, importlib.import_module(f"tests.ops.{info.name}")


ALL = [(name, case) for name, mod in _case_modules() for case in mod.CASES]
_GOLDENS = {}


def _goldens(module):
    if module not in _GOLDENS:
        _GOLDENS[module] = load_golden(module)
    return _GOLDENS[module]


@pytest.mark.parametrize("module,case", ALL, ids=[f"{m}:{c.name}" for m, c in ALL])
def test_case(module, case, ran_ops):
    check_case(case, ran_ops, _goldens(module))


def test_case_names_unique():
    seen = set()
    for module, case in ALL:
        key = (module, case.name)
        assert key not in seen, f"duplicate case name {case.name} in {module}"
        seen.add(key)


def test_every_registered_op_has_a_row():
    list(_build._modules())
    declared = {op for _, case in ALL for op in case.ops}
    missing = sorted(
        name for name, op in registered_ops().items()
        if op.kernel is not None and name not in declared and name not in COVERED_ELSEWHERE
    )  # fmt: skip
    assert not missing, f"registered ops without a test row: {missing}"
