"""Op table rows of tf.data and tf.io: iterator/optional ops, example parsing, serialized
tensors and files. These ops are not differentiable; the rows check values against NumPy
references (TensorFlow's own bytes and parses are checked in tests/tfdata/ from fixtures)."""

from __future__ import annotations

import os
import tempfile

import numpy as np

from arroyo.data import iterator_ops
from arroyo.framework.op_registry import execute
from tests.harness import Case

_ATTRS = {"output_types": None, "output_shapes": None}


def _iterator_ops(tf):
    import arroyo

    ds = tf.data.Dataset.range(3).map(lambda x: x * 10)
    attrs = {"output_types": [arroyo.int64], "output_shapes": [arroyo.TensorShape([])]}
    h = execute(iterator_ops.ANONYMOUS_ITERATOR, (), attrs)
    execute(iterator_ops.MAKE_ITERATOR, (ds._variant_tensor, h), {})
    first = execute(iterator_ops.ITERATOR_GET_NEXT, (h,), attrs)[0]
    opt = execute(iterator_ops.ITERATOR_GET_NEXT_AS_OPTIONAL, (h,), attrs)
    has = execute(iterator_ops.OPTIONAL_HAS_VALUE, (opt,), {})
    second = execute(iterator_ops.OPTIONAL_GET_VALUE, (opt,), attrs)[0]
    execute(iterator_ops.ITERATOR_GET_NEXT, (h,), attrs)
    end = execute(iterator_ops.OPTIONAL_HAS_VALUE,
                  (execute(iterator_ops.ITERATOR_GET_NEXT_AS_OPTIONAL, (h,), attrs),), {})  # fmt: skip
    return [first, has, second, end]


def _example_bytes():
    from arroyo.proto import load

    pb = load("example_pb2")
    ex = pb.Example()
    ex.features.feature["a"].int64_list.value.extend([1, 2, 3])
    ex.features.feature["s"].bytes_list.value.extend([b"x", b"yz"])
    return ex.SerializeToString()


def _parse(tf, ser):
    out = tf.io.parse_example(ser, {"a": tf.io.FixedLenFeature([3], tf.int64),
                                    "s": tf.io.VarLenFeature(tf.string)})  # fmt: skip
    s = out["s"]
    return [out["a"], s.indices, s.values, s.dense_shape]


def _files(tf, contents):
    path = os.path.join(tempfile.mkdtemp(), "sub", "f.bin")
    tf.io.write_file(path, contents)
    return tf.io.read_file(path)


CASES = [
    Case("iterator_ops", _iterator_ops, [], as_tensors=False, golden=False,
         ops=("AnonymousIteratorV3", "MakeIterator", "IteratorGetNext",
              "IteratorGetNextAsOptional", "OptionalHasValue", "OptionalGetValue"),
         ref=lambda: [np.int64(0), True, np.int64(10), False]),
    Case("parse_example_v2", _parse, [np.array([_example_bytes()] * 2, dtype=object)],
         golden=False, ops=("ParseExampleV2",),
         ref=lambda s: [np.array([[1, 2, 3]] * 2), np.array([[0, 0], [0, 1], [1, 0], [1, 1]]),
                        np.array([b"x", b"yz"] * 2, dtype=object), np.array([2, 2])]),
    Case("serialize_parse_tensor",
         lambda tf, x: tf.io.parse_tensor(tf.io.serialize_tensor(x), tf.float32),
         [np.array([[1.5, -2.0], [0.0, 3.25]], np.float32)], golden=False,
         ops=("SerializeTensor", "ParseTensor"), ref=lambda x: x),
    Case("write_read_file", _files, [np.array(b"hello\x00bytes", dtype=object)], golden=False,
         ops=("WriteFile", "ReadFile"), ref=lambda c: c),
]  # fmt: skip
