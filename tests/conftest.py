"""Every eager op run by the test suite has its inference rule checked against its output."""

from __future__ import annotations

import pytest

from arroyo.framework import op_registry

RAN_OPS: set[str] = set()


def _check_inference(op, inputs, attrs, result):
    RAN_OPS.add(op.name)
    if op.infer is None:
        return
    outs = result if isinstance(result, list) else [result]
    try:
        inferred = op.infer(inputs, attrs)
    except Exception as e:  # inference must accept whatever the kernel accepted
        raise AssertionError(f"{op.name}: inference raised {type(e).__name__}: {e}") from e
    assert len(inferred) == len(outs), (
        f"{op.name}: inferred {len(inferred)} outputs, got {len(outs)}"
    )
    for (dtype, shape), t in zip(inferred, outs):
        assert dtype == t.dtype, f"{op.name}: inferred dtype {dtype} but kernel gave {t.dtype}"
        assert shape.is_compatible_with(t.shape), (
            f"{op.name}: inferred shape {shape} but kernel gave {t.shape}"
        )


@pytest.fixture(scope="session", autouse=True)
def inference_observer():
    remove = op_registry.add_observer(_check_inference)
    yield
    remove()


@pytest.fixture
def ran_ops():
    return RAN_OPS
