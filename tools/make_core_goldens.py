"""Produces tests/data/core_goldens.json: TensorFlow 2.21's exact reprs, strs and errors.

Each case is a line of TensorFlow code (or a short block ending in `out = ...`) run with
`tf` and `np` in scope. Real TensorFlow's result is stored, as `repr`/`str` text or as the
exception's type name and message; the tests run the same code with `import arroyo as tf`
and compare (tests/test_dtypes.py, test_tensor.py, ... each check their own group).

    /root/tfvenv/bin/python tools/make_core_goldens.py          # regenerate the JSON
    python tools/make_core_goldens.py --check [group]           # diff arroyo against it

A case is a string, or `(code, mode)` with mode one of
  "exact" (default)  repr and str of the value, or error type and message;
  "repr"             repr only (str differs for a documented reason);
  "type"             the error type only (messages differ for a documented reason);
  "num"              values compared numerically (dtype, shape, values within 1e-5).
Messages are normalised before comparison: TF's `{{function_node ...}}` prefixes, the
` name: ...` suffixes of eager errors, and NodeDef/OpDef dumps are dropped, and module
paths in type names are reduced to the class name.
"""

from __future__ import annotations

import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN_PATH = os.path.join(ROOT, "tests", "data", "core_goldens.json")

# -- the cases ---------------------------------------------------------------------------

DTYPES = [
    "tf.float32",
    "str(tf.float32)",
    "tf.bfloat16",
    "str(tf.bfloat16)",
    "tf.float16",
    "tf.half",
    "tf.double",
    "tf.string",
    "tf.bool",
    "tf.resource",
    "tf.variant",
    "tf.qint8",
    "tf.as_dtype('float')",
    "tf.as_dtype('double')",
    "tf.as_dtype('half')",
    "tf.as_dtype(1)",
    "tf.as_dtype(2)",
    "tf.as_dtype(14)",
    "tf.as_dtype(float)",
    "tf.as_dtype(bool)",
    "tf.as_dtype(object)",
    "tf.as_dtype(int)",
    "tf.as_dtype(complex)",
    "tf.as_dtype(str)",
    "tf.as_dtype(bytes)",
    "tf.as_dtype(np.float32)",
    "tf.as_dtype(np.dtype('float32'))",
    "tf.as_dtype(np.int_)",
    "tf.as_dtype(np.longlong)",
    "tf.as_dtype(np.str_)",
    "tf.as_dtype(np.bytes_)",
    "tf.as_dtype(np.dtype('U3'))",
    "tf.as_dtype(np.dtype('S3'))",
    "tf.as_dtype(np.object_)",
    "tf.as_dtype(np.array([1.0]))",
    "tf.as_dtype(np.bool_)",
    "tf.as_dtype(np.complex64)",
    "tf.as_dtype(np.uint16)",
    "tf.as_dtype('foo')",
    "tf.as_dtype(None)",
    "tf.as_dtype(100)",
    "tf.as_dtype(0)",
    "tf.as_dtype([1])",
    "tf.as_dtype(np.void)",
    "tf.as_dtype(np.dtype('datetime64'))",
    "tf.as_dtype(tf.constant(1))",
    "tf.as_dtype(tf.float64) is tf.float64",
    "tf.DType(1)",
    "tf.DType(1) == tf.float32",
    "tf.float32 == np.float32",
    "tf.float32 == 'float32'",
    "tf.float32 == np.dtype('float32')",
    "tf.float32 == 'float'",
    "tf.float32 == 1",
    "tf.float32 == 'foo'",
    "tf.float32 == None",
    "tf.float32 != 'float64'",
    "tf.float32 != tf.float32",
    "np.float32 == tf.float32",
    "'float32' == tf.float32",
    "np.dtype('float32') == tf.float32",
    "tf.int32 in (tf.float32, 'int32')",
    "tf.float32 in [np.float32]",
    "hash(tf.float32)",
    "hash(tf.int64)",
    "tf.float32 < tf.float64",
    "tf.float32.is_compatible_with(np.float32)",
    "tf.float64.is_compatible_with(tf.float32)",
    "tf.float32.is_compatible_with('foo')",
    "pickle.loads(pickle.dumps(tf.float32)) is tf.float32",
    "copy.deepcopy(tf.float32) is tf.float32",
    "tf.float32.__reduce__()[1]",
    "tf.dtypes.as_dtype('bool')",
    "tf.dtypes.float32",
    "tf.dtypes.QUANTIZED_DTYPES == {tf.qint8, tf.quint8, tf.qint16, tf.quint16, tf.qint32}",
    "np.zeros(2, dtype=tf.float32)",
    "np.dtype(tf.float32)",
]
_DT_NAMES = ["float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64",
             "uint8", "uint16", "uint32", "uint64", "complex64", "complex128", "bool", "string",
             "resource", "variant", "qint8", "quint8", "qint16", "quint16", "qint32"]  # fmt: skip
_DT_ATTRS = ["name", "as_datatype_enum", "as_numpy_dtype", "is_floating", "is_integer",
             "is_complex", "is_bool", "is_unsigned", "is_quantized", "is_numeric",
             "is_numpy_compatible", "size", "real_dtype", "base_dtype", "min", "max", "limits"]  # fmt: skip
for _n in _DT_NAMES:
    for _a in _DT_ATTRS:
        DTYPES.append(f"tf.as_dtype('{_n}').{_a}")
    DTYPES.append(
        f"type(tf.as_dtype('{_n}').min)"
        if _n not in ("bool", "string", "resource", "variant", "complex64", "complex128")
        and not _n.startswith("q")
        else f"tf.as_dtype('{_n}') == '{_n}'"
    )

SHAPE = [
    "S(None)",
    "S([])",
    "S([None])",
    "S([1, None, 3])",
    "S(3)",
    "S((2, 3))",
    "S([-1])",
    "S([2, -1])",
    "S([1.5])",
    "S(['a'])",
    "S('ab')",
    "S([np.int64(3)])",
    "S(tf.constant([1, 2]))",
    "S(np.array([2, 3]))",
    "S({1, 2})",
    "S([[1]])",
    "S([1, S([2])[0]])",
    "S([2, 3]).as_list()",
    "S(None).as_list()",
    "S([None, 3]).as_list()",
    "S(None).rank",
    "S([1, 2]).rank",
    "S([1, 2]).ndims",
    "S(None).ndims",
    "S([2, 3]).num_elements()",
    "S([None, 3]).num_elements()",
    "S(None).num_elements()",
    "S([]).num_elements()",
    "S([2, 3]).is_fully_defined()",
    "S(None).is_fully_defined()",
    "S([None, 3]).merge_with([2, None])",
    "S([2, 3]).merge_with([3, 3])",
    "S([2, 3]).merge_with([2])",
    "S(None).merge_with([2])",
    "S([2]).merge_with(None)",
    "S([None, 3]).is_compatible_with([2, 3])",
    "S([None, 3]).is_compatible_with([2, 4])",
    "S([None, 3]).is_compatible_with([2])",
    "S(None).is_compatible_with([2])",
    "S([1]).is_compatible_with(None)",
    "S([1, 2]).is_compatible_with('ab')",
    "S([1, 2]).is_compatible_with(5)",
    "S([1, 2]).concatenate([3])",
    "S([1, 2]).concatenate(None)",
    "S(None).concatenate([1])",
    "S([1, 2]).concatenate([None])",
    "S([1, 2, 3])[0]",
    "S([1, 2, 3])[-1]",
    "S([1, 2, 3])[1:]",
    "S([1, 2, 3])[::-1]",
    "S(None)[0]",
    "S(None)[1:]",
    "S([1, 2, 3])[5]",
    "S([1, None])[1]",
    "S([1, 2])['a']",
    "S([1, 2])[0.5]",
    "type(S([1, 2])[0])",
    "str(S(None))",
    "str(S([]))",
    "str(S([None]))",
    "str(S([1, None, 3]))",
    "str(S([4]))",
    "repr(S(None))",
    "repr(S([]))",
    "repr(S([None]))",
    "repr(S([1, None, 3]))",
    "S([1, 2]) == [1, 2]",
    "S([1, 2]) == (1, 2)",
    "S([1, 2]) == S([1, 2])",
    "S([1, None]) == S([1, None])",
    "S([1, None]) == [1, None]",
    "S(None) == S(None)",
    "S([1, 2]) == [1, 3]",
    "S([1, 2]) != [1, 3]",
    "S([1, 2]) == 'ab'",
    "S([1, 2]) == None",
    "S([1, 2]) == 5",
    "[1, 2] == S([1, 2])",
    "S([1, 2])[0:1] == [1]",
    "hash(S([1, 2])) == hash(S([1, 2]))",
    "len(S([1, 2]))",
    "len(S(None))",
    "list(S([1, None]))",
    "list(S(None))",
    "bool(S([]))",
    "bool(S(None))",
    "bool(S([0]))",
    "3 in S([1, 3])",
    "S([1, 2]) + [3]",
    "[3] + S([1, 2])",
    "S([1, 2]) + S(None)",
    "S([1, 2]) + 5",
    "S([1, 2]).with_rank(2)",
    "S([1, 2]).with_rank(3)",
    "S(None).with_rank(2)",
    "S([1, 2]).with_rank_at_least(3)",
    "S([1, 2]).with_rank_at_most(1)",
    "S([1, 2]).with_rank_at_most(3)",
    "S([1, 2]).assert_has_rank(3)",
    "S([1, 2]).assert_is_compatible_with([1, 3])",
    "S([1, None]).assert_is_fully_defined()",
    "S([1, 2]).assert_same_rank([1])",
    "S([1, None]).most_specific_compatible_shape([1, 2])",
    "S([1, 2]).most_specific_compatible_shape([1, 2, 3])",
    "S([1, 2]).most_specific_common_supertype([S([1, 3])])",
    "S([1, 2]).dims",
    "S(None).dims",
    "S([1, None]).dims",
    "S([1, 2]).is_subtype_of(S([None, 2]))",
    "S([None, 2]).is_subtype_of(S([1, 2]))",
    "S([1, 2]).is_subtype_of(S(None))",
    "S(None).is_subtype_of(S([1, 2]))",
    "pickle.loads(pickle.dumps(S([None, 2])))",
    "tf.convert_to_tensor(S([2, 3]))",
    "tf.convert_to_tensor(S([1, None]))",
    "tf.convert_to_tensor(S(None))",
    "tf.convert_to_tensor(S([2, 3]), tf.int64)",
    "tf.convert_to_tensor(S([]))",
    "tf.constant([[1, 2]]).shape",
    "tf.constant(1).shape",
    "tf.constant([[1, 2]]).shape.as_list()",
    "tf.constant([[1, 2]]).shape[1]",
    "tf.constant([[1, 2]]).get_shape()",
    "tf.TensorSpec([None, 3])",
    "tf.TensorSpec([None, 3], tf.int32, name='x')",
    "tf.TensorSpec(None)",
    "tf.TensorSpec([], tf.string)",
    "tf.TensorSpec([2]).shape",
    "tf.TensorSpec([2]).dtype",
    "tf.TensorSpec([2]).name",
    "tf.TensorSpec([2], name='a').name",
    "tf.TensorSpec([None, 3]).is_compatible_with(tf.zeros([2, 3]))",
    "tf.TensorSpec([None, 3]).is_compatible_with(tf.zeros([2, 4]))",
    "tf.TensorSpec([None, 3]).is_compatible_with(tf.zeros([2, 3], tf.int32))",
    "tf.TensorSpec([None, 3]).is_compatible_with(tf.TensorSpec([5, 3]))",
    "tf.TensorSpec.from_tensor(tf.zeros([2, 3]))",
    "tf.TensorSpec.from_tensor(tf.zeros([2]), name='z')",
    "tf.TensorSpec.from_spec(tf.TensorSpec([1], tf.int8, 'q'))",
    "tf.TensorSpec([1]) == tf.TensorSpec([1])",
    "tf.TensorSpec([1]) == tf.TensorSpec([2])",
    "tf.TensorSpec([1]) == tf.TensorSpec([1], name='a')",
    "tf.TensorSpec([1], tf.int32) != tf.TensorSpec([1])",
    "hash(tf.TensorSpec([1])) == hash(tf.TensorSpec([1]))",
    "tf.TensorSpec([1, None]).most_specific_compatible_type(tf.TensorSpec([2, 3]))",
    "tf.TensorSpec([1], 'float64')",
    "tf.TensorSpec([1], np.int16)",
    "tf.TensorSpec('a')",
    "tf.TensorSpec([1], 'foo')",
    "str(tf.TensorSpec([None, 3]))",
]

REPRS = [
    "tf.constant(1)",
    "tf.constant(1.5)",
    "tf.constant(True)",
    "tf.constant('abc')",
    "tf.constant(b'\\xff')",
    "tf.constant('é')",
    "tf.constant(1 + 2j)",
    "tf.constant(1.5, tf.float16)",
    "tf.constant(1.5, tf.bfloat16)",
    "tf.constant([1.5, 2], tf.bfloat16)",
    "tf.constant([])",
    "tf.zeros([0, 3])",
    "tf.zeros([2, 0])",
    "tf.zeros([2, 0, 3], tf.int32)",
    "tf.constant([[1, 2], [3, 4]])",
    "tf.constant(np.arange(2000.))",
    "tf.constant(np.arange(2000).reshape(40, 50))",
    "tf.constant(np.arange(1001))",
    "tf.constant(np.arange(1000))",
    "tf.constant(np.arange(24.).reshape(2, 3, 4))",
    "tf.constant(np.arange(3000.).reshape(10, 10, 30))",
    "tf.constant(['a', 'bb'])",
    "tf.constant([[b'x'], [b'\\x00y']])",
    "tf.constant([[True, False]])",
    "tf.constant([1 + 2j, 3j])",
    "tf.constant([1 + 2j, 3j], tf.complex64)",
    "tf.constant([1.5, np.nan, np.inf, -np.inf])",
    "tf.constant(np.float64(1e-10))",
    "tf.constant(1e20)",
    "tf.constant([1e-10, 1.0])",
    "tf.constant([1e-5, 1e5])",
    "tf.constant(np.uint8(3))",
    "tf.constant([1, 2], tf.int64)",
    "tf.constant(0.1)",
    "tf.constant(np.float64(0.1))",
    "tf.constant([0.1, 0.2], tf.float16)",
    "tf.constant(-0.0)",
    "tf.constant(np.nan)",
    "tf.constant(123456789.)",
    "tf.constant(1, tf.uint64)",
    "tf.constant(2**40)",
    "tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3) / 3)",
    "tf.constant([[1.5, -2.25], [1e3, 0.001]])",
    "tf.constant(np.float32(1) / 3)",
    "tf.constant(1 / 3)",
    "tf.constant([255], tf.uint8)",
    "tf.constant([-128, 127], tf.int8)",
    "tf.constant(np.array([1, 2], np.uint32))",
    "tf.constant(np.linspace(0, 1, 7))",
    "tf.constant([[[1]]])",
    "tf.constant(np.ones([3, 1, 2], np.float16))",
    "tf.constant([['a', 'b'], ['c', 'd']])",
    "tf.constant([True] * 1500)",
    "tf.constant(['s'] * 1200)",
    "tf.reshape(tf.range(12), [3, 4])",
    "tf.constant(np.full([2, 2], 1e-8))",
    "tf.constant(3e-45)",
    "tf.ones([2, 2], tf.bfloat16) / 3",
    "tf.constant(np.float64(7))",
    "tf.constant([7.0])",
]
REPRS += [
    f"[repr(tf.zeros([2], {d})), str(tf.ones([], {d}))]"
    for d in (
        "tf.float16",
        "tf.float32",
        "tf.float64",
        "tf.bfloat16",
        "tf.int8",
        "tf.int16",
        "tf.int32",
        "tf.int64",
        "tf.uint8",
        "tf.uint16",
        "tf.uint32",
        "tf.uint64",
        "tf.complex64",
        "tf.complex128",
        "tf.bool",
        "tf.string",
    )
]

CONVERT = [
    "tf.convert_to_tensor(2.5, tf.int32)",
    "tf.convert_to_tensor([1, 'a'])",
    "tf.convert_to_tensor([[1], [1, 2]])",
    "tf.convert_to_tensor(2**64)",
    "tf.convert_to_tensor(2**63)",
    "tf.convert_to_tensor(-2**63)",
    "tf.convert_to_tensor(2**31)",
    "tf.convert_to_tensor(-2**31)",
    "tf.convert_to_tensor(-2**31 - 1)",
    "tf.convert_to_tensor([1, 2**40])",
    "tf.convert_to_tensor([1, 2.0])",
    "tf.convert_to_tensor([True, 1])",
    "tf.convert_to_tensor([1, True])",
    "tf.convert_to_tensor([1.0, True])",
    "tf.convert_to_tensor([True, 1.0])",
    "tf.convert_to_tensor([1, 1j])",
    "tf.convert_to_tensor([1j, 1])",
    "tf.convert_to_tensor([1j, 1.0])",
    "tf.convert_to_tensor([1j, True])",
    "tf.convert_to_tensor([1.0, 1j])",
    "tf.convert_to_tensor(None)",
    "tf.convert_to_tensor([None])",
    "tf.convert_to_tensor([1, None])",
    "tf.convert_to_tensor({'a': 1})",
    "tf.convert_to_tensor({1, 2})",
    "tf.convert_to_tensor(tf.float32)",
    "tf.convert_to_tensor(range(3))",
    "tf.convert_to_tensor(bytearray(b'ab'))",
    "tf.convert_to_tensor([[1, 2], (3, 4)])",
    "tf.convert_to_tensor(((1,), [2]))",
    "tf.convert_to_tensor([tf.constant(1), 2])",
    "tf.convert_to_tensor([tf.constant(1.0), 2])",
    "tf.convert_to_tensor([tf.constant(1), 2.5])",
    "tf.convert_to_tensor([tf.constant(1), tf.constant(1.0)])",
    "tf.convert_to_tensor([2, tf.constant(1.0)])",
    "tf.convert_to_tensor([2.5, tf.constant(1)])",
    "tf.convert_to_tensor([tf.constant([1, 2]), [3, 4]])",
    "tf.convert_to_tensor([tf.constant([1, 2]), [3]])",
    "tf.convert_to_tensor([[tf.constant(1.0)], [2]])",
    "tf.convert_to_tensor([[tf.constant(2)], [3.5]])",
    "tf.convert_to_tensor([tf.constant(1), 2], tf.float32)",
    "tf.convert_to_tensor([tf.constant(1), tf.constant(1.0)], tf.float32)",
    "tf.convert_to_tensor([tf.constant(1), 'a'])",
    "tf.convert_to_tensor([tf.constant(1), None])",
    "tf.convert_to_tensor([tf.constant(1.0), np.array(2.5)])",
    "tf.convert_to_tensor([tf.constant(1), np.int64(2**40)])",
    "tf.convert_to_tensor([tf.constant([1, 2]), tf.constant([1])])",
    "tf.convert_to_tensor((tf.constant(1), 2))",
    "tf.convert_to_tensor([tf.Variable(1.0), 2.0])",
    "tf.convert_to_tensor([tf.Variable(1.0), tf.constant(2)])",
    "tf.convert_to_tensor(1, tf.float32)",
    "tf.convert_to_tensor(1.0, tf.int32)",
    "tf.convert_to_tensor(True, tf.int32)",
    "tf.convert_to_tensor(True, tf.int64)",
    "tf.convert_to_tensor(True, tf.uint64)",
    "tf.convert_to_tensor(True, tf.int8)",
    "tf.convert_to_tensor(True, tf.uint8)",
    "tf.convert_to_tensor(True, tf.float32)",
    "tf.convert_to_tensor(True, tf.float64)",
    "tf.convert_to_tensor(True, tf.float16)",
    "tf.convert_to_tensor(True, tf.bfloat16)",
    "tf.convert_to_tensor(True, tf.complex64)",
    "tf.convert_to_tensor(True, tf.complex128)",
    "tf.convert_to_tensor(True, tf.string)",
    "tf.convert_to_tensor(1, tf.bool)",
    "tf.convert_to_tensor(1.0, tf.bool)",
    "tf.convert_to_tensor(1, tf.string)",
    "tf.convert_to_tensor('a', tf.int32)",
    "tf.convert_to_tensor(b'a', tf.int32)",
    "tf.convert_to_tensor('a', tf.float32)",
    "tf.convert_to_tensor(['a'], tf.float32)",
    "tf.convert_to_tensor(1 + 1j, tf.float32)",
    "tf.convert_to_tensor(1j, tf.int32)",
    "tf.convert_to_tensor(1j, tf.float64)",
    "tf.convert_to_tensor(1j, tf.float16)",
    "tf.convert_to_tensor(1j, tf.bfloat16)",
    "tf.convert_to_tensor(1j, tf.complex64)",
    "tf.convert_to_tensor(1, tf.complex64)",
    "tf.convert_to_tensor(1.5, tf.complex64)",
    "tf.convert_to_tensor(1, tf.complex128)",
    "tf.convert_to_tensor(300, tf.int8)",
    "tf.convert_to_tensor(-1, tf.uint8)",
    "tf.convert_to_tensor(-1, tf.uint16)",
    "tf.convert_to_tensor(40000, tf.int16)",
    "tf.convert_to_tensor(2**32 + 5, tf.uint32)",
    "tf.convert_to_tensor(2**40, tf.int32)",
    "tf.convert_to_tensor([1, 2**40], tf.int32)",
    "tf.convert_to_tensor(2**31, tf.int32)",
    "tf.convert_to_tensor(2**63, tf.int64)",
    "tf.convert_to_tensor(2**63, tf.int32)",
    "tf.convert_to_tensor([2**63], tf.int8)",
    "tf.convert_to_tensor(-2**63 - 1, tf.int64)",
    "tf.convert_to_tensor(2**63, tf.uint64)",
    "tf.convert_to_tensor(2**64 - 1, tf.uint64)",
    "tf.convert_to_tensor(1, tf.uint64)",
    "tf.convert_to_tensor(2**40, tf.int8)",
    "tf.convert_to_tensor(2**40, tf.float32)",
    "tf.convert_to_tensor(2**70, tf.float32)",
    "tf.convert_to_tensor(2**64, tf.float32)",
    "tf.convert_to_tensor(1.5, tf.float64)",
    "tf.convert_to_tensor(0.1, tf.float64)",
    "tf.convert_to_tensor(1.5, tf.bfloat16)",
    "tf.convert_to_tensor(1, tf.bfloat16)",
    "tf.convert_to_tensor(1.5, tf.int8)",
    "tf.convert_to_tensor(1.5, tf.uint64)",
    "tf.convert_to_tensor(1.0, tf.uint8)",
    "tf.convert_to_tensor([1, 2.5], tf.int32)",
    "tf.convert_to_tensor([1.5, 2], tf.int32)",
    "tf.convert_to_tensor([[1.5], [2]], tf.int32)",
    "tf.convert_to_tensor([1, 'a'], tf.int32)",
    "tf.convert_to_tensor(['a', 1], tf.string)",
    "tf.convert_to_tensor([True, 1], tf.int32)",
    "tf.convert_to_tensor([1, True], tf.int32)",
    "tf.convert_to_tensor([True, 1], tf.bool)",
    "tf.convert_to_tensor([1.0, 'a'], tf.float32)",
    "tf.convert_to_tensor([[1, 2], [3]], tf.float32)",
    "tf.convert_to_tensor([1, [2]], tf.float32)",
    "tf.convert_to_tensor([1, None], tf.int32)",
    "tf.convert_to_tensor(None, tf.int32)",
    "tf.convert_to_tensor(1, tf.resource)",
    "tf.convert_to_tensor(float('nan'), tf.int32)",
    "tf.convert_to_tensor([np.nan], tf.int32)",
    "tf.convert_to_tensor(1e40)",
    "tf.convert_to_tensor([1e40])",
    "tf.convert_to_tensor([1.0, 1e40])",
    "tf.convert_to_tensor([1, 1e40])",
    "tf.convert_to_tensor(1e40, tf.float32)",
    "tf.convert_to_tensor(1e40, tf.float64)",
    "tf.convert_to_tensor(1e300, tf.float32)",
    "tf.convert_to_tensor(1e300, tf.bfloat16)",
    "tf.convert_to_tensor(1e40, tf.float16)",
    "tf.convert_to_tensor(70000.0, tf.float16)",
    "tf.convert_to_tensor(70000, tf.float16)",
    "tf.convert_to_tensor(2.0, tf.float16)",
    "tf.convert_to_tensor(float('inf'))",
    "tf.convert_to_tensor(1e-50)",
    "tf.convert_to_tensor(3.4028235e+38)",
    "tf.convert_to_tensor(3.4028236e+38)",
    "tf.convert_to_tensor([np.float64(1), 1e300])",
    "tf.convert_to_tensor([np.float16(1), 1e300])",
    "tf.convert_to_tensor([np.float32(1), 1e300])",
    "tf.convert_to_tensor([np.float64(1), 2])",
    "tf.convert_to_tensor([np.float32(1), 2])",
    "tf.convert_to_tensor([np.float16(1), 2])",
    "tf.convert_to_tensor([np.float16(1), 2.0])",
    "tf.convert_to_tensor([np.int64(1), 2])",
    "tf.convert_to_tensor([np.int64(1), 2.5])",
    "tf.convert_to_tensor([1, np.float64(2.5)])",
    "tf.convert_to_tensor([2.5, np.float64(1)])",
    "tf.convert_to_tensor([np.float64(1)])",
    "tf.convert_to_tensor([np.int32(1)])",
    "tf.convert_to_tensor([np.int8(1)])",
    "tf.convert_to_tensor([np.uint8(1)])",
    "tf.convert_to_tensor([np.bool_(True), True])",
    "tf.convert_to_tensor([np.complex64(1), 2])",
    "tf.convert_to_tensor([1, np.complex64(1)])",
    "tf.convert_to_tensor([1, np.int64(2**40)])",
    "tf.convert_to_tensor([1, np.array(2.5)])",
    "tf.convert_to_tensor([np.array([1, 2]), [3, 4]])",
    "tf.convert_to_tensor([np.array([1.5, 2]), [3, 4]])",
    "tf.convert_to_tensor([np.array([1, 2], np.int64), [3, 4]])",
    "tf.convert_to_tensor([np.array([1, 2], np.float64)])",
    "tf.convert_to_tensor([np.array(['a']), ['b']])",
    "tf.convert_to_tensor([b'a', 'b'])",
    "tf.convert_to_tensor([[1, 2], 3])",
    "tf.convert_to_tensor([1, [2, 3]])",
    "tf.convert_to_tensor([[1], []])",
    "tf.convert_to_tensor([])",
    "tf.convert_to_tensor([[]])",
    "tf.convert_to_tensor(())",
    "tf.convert_to_tensor([[], []])",
    "tf.convert_to_tensor([], tf.int32)",
    "tf.convert_to_tensor([[]], tf.string)",
    "tf.convert_to_tensor((1, 2))",
    "tf.convert_to_tensor('a', tf.string)",
    "tf.convert_to_tensor(b'a')",
    "tf.convert_to_tensor(np.array(['a', 'b']))",
    "tf.convert_to_tensor(np.array([b'a']))",
    "tf.convert_to_tensor(np.array(b'ab'))",
    "tf.convert_to_tensor(np.str_('a'))",
    "tf.convert_to_tensor(np.bytes_(b'a'))",
    "tf.convert_to_tensor(np.array(['é']))",
    "tf.convert_to_tensor(np.array([1, 2], dtype=object))",
    "tf.convert_to_tensor(np.array([[1], [2]], dtype=object))",
    "tf.convert_to_tensor(np.array([b'a', 1], dtype=object))",
    "tf.convert_to_tensor(np.array([b'a', 'b'], dtype=object))",
    "tf.convert_to_tensor(np.array([1], dtype='datetime64[D]'))",
    "tf.convert_to_tensor(np.float64(2.5), tf.int32)",
    "tf.convert_to_tensor(np.array([1.5]), tf.int32)",
    "tf.convert_to_tensor(np.array([1.5, -1.5]), tf.int32)",
    "tf.convert_to_tensor(np.array([1.0]), tf.int32)",
    "tf.convert_to_tensor(np.array([1.0]), tf.float32)",
    "tf.convert_to_tensor(np.int64(5), tf.int32)",
    "tf.convert_to_tensor(np.array([300]), tf.int8)",
    "tf.convert_to_tensor(np.array([1.5]), tf.bool)",
    "tf.convert_to_tensor(np.array([1.5]), tf.string)",
    "tf.convert_to_tensor(np.array([1], np.int8), tf.string)",
    "tf.convert_to_tensor(np.array(['1']), tf.int32)",
    "tf.convert_to_tensor(np.array(['a']), tf.float32)",
    "tf.convert_to_tensor(np.array([b'a']), tf.string)",
    "tf.convert_to_tensor(np.array(['a']), tf.string)",
    "tf.convert_to_tensor(np.array([1 + 1j]), tf.float32)",
    "tf.convert_to_tensor(np.array([True]), tf.float32)",
    "tf.convert_to_tensor(np.array([1]), tf.complex64)",
    "tf.convert_to_tensor(np.array([1.5]), tf.resource)",
    "tf.convert_to_tensor(np.array(np.nan), tf.bool)",
    "tf.convert_to_tensor(np.array(1.7), tf.uint8)",
    "tf.convert_to_tensor(np.array(1e10), tf.float16)",
    "tf.convert_to_tensor(np.array(-1), tf.uint8)",
    "tf.convert_to_tensor(np.float32(2.5), tf.float64)",
    "tf.convert_to_tensor(np.array([1], np.uint16))",
    "tf.convert_to_tensor(np.array([1], np.uint32))",
    "tf.convert_to_tensor(np.array([1], np.float16), tf.bfloat16)",
    "tf.convert_to_tensor(np.bool_(True))",
    "tf.convert_to_tensor(np.array(1.0, np.float16))",
    "tf.convert_to_tensor(np.array([[1, 2], [3, 4]])[:, 0])",
    "tf.convert_to_tensor(np.ma.masked_array([1, 2]))",
    "tf.convert_to_tensor(np.array([[1, 2]], order='F'))",
    "tf.convert_to_tensor(tf.constant(1), tf.float32)",
    "tf.convert_to_tensor(tf.constant(1), dtype_hint=tf.float32)",
    "tf.convert_to_tensor(1, dtype_hint=tf.float32)",
    "tf.convert_to_tensor(1.5, dtype_hint=tf.int32)",
    "tf.convert_to_tensor('a', dtype_hint=tf.int32)",
    ("tf.convert_to_tensor([1, 2], preferred_dtype=tf.int64)", "type"),
    "tf.convert_to_tensor(tf.Variable(1.0), tf.int32)",
    "tf.convert_to_tensor(tf.Variable(1.0))",
    "tf.convert_to_tensor(tf.Variable(1.0), tf.float32)",
    "tf.convert_to_tensor(1, 'float32')",
    "tf.convert_to_tensor(1, np.float64)",
    "tf.convert_to_tensor(1, 'foo')",
    "tf.constant(1.5, tf.int32)",
    "tf.constant([1.5], tf.int32)",
    "tf.constant(2**31)",
    "tf.constant([2**31, 1])",
    "tf.constant(2**63 - 1)",
    "tf.constant(2**63)",
    "tf.constant(2**64 - 1, tf.uint64)",
    "tf.constant(-1, tf.uint32)",
    "tf.constant(1.0, tf.uint8)",
    "tf.constant(1, shape=[2, 2])",
    "tf.constant(np.array([1, 2, 3]), shape=[3, 1])",
    "tf.constant(1, tf.int32, shape=[0])",
    "tf.constant([[1, 2], [3, 4]], shape=[4])",
    "tf.constant(1, shape=[])",
    "tf.constant(1, shape=2)",
    "tf.constant(np.array([1, 2]), tf.float32)",
    "tf.constant(tf.constant(1), tf.int32)",
]

TENSOR = [
    "bool(s)",
    "bool(tf.constant(0))",
    "bool(v)",
    "bool(tf.constant([1]))",
    "bool(e)",
    "bool(st)",
    "bool(tf.constant(''))",
    "int(s)",
    "int(f)",
    "int(v)",
    "int(tf.constant([3]))",
    "int(st)",
    "int(b)",
    "float(s)",
    "float(f)",
    "float(v)",
    "float(tf.constant([[2.0]]))",
    "float(st)",
    "complex(c)",
    "complex(f)",
    "[1, 2, 3][s]",
    "[1, 2, 3][f]",
    "[1, 2, 3][v]",
    "[1, 2, 3][tf.constant(1, tf.int64)]",
    "[1, 2, 3][tf.constant(1, tf.uint8)]",
    "[1, 2, 3][b]",
    "s.__index__()",
    "range(s)",
    "np.arange(s)",
    "len(v)",
    "len(s)",
    "len(m)",
    "len(e)",
    "list(v)",
    "list(s)",
    "list(m)",
    "[x.numpy() for x in m]",
    "list(e)",
    "hash(s)",
    "{s: 1}",
    "s.ref() == s.ref()",
    "s.ref() == tf.constant(3).ref()",
    "s.ref().deref() is s",
    "hash(s.ref()) == hash(s.ref())",
    "{s.ref(): 1}[s.ref()]",
    "s.experimental_ref().deref() is s",
    "format(s)",
    "format(f, '.2f')",
    "format(s, '05d')",
    "format(v)",
    "format(v, '.2f')",
    "format(st)",
    "'{}'.format(f)",
    "f'{f:.3f}'",
    "f'{m}'",
    "format(b)",
    "format(c)",
    "format(m, '')",
    "np.asarray(m)",
    "np.array(v, dtype=np.float64)",
    "np.asarray(st)",
    "np.asarray(s)",
    "np.float32(f)",
    "np.sum(v)",
    "np.add(v, 1)",
    "np.sqrt(m)",
    "np.concatenate([v, v])",
    "m.numpy()",
    "s.numpy()",
    "type(s.numpy())",
    "type(st.numpy())",
    "type(v.numpy())",
    "b.numpy()",
    "type(b.numpy())",
    "c.numpy()",
    "e.numpy()",
    "st.numpy()",
    "tf.constant(['a']).numpy()",
    "m.shape",
    "m.dtype",
    "m.device",
    "m.ndim",
    "s.ndim",
    "m.get_shape()",
    "m.name",
    "m.op",
    "m.graph",
    "m.value_index",
    "m.backing_device",
    "m.is_packed",
    "m.cpu().device",
    "m.gpu()",
    "s.set_shape([])",
    "s.set_shape([1])",
    "m.set_shape([None, 2])",
    "m.consumers()",
    "m.eval()",
    "type(m).__name__",
    "isinstance(m, tf.Tensor)",
    "tf.is_tensor(m)",
    "tf.is_tensor(np.array(1))",
    "tf.is_tensor(tf.Variable(1))",
    "tf.is_tensor([1])",
    "isinstance(tf.Variable(1.), tf.Tensor)",
    "copy.copy(m) is m",
    "copy.deepcopy(m) is m",
    "pickle.loads(pickle.dumps(m))",
    "+v",
    "v << 1",
    "v >> 1",
    "1 << v",
    "not b",
    "tf.constant(1) in [tf.constant(1)]",
    "m.numpy().flags.writeable",
    "v.numpy() is not v.numpy()",
    "m[0].numpy()",
    "iter(s)",
]

OPERATORS = [
    "x * 1.5",
    "x * [1.5, 2]",
    "x - [1.5, 2]",
    "x - 1.5",
    "x // 1.5",
    "x % 1.5",
    "x ** 1.5",
    "x < 1.5",
    "x == 1.5",
    "x == [1.5, 2]",
    "tf.multiply(x, [1.5, 2])",
    "tf.maximum(x, 1.5)",
    "1.5 + x",
    "[1.5, 2] + x",
    "[1.5, 2] * x",
    "np.array([1.5, 2]) + x",
    "x + np.array([1.5, 2])",
    "np.float64(1.5) + x",
    "x + np.float64(1.5)",
    "x + np.int64(3)",
    "tf.constant(1.0) + np.float64(1.5)",
    "tf.constant(1.0) + np.array([1.5])",
    "np.array([1.5]) + tf.constant([1.0])",
    "tf.constant(1.0) + [1, 'a']",
    "x + None",
    "tf.constant(1, tf.uint8) - 2",
    "tf.constant(1.0, tf.float16) + 1e10",
    "tf.constant(1j) + 1.0",
    "tf.constant(2) ** -1",
    "tf.constant(2.0) ** 2",
    "tf.constant(True) & 1",
    "tf.constant(3) & 1.0",
    "tf.constant(3) / 2",
    "tf.constant(3) // 0",
    "tf.constant(3.0) // 0",
    "tf.constant(3) % 0",
    "tf.constant(1.0) + True",
    "tf.constant(1) + True",
    "tf.constant(1, tf.int8) + 300",
    "tf.constant(1, tf.uint8) + -1",
    "tf.constant(2**40) + 1",
    "tf.constant(1) + 2**40",
    "tf.constant(1) + tf.constant(1.0)",
    "tf.constant([1, 2]) + tf.constant([1, 2, 3])",
    "tf.constant(1.0) + None",
    "x == 1",
    "x == None",
    "x != None",
    "x == tf.constant([1, 2, 3])",
    "x != tf.constant([1, 2, 3])",
    "x == [1, 2, 3]",
    "tf.equal(x, 1.5)",
    "tf.equal(x, [1, 2, 3])",
    "tf.constant(1.0) == 1",
    "tf.constant('a') == 'a'",
    "x == np.array([1.5, 2])",
    "tf.Variable(1.0) == tf.Variable(1.0)",
    "tf.constant(1.0) == tf.Variable(1.0)",
    "bool(tf.constant([1]) == 1)",
    "m < 2",
    "2 < m",
    "m > v",
    "abs(tf.constant(-1))",
    "-v",
    "~b",
    "~v",
    "abs(c)",
    "m @ m",
    "[[1., 2.]] @ m",
    "np.array([[1., 2.]]) @ m",
    "m @ np.eye(2)",
    "v ** 2",
    "2 ** v",
    "2.0 ** f",
    "v // 2",
    "7 // v",
    "v % 2",
    "7 % v",
    "v / 2",
    "1 / v",
    "v - 1",
    "1 - v",
    "v * 2",
    "2 * v",
    "v & 3",
    "3 & v",
    "v | 4",
    "4 | v",
    "v ^ 1",
    "1 ^ v",
    "b & False",
    "True & b",
    "b | False",
    "False | b",
    "b ^ True",
    "True ^ b",
    "~tf.constant([True, False])",
    "tf.constant([True, False]) & tf.constant([True, True])",
    "tf.constant([3, 5], tf.uint8) ^ tf.constant([1, 1], tf.uint8)",
    "~tf.constant([0, 1], tf.uint8)",
    "tf.constant([1., 2.]) & 1",
    "v[0]",
    "v[-1]",
    "m[0, 1]",
    "m[:, 0]",
    "m[..., None]",
    "m[tf.newaxis]",
    "v[5]",
    "v[tf.constant(1)]",
    "v[1.5]",
    "v['a']",
    "m[0][1]",
    "m[::-1, 1:]",
    "tf.constant([1, 2], tf.int8) + np.int64(2)",
    "np.int64(2) + tf.constant([1, 2], tf.int8)",
    "np.array([1, 2]) * tf.constant(2)",
    "np.array([1.5]) + tf.constant([1])",
    "[1, 2] + tf.constant([1, 2])",
    "(1, 2) + tf.constant([1, 2])",
    "np.float32(2) * f",
    "np.array([[1, 2]]) == tf.constant([[1, 2]])",
    "m / 0",
    "-m / 0",
    "tf.constant(0.0) / 0",
    "tf.constant([1, 2]) / tf.constant([2, 4])",
    "tf.constant([1, 2], tf.int8) / 2",
    "tf.constant([1, 2], tf.int64) / 2",
    "tf.constant([7, -7]) // 2",
    "tf.constant([7, -7]) % 3",
    "tf.constant([7., -7.]) % 3",
    "tf.constant([2.0]) ** 0.5",
    "tf.constant(-8.0) ** (1 / 3)",
    "tf.constant([1, 2]) < tf.constant([2, 1])",
    "tf.constant(['a', 'b']) + 'c'",
    "'c' + tf.constant(['a'])",
    "tf.constant('a') * 2",
    "tf.constant(True) + tf.constant(False)",
    "-tf.constant(True)",
    "abs(tf.constant(-3, tf.int8))",
    "tf.constant([1., 2.]).reshape([2, 1])",
    "tf.constant([1., 2.]).T",
    "tf.constant([1.]).foo",
    "divmod(tf.constant(7), 2)",
    "tf.constant(1 + 1j) < 2",
    "tf.constant([1, 2]) @ tf.constant([1, 2])",
    "tf.constant([[1, 2]]) @ tf.constant([[1], [2]])",
    "tf.constant([[1.]]) @ tf.constant([[1.], [2.]])",
    "tf.constant([[1.]]) @ tf.constant([[1]])",
]

VARIABLES = [
    "tf.Variable(1.0)",
    "tf.Variable([1, 2])",
    "tf.Variable([[1., 2.]], name='x')",
    "tf.Variable('s')",
    "tf.Variable(lambda: tf.ones([2]))",
    "tf.Variable(1.0, trainable=False).trainable",
    "tf.Variable(1.0).trainable",
    "tf.Variable(1, dtype=tf.float32)",
    "tf.Variable(1.5, dtype=tf.int32)",
    "tf.Variable(tf.constant(1), dtype=tf.float32)",
    "tf.Variable(np.float64(1.0))",
    "tf.Variable(None)",
    "tf.Variable()",
    "tf.Variable(1.0, name='a:0').name",
    "tf.Variable(1.0, name='a').name",
    "tf.Variable(1.0, name='a/b').name",
    "with tf.name_scope('sc'):\n  out = tf.Variable(1.0, name='w').name",
    "with tf.name_scope('sc'):\n  out = tf.Variable(1.0).name",
    "with tf.name_scope('sc'):\n  with tf.name_scope('in'):\n    out = tf.Variable(1.0, name='w').name",
    "v = tf.Variable([1., 2.], shape=tf.TensorShape(None))\nout = (v.shape, repr(v))",
    "v = tf.Variable([1., 2.], shape=[None])\nv.assign([1., 2., 3.])\nout = v",
    "v = tf.Variable([1., 2.], shape=[3])",
    "tf.Variable([1., 2.], shape=[None, 2])",
    "v = tf.Variable([1., 2.], shape=tf.TensorShape(None))\nv.assign(5.0)\nout = v",
    "tf.Variable(1.0, validate_shape=False).shape",
    "v = tf.Variable([1., -2.], constraint=lambda x: tf.maximum(x, 0.))\nv.assign([-1., 3.])\nout = v",
    "tf.Variable(1.0, constraint=3)",
    "tf.Variable(1.0, constraint=abs).constraint is abs",
    "v = tf.Variable(1.0)\nout = v.assign(2.0)",
    "v = tf.Variable(1.0)\nout = v.assign(2.0, read_value=False)",
    "v = tf.Variable(1.0)\nout = v.assign_add(2.0)",
    "v = tf.Variable(1.0)\nout = v.assign_sub(2.0)",
    "v = tf.Variable(1.0)\nout = v.assign_add(2.0, read_value=False)",
    "v = tf.Variable(1.0)\nout = type(v.assign(2.0)).__name__",
    "v = tf.Variable(1.0)\nout = v.assign(2.0) is v",
    "v = tf.Variable(1.0)\nout = v.assign(2)",
    "v = tf.Variable(1.0)\nout = v.assign(2.5) + 1",
    "v = tf.Variable(1)\nout = v.assign(2.5)",
    "v = tf.Variable(1.0)\nout = v.assign(tf.constant(2))",
    "v = tf.Variable(1.0)\nout = v.assign(tf.constant(2.0, tf.float64))",
    "v = tf.Variable([1.0, 2.0])\nout = v.assign([1.0])",
    "v = tf.Variable([1.0, 2.0])\nout = v.assign([[1.0, 2.0]])",
    "v = tf.Variable([1.0, 2.0])\nout = v.assign_add([1.0])",
    "v = tf.Variable([1.0, 2.0])\nout = v.assign_add(1.0)",
    "v = tf.Variable([1.0, 2.0])\nout = v.assign('a')",
    "v = tf.Variable(1)\nout = v.assign_add(2**40)",
    "v = tf.Variable(1, dtype=tf.int8)\nout = v.assign_add(200)",
    "v = tf.Variable(1.0)\nout = v.read_value()",
    "v = tf.Variable(1.0)\nout = v.value()",
    "v = tf.Variable(1.0)\nout = v.numpy()",
    "v = tf.Variable([1.0])\nout = v.numpy()",
    "v = tf.Variable(1.0)\nout = v.initial_value",
    "v = tf.Variable(1.0)\nv.assign(3.)\nout = v.initial_value",
    "v = tf.Variable(1.0)\nout = v.op",
    "v = tf.Variable(1.0)\nout = v.graph",
    "v = tf.Variable(1.0)\nout = v.get_shape()",
    "v = tf.Variable(1.0)\nout = v + 1",
    "v = tf.Variable(1.0)\nout = 1 + v",
    "v = tf.Variable(2.0)\nout = [v - 1, 1 - v, v * 3, 3 * v, v / 4, 4 / v, v // 1.5, 7 // v, v % 1.5, 7 % v, v ** 2, 2 ** v, -v, abs(-v), v < 3, v <= 2, v > 1, v >= 2, v == 2., v != 2.]",
    "v = tf.Variable([[1., 2.]])\nout = v @ tf.ones([2, 1])",
    "v = tf.Variable([[1., 2.]])\nout = tf.ones([1, 1]) @ v",
    "v = tf.Variable([True, False])\nout = [v & True, v | False, ~v, v ^ True]",
    "v = tf.Variable([3, 5])\nout = [v & 1, 1 | v, ~v]",
    "v = tf.Variable([1., 2., 3.])\nout = [v[0], v[1:], v[::-1], v[None]]",
    "v = tf.Variable([1., 2.])\nout = list(v)",
    "v = tf.Variable([1., 2.])\nout = len(v)",
    "v = tf.Variable(1.)\nout = len(v)",
    "v = tf.Variable(1.)\nout = list(v)",
    "v = tf.Variable(3)\nout = [bool(v), int(v), float(v), [0, 1, 2, 3][v]]",
    "v = tf.Variable(3.5)\nout = [bool(v), int(v), float(v)]",
    "v = tf.Variable([1, 2])\nout = int(v)",
    "v = tf.Variable(3.5)\nout = [1,2][v]",
    "v = tf.Variable(2.5)\nout = format(v, '.2f')",
    "v = tf.Variable(2.5)\nout = f'{v}'",
    "v = tf.Variable(2.5)\nout = str(v)",
    "v = tf.Variable(1.)\nout = hash(v)",
    "v = tf.Variable(1.)\nout = v.ref().deref() is v",
    "v = tf.Variable(1.)\nout = {v.ref(): 1}[v.ref()]",
    "v = tf.Variable(1.)\nout = v.experimental_ref().deref() is v",
    "v = tf.Variable([1., 2.])\nout = np.asarray(v)",
    "v = tf.Variable([1., 2.])\nout = np.array(v, dtype=np.float64)",
    "v = tf.Variable([1., 2.])\nout = np.sum(v)",
    "v = tf.Variable([1., 2.])\nout = tf.reduce_sum(v)",
    "v = tf.Variable([1., 2.])\nout = tf.convert_to_tensor(v)",
    "v = tf.Variable([1., 2.])\nout = tf.add(v, v)",
    "v = tf.Variable([1., 2.])\nout = tf.concat([v, v], 0)",
    "v = tf.Variable([1., 2.])\nout = tf.stack([v, v])",
    "v = tf.Variable([1., 2.])\nout = tf.constant(v)",
    "v = tf.Variable([1., 2.])\nout = tf.identity(v)",
    "v = tf.Variable([1., 2.])\nout = tf.reshape(v, [2, 1])",
    "v = tf.Variable([1., 2.])\nout = tf.cast(v, tf.int32)",
    "v = tf.Variable([1., 2.])\nout = tf.shape(v)",
    "v = tf.Variable([1., 2.])\nout = copy.copy(v) is v",
    "v = tf.Variable([1., 2.])\nw = copy.deepcopy(v)\nw.assign([5., 5.])\nout = (v, w)",
    "v = tf.Variable([1., 2.], name='p')\nout = pickle.loads(pickle.dumps(v))",
    "v = tf.Variable([1., 2., 3., 4.])\nout = v.scatter_update(tf.IndexedSlices(tf.constant([10., 20.]), tf.constant([1, 3])))",
    "v = tf.Variable([1., 2., 3., 4.])\nout = v.scatter_add(tf.IndexedSlices(tf.constant([10., 20.]), tf.constant([1, 1])))",
    "v = tf.Variable([1., 2., 3., 4.])\nout = v.scatter_sub(tf.IndexedSlices(tf.constant([10., 20.]), tf.constant([1, 3])))",
    "v = tf.Variable([1., 2., 3., 4.])\nout = v.scatter_mul(tf.IndexedSlices(tf.constant([10., 20.]), tf.constant([1, 3])))",
    "v = tf.Variable([1., 2., 3., 4.])\nout = v.scatter_div(tf.IndexedSlices(tf.constant([10., 20.]), tf.constant([1, 3])))",
    "v = tf.Variable([1., 2., 3., 4.])\nout = v.scatter_max(tf.IndexedSlices(tf.constant([10., 0.]), tf.constant([1, 3])))",
    "v = tf.Variable([1., 2., 3., 4.])\nout = v.scatter_min(tf.IndexedSlices(tf.constant([10., 0.]), tf.constant([1, 3])))",
    "v = tf.Variable([1., 2., 3., 4.])\nout = v.scatter_update(tf.IndexedSlices(tf.constant([10., 20.]), tf.constant([1, 7])))",
    "v = tf.Variable([1., 2., 3., 4.])\nout = v.scatter_update([1, 2])",
    "v = tf.Variable([[1., 2.], [3., 4.]])\nout = v.scatter_update(tf.IndexedSlices(tf.constant([[9., 9.]]), tf.constant([1])))",
    "v = tf.Variable([1., 2., 3., 4.])\nout = v.scatter_update(tf.IndexedSlices(tf.constant([10, 20]), tf.constant([1, 3])))",
    "v = tf.Variable([1., 2., 3., 4.])\nout = v.scatter_nd_update([[1], [3]], [10., 20.])",
    "v = tf.Variable([1., 2., 3., 4.])\nout = v.scatter_nd_add([[1], [3]], [10., 20.])",
    "v = tf.Variable([1., 2., 3., 4.])\nout = v.scatter_nd_sub([[1], [3]], [10., 20.])",
    "v = tf.Variable([[1., 2.], [3., 4.]])\nout = v.scatter_nd_update([[0, 1]], [9.])",
    "v = tf.Variable([1., 2., 3., 4.])\nout = v.scatter_nd_update([[7]], [10.])",
    "v = tf.Variable([[1., 2.], [3., 4.]])\nout = v.batch_scatter_update(tf.IndexedSlices(tf.constant([[9.], [8.]]), tf.constant([[0], [1]])))",
    "v = tf.Variable([1., 2.])\nout = v[0].assign(5.)",
    "v = tf.Variable([1., 2.])\nv[0].assign(5.)\nout = v",
    "v = tf.Variable([[1., 2.], [3., 4.]])\nv[:, 1].assign([7., 8.])\nout = v",
    "v = tf.Variable([1., 2.])\nv[0] = 3.",
    "v = tf.Variable(1.0)\nout = v.synchronization",
    "v = tf.Variable(1.0)\nout = v.aggregation",
    "tf.Variable(1.0, synchronization=tf.VariableSynchronization.ON_READ, trainable=True)",
    "tf.Variable(1.0, synchronization=tf.VariableSynchronization.ON_READ).trainable",
    "tf.VariableSynchronization.AUTO",
    "tf.VariableAggregation.SUM",
    "tf.VariableAggregation.MEAN",
    "v = tf.Variable(1.0)\nout = v.set_shape([1])",
    "v = tf.Variable(1.0)\nout = v.sparse_read([0])",
    "v = tf.Variable([1., 2., 3.])\nout = v.sparse_read([0, 2])",
    "v = tf.Variable([1., 2., 3.])\nout = v.gather_nd([[0], [2]])",
    "v = tf.Variable(1.0)\nout = v.is_initialized()",
    "v = tf.Variable(1.0)\nout = v.dtype.base_dtype",
    "v = tf.Variable(1.0)\nout = isinstance(v, tf.Variable)",
    "v = tf.Variable(1.0)\nout = tf.is_tensor(v)",
    "v = tf.Variable(1.0)\nout = type(v).__name__",
    "v = tf.Variable(1.0)\nout = v.trainable_weights if False else v.read_value().numpy()",
    "v = tf.Variable(1.0)\nout = v.assign_add(1.0).assign_add(1.0)",
    "v = tf.Variable(1.0)\nout = v.assign(v + 1)",
    "v = tf.Variable([1., 2.])\nout = tf.Variable(v)",
    "v = tf.Variable([1., 2.])\nw = tf.Variable(v)\nv.assign([5., 5.])\nout = w",
    "tf.Variable(tf.zeros([2, 0]))",
    "tf.Variable(np.arange(2000.))",
    "tf.Variable(1, dtype='float64')",
    "tf.Variable([1.0], dtype=tf.string)",
    "tf.Variable(tf.constant('s'))",
    "v = tf.Variable(1.0, name='n')\nout = v.name",
    "out = [tf.Variable(1.0).name, tf.Variable(2.0).name]",
    "tf.Variable(1.0, name=5).name",
    "tf.Variable(1.0, name='')",
    "v = tf.Variable([1, 2], dtype=tf.int64)\nout = v + 1",
    "v = tf.Variable([1, 2])\nout = v + 1.5",
    "v = tf.Variable([1, 2])\nout = v * 1.5",
    "v = tf.Variable(1.0, name='w')\nu = v.assign(2.0)\nout = (u.name, u.trainable, u.shape, u.dtype)",
    "v = tf.Variable(1.0)\nu = v.assign(2.0)\nv.assign(7.0)\nout = (u, u + 1)",
    "v = tf.Variable([0., 0.])\nu = v.assign([1., 1.])\nout = (u.assign([2., 2.]), v)",
    "x = tf.Variable(1)\nout = (x.count_up_to(2), x)",
    "x = tf.Variable(2)\nout = x.count_up_to(2)",
    "x = tf.Variable([1, 2])\nout = x.count_up_to(2)",
    "v = tf.Variable([1., 2., 3.])\nout = v[0:2].assign([1., 2., 3.])",
    "v = tf.Variable([1., 2., 3.])\nout = v[1:].assign(5.)",
    "v = tf.Variable([1., 2., 3.])\nout = v[None, 1].assign([9.])",
    "v = tf.Variable([1., 2., 3.])\nout = v[0].assign(1)",
    "t = tf.Variable([1., 2.])[0]\nout = (t, type(t).__name__)",
    "list(tf.VariableAggregation)",
    "list(tf.VariableSynchronization)",
    "tf.Variable(1.0, synchronization=tf.VariableSynchronization.ON_READ, trainable=True).trainable",
    "tf.Variable(1.5, dtype=tf.int32)",
    "tf.Variable([1.0], dtype=tf.string)",
    "tf.Variable(tf.constant('s'))",
    "tf.Variable(1.0, name='')",
    "v = tf.Variable(2.0)\nout = v.assign(v * 3) is v",
    "v = tf.Variable([1, 2], dtype=tf.int8)\nout = v.assign([200, -200])",
    "v = tf.Variable(1.0)\nout = v.assign(np.float64(2.5))",
    "v = tf.Variable([1.0, 2.0])\nout = v.assign(np.array([3, 4]))",
    "v = tf.Variable(1.0)\nw = tf.Variable(2.0)\nout = v.assign(w)",
    "v = tf.Variable(1.0)\nw = tf.Variable(2)\nout = v.assign(w)",
    "v = tf.Variable([[1., 2.], [3., 4.]])\nout = [v[0, 1], v[:, 0], v[..., 1], v[-1]]",
    "v = tf.Variable([1., 2.])\nout = tf.Variable(v * 2, name='dbl')",
    "v = tf.Variable([1., 2.], trainable=False)\nout = (v.trainable, v)",
]

TAPE = [
    (
        "x = tf.constant(3.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = x * x\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "x = tf.constant(3.0)\nwith tf.GradientTape() as g:\n  y = x * x\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "v = tf.Variable(3.0)\nwith tf.GradientTape() as g:\n  y = v * v\nout = g.gradient(y, v)",
        "num",
    ),
    (
        "v = tf.Variable(3.0, trainable=False)\nwith tf.GradientTape() as g:\n  y = v * v\nout = g.gradient(y, v)",
        "num",
    ),
    (
        "v = tf.Variable(3.0, trainable=False)\nwith tf.GradientTape() as g:\n  g.watch(v)\n  y = v * v\nout = g.gradient(y, v)",
        "num",
    ),
    (
        "v = tf.Variable(3.0)\nwith tf.GradientTape(watch_accessed_variables=False) as g:\n  y = v * v\nout = g.gradient(y, v)",
        "num",
    ),
    (
        "v = tf.Variable(3.0)\nw = tf.Variable(2.0)\nwith tf.GradientTape(watch_accessed_variables=False) as g:\n  g.watch(w)\n  y = v * w\nout = g.gradient(y, [v, w])",
        "num",
    ),
    (
        "v = tf.Variable(3.0)\nw = tf.Variable(2.0)\nwith tf.GradientTape() as g:\n  y = w * 2 + v\nout = [x.name for x in g.watched_variables()]",
        "num",
    ),
    (
        "v = tf.Variable(3.0)\nw = tf.Variable(2.0)\nwith tf.GradientTape(watch_accessed_variables=False) as g:\n  g.watch(w)\n  y = w * v\nout = [x.name for x in g.watched_variables()]",
        "num",
    ),
    (
        "x = tf.constant(3.0)\nwith tf.GradientTape(persistent=True) as g:\n  g.watch(x)\n  y = x * x\n  z = y * y\nout = [g.gradient(z, x), g.gradient(y, x)]",
        "num",
    ),
    (
        "x = tf.constant(3.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = x * x\ng.gradient(y, x)\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "x = tf.constant(3.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = x * x\nout = g.jacobian(y, x)\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "x = tf.constant(1.0)\ny = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch([x, y])\n  z = x * y\nout = g.gradient(z, [x, y])",
        "num",
    ),
    (
        "x = tf.constant(1.0)\ny = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch({'a': x, 'b': y})\n  z = x * y\nout = g.gradient(z, {'b': y, 'a': x})",
        "num",
    ),
    (
        "x = tf.constant(1.0)\ny = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  g.watch(y)\n  z = x * y\nout = g.gradient(z, (x, [y, {'k': x}]))",
        "num",
    ),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  a = x * x\n  b = x * 3\nout = g.gradient([a, b], x)",
        "num",
    ),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  a = x * x\n  b = x * 3\nout = g.gradient({'a': a, 'b': b}, x)",
        "num",
    ),
    (
        "x = tf.constant([1.0, 2.0])\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = x * x\nout = g.gradient(y, x, output_gradients=tf.constant([10.0, 100.0]))",
        "num",
    ),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  a = x * x\n  b = x * 3\nout = g.gradient([a, b], x, output_gradients=[tf.constant(1.0), tf.constant(2.0)])",
        "num",
    ),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  a = x * x\nout = g.gradient(a, x, output_gradients=[3.0])",
        "num",
    ),
    (
        "x = tf.constant(2.0)\ny = tf.constant(3.0)\nwith tf.GradientTape() as g:\n  g.watch([x, y])\n  z = x * 2\nout = g.gradient(z, [x, y])",
        "num",
    ),
    (
        "x = tf.constant(2.0)\ny = tf.constant([3.0, 4.0])\nwith tf.GradientTape() as g:\n  g.watch([x, y])\n  z = x * 2\nout = g.gradient(z, [x, y], unconnected_gradients='zero')",
        "num",
    ),
    (
        "x = tf.constant(2.0)\ny = tf.constant([3.0, 4.0])\nwith tf.GradientTape() as g:\n  g.watch([x, y])\n  z = x * 2\nout = g.gradient(z, [x, y], unconnected_gradients=tf.UnconnectedGradients.ZERO)",
        "num",
    ),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  z = x * 2\nout = g.gradient(z, x, unconnected_gradients='bogus')",
        "num",
    ),
    ("tf.UnconnectedGradients.NONE", "num"),
    ("tf.UnconnectedGradients.ZERO", "num"),
    ("tf.UnconnectedGradients('zero')", "num"),
    ("list(tf.UnconnectedGradients)", "num"),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  z = tf.constant(1.0) * 2\nout = g.gradient(z, x)",
        "num",
    ),
    (
        "x = tf.Variable(2.0)\nwith tf.GradientTape() as g:\n  z = tf.constant(1.0)\nout = g.gradient(z, x, unconnected_gradients='zero')",
        "num",
    ),
    (
        "x = tf.constant(2)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = x * x\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "x = tf.constant(2)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = tf.cast(x, tf.float32) * 2.0\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = tf.cast(x, tf.int32) * 2\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = tf.cast(tf.cast(x, tf.int32), tf.float32) * 2\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "x = tf.constant(2.0, tf.float64)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = tf.cast(x, tf.float32) * 2\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "x = tf.constant(1 + 2j)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = x * x\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "x = tf.constant(2.0, tf.float16)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = x * x\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "x = tf.constant(2.0, tf.bfloat16)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = x * x\nout = g.gradient(y, x)",
        "num",
    ),
    ("x = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch(3.0)", "num"),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = x * x\nout = g.gradient(y, 3.0)",
        "num",
    ),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = x * x\nout = g.gradient(y, None)",
        "num",
    ),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = x * x\nout = g.gradient(None, x)",
        "num",
    ),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = x * x\nout = g.gradient(3.0, x)",
        "num",
    ),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = x * x\nout = g.gradient(y, x, output_gradients=[1.0, 2.0])",
        "num",
    ),
    ("g = tf.GradientTape()\nwith g:\n  with g:\n    pass", "num"),
    ("g = tf.GradientTape()\nwith g.stop_recording():\n  pass", "num"),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = x * x\n  out = g.gradient(y, x)",
        "num",
    ),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape(persistent=True) as g:\n  g.watch(x)\n  y = x * x\n  out = g.gradient(y, x)",
        "num",
    ),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = x * x\n  with g.stop_recording():\n    z = y * x\nout = g.gradient(z, x)",
        "num",
    ),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  with g.stop_recording():\n    z = x * x\n  w = z * x\nout = g.gradient(w, x)",
        "num",
    ),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = x * x\n  g.reset()\n  g.watch(x)\n  z = x * 3\nout = [g.gradient(z, x)]",
        "num",
    ),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape(persistent=True) as g:\n  g.watch(x)\n  y = x * x\n  g.reset()\n  z = y * 3\nout = g.gradient(z, x)",
        "num",
    ),
    (
        "v = tf.Variable(2.0)\nwith tf.GradientTape() as g:\n  y = v * v\n  g.reset()\nout = g.watched_variables()",
        "num",
    ),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = tf.stop_gradient(x * x) * x\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = tf.stop_gradient(x)\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "x = tf.constant([1.0, 2.0, 3.0])\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = x * x\nout = g.jacobian(y, x)",
        "num",
    ),
    (
        "x = tf.constant([[1.0, 2.0], [3.0, 4.0]])\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = tf.matmul(x, x)\nout = g.jacobian(y, x)",
        "num",
    ),
    (
        "x = tf.constant([1.0, 2.0])\ny = tf.constant(3.0)\nwith tf.GradientTape() as g:\n  g.watch([x, y])\n  z = x * y\nout = g.jacobian(z, [x, y])",
        "num",
    ),
    (
        "x = tf.constant([1.0, 2.0])\ny = tf.constant(3.0)\nwith tf.GradientTape() as g:\n  g.watch([x, y])\n  z = x * 2\nout = g.jacobian(z, [x, y])",
        "num",
    ),
    (
        "x = tf.constant([1.0, 2.0])\ny = tf.constant(3.0)\nwith tf.GradientTape() as g:\n  g.watch([x, y])\n  z = x * 2\nout = g.jacobian(z, [x, y], unconnected_gradients='zero')",
        "num",
    ),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = x * x\nout = g.jacobian(y, x)",
        "num",
    ),
    (
        "x = tf.constant([1.0, 2.0])\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = tf.reduce_sum(x * x)\nout = g.jacobian(y, x)",
        "num",
    ),
    (
        "x = tf.constant([1.0, 2.0])\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = x * x\nout = g.jacobian(y, x, experimental_use_pfor=False)",
        "num",
    ),
    (
        "x = tf.zeros([0])\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = x * 2\nout = g.jacobian(y, x)",
        "num",
    ),
    (
        "x = tf.constant([[1.0, 2.0], [3.0, 4.0]])\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = x * x\nout = g.batch_jacobian(y, x)",
        "num",
    ),
    (
        "x = tf.constant([[1.0, 2.0], [3.0, 4.0]])\nw = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = tf.matmul(x, w)\nout = g.batch_jacobian(y, x)",
        "num",
    ),
    (
        "x = tf.constant([[1.0, 2.0], [3.0, 4.0]])\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = tf.reduce_sum(x, axis=1)\nout = g.batch_jacobian(y, x)",
        "num",
    ),
    (
        "x = tf.constant([[1.0, 2.0], [3.0, 4.0]])\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = tf.reshape(x, [4])\nout = g.batch_jacobian(y, x)",
        "num",
    ),
    (
        "x = tf.constant([[1.0, 2.0], [3.0, 4.0]])\nz = tf.constant([[1.0], [2.0]])\nwith tf.GradientTape() as g:\n  g.watch([x, z])\n  y = x * 2\nout = g.batch_jacobian(y, z)",
        "num",
    ),
    (
        "x = tf.constant([[1.0, 2.0], [3.0, 4.0]])\nz = tf.constant([[1.0], [2.0]])\nwith tf.GradientTape() as g:\n  g.watch([x, z])\n  y = x * 2\nout = g.batch_jacobian(y, z, unconnected_gradients='zero')",
        "num",
    ),
    (
        "x = tf.constant([[[1.0, 2.0]], [[3.0, 4.0]]])\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = x * x\nout = g.batch_jacobian(y, x)",
        "num",
    ),
    (
        "x = tf.constant(3.0)\nwith tf.GradientTape() as g2:\n  g2.watch(x)\n  with tf.GradientTape() as g1:\n    g1.watch(x)\n    y = x * x * x\n  dy = g1.gradient(y, x)\nout = [dy, g2.gradient(dy, x)]",
        "num",
    ),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape() as g3:\n  g3.watch(x)\n  with tf.GradientTape() as g2:\n    g2.watch(x)\n    with tf.GradientTape() as g1:\n      g1.watch(x)\n      y = x ** 4\n    d1 = g1.gradient(y, x)\n  d2 = g2.gradient(d1, x)\nout = [d1, d2, g3.gradient(d2, x)]",
        "num",
    ),
    (
        "x = tf.constant(0.5)\nwith tf.GradientTape() as g2:\n  g2.watch(x)\n  with tf.GradientTape() as g1:\n    g1.watch(x)\n    y = tf.sin(x) * tf.exp(x)\n  dy = g1.gradient(y, x)\nout = [dy, g2.gradient(dy, x)]",
        "num",
    ),
    (
        "v = tf.Variable(3.0)\nwith tf.GradientTape() as g2:\n  with tf.GradientTape() as g1:\n    y = v * v * v\n  dy = g1.gradient(y, v)\nout = [dy, g2.gradient(dy, v)]",
        "num",
    ),
    (
        "x = tf.constant([1.0, 2.0])\nwith tf.GradientTape() as g2:\n  g2.watch(x)\n  with tf.GradientTape() as g1:\n    g1.watch(x)\n    y = tf.reduce_sum(x ** 3)\n  dy = g1.gradient(y, x)\nout = g2.jacobian(dy, x)",
        "num",
    ),
    (
        "x = tf.constant(3.0)\nwith tf.GradientTape(persistent=True) as g:\n  g.watch(x)\n  y = x * x\n  dy = g.gradient(y, x)\nout = [dy, g.gradient(dy, x)]",
        "num",
    ),
    (
        "x = tf.constant([1.0, 2.0])\nb = tf.constant(3.0)\nwith tf.GradientTape() as g:\n  g.watch([x, b])\n  y = x * b\nout = g.gradient(y, [x, b])",
        "num",
    ),
    (
        "x = tf.constant([[1.0, 2.0], [3.0, 4.0]])\nb = tf.constant([[10.0], [20.0]])\nwith tf.GradientTape() as g:\n  g.watch([x, b])\n  y = x + b\nout = g.gradient(y, [x, b])",
        "num",
    ),
    (
        "@tf.custom_gradient\ndef f(x):\n  def grad(dy):\n    return dy * 100.0\n  return x * 2.0, grad\nx = tf.constant(3.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = f(x)\nout = [y, g.gradient(y, x)]",
        "num",
    ),
    (
        "@tf.custom_gradient\ndef f(x, y):\n  def grad(dz):\n    return dz * 2.0, dz * 3.0\n  return x * y, grad\nx = tf.constant(3.0)\ny = tf.constant(4.0)\nwith tf.GradientTape() as g:\n  g.watch([x, y])\n  z = f(x, y)\nout = g.gradient(z, [x, y])",
        "num",
    ),
    (
        "@tf.custom_gradient\ndef clip(x):\n  return tf.identity(x), lambda dy: tf.clip_by_value(dy, -1.0, 1.0)\nx = tf.constant([1.0, 2.0])\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = clip(x) * 5.0\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "@tf.custom_gradient\ndef f(x):\n  def grad(dy):\n    return dy * 3.0\n  return [x * 2.0, x * 3.0], grad\nx = tf.constant(3.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  a, b = f(x)\n  y = a + b\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "@tf.custom_gradient\ndef f(x):\n  def grad(dy1, dy2):\n    return dy1 * 10.0 + dy2\n  return (x * 2.0, x * 3.0), grad\nx = tf.constant(3.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  a, b = f(x)\n  y = a + b\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "v = tf.Variable(2.0)\n@tf.custom_gradient\ndef f(x):\n  def grad(dy, variables=None):\n    return dy * 7.0, [dy * 11.0]\n  return x * v, grad\nx = tf.constant(3.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = f(x)\nout = g.gradient(y, [x, v])",
        "num",
    ),
    (
        "v = tf.Variable(2.0)\n@tf.custom_gradient\ndef f(x):\n  def grad(dy):\n    return dy * 7.0\n  return x * v, grad\nx = tf.constant(3.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = f(x)\nout = g.gradient(y, [x, v])",
        "num",
    ),
    (
        "@tf.custom_gradient\ndef f(x):\n  def grad(dy):\n    return dy * 100.0\n  return x * 2.0, grad\nx = tf.constant(3.0)\nout = f(x)",
        "num",
    ),
    (
        "@tf.custom_gradient\ndef f(x):\n  return x * x, lambda dy: dy * 2.0 * x\nx = tf.constant(3.0)\nwith tf.GradientTape() as g2:\n  g2.watch(x)\n  with tf.GradientTape() as g1:\n    g1.watch(x)\n    y = f(x)\n  dy = g1.gradient(y, x)\nout = [dy, g2.gradient(dy, x)]",
        "num",
    ),
    (
        "@tf.custom_gradient\ndef f(x):\n  return x * 2.0, lambda dy: None\nx = tf.constant(3.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = f(x)\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "@tf.custom_gradient\ndef log1pexp(x):\n  e = tf.exp(x)\n  def grad(upstream):\n    return upstream * (1 - 1 / (1 + e))\n  return tf.math.log(1 + e), grad\nx = tf.constant(100.)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = log1pexp(x)\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "@tf.custom_gradient\ndef f(x, n):\n  return x * n, lambda dy: (dy * 2.0, None)\nx = tf.constant(3.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = f(x, 4.0)\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "x = tf.constant([1.0, 2.0, 3.0])\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = tf.reduce_mean(x[1:] * x[:-1])\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "x = tf.constant([[1.0, 2.0], [3.0, 4.0]])\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = tf.reduce_sum(tf.nn.softmax(x) * tf.constant([[1.0, 0.0], [0.0, 1.0]]))\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "x = tf.constant([1.0, -2.0])\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = tf.reduce_sum(tf.abs(x) + tf.maximum(x, 0.0))\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = tf.identity(x)\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\nout = g.gradient(x, x)",
        "num",
    ),
    (
        "x = tf.constant(2.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = tf.convert_to_tensor([x, 2 * x])\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "x = tf.constant([1.0, 2.0])\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = tf.where(x > 1.5, x * x, x)\nout = g.gradient(y, x)",
        "num",
    ),
]
# Gradients of gather are IndexedSlices (reprs compared as numbers).
GATHER = [
    "s = tf.IndexedSlices(tf.constant([[1., 2.], [3., 4.]]), tf.constant([2, 0]), tf.constant([3, 2]))\nout = (s.values, s.indices, s.dense_shape, s.dtype, s.shape, s.device)",
    "s = tf.IndexedSlices(tf.constant([[1., 2.], [3., 4.]]), tf.constant([2, 0]), tf.constant([3, 2]))\nout = tf.convert_to_tensor(s)",
    "s = tf.IndexedSlices(tf.constant([[1., 2.], [3., 4.]]), tf.constant([2, 0]), tf.constant([3, 2]))\nout = tf.convert_to_tensor(-s)",
    "s = tf.IndexedSlices(tf.constant([[1., 2.], [3., 4.]]), tf.constant([2, 0]), tf.constant([3, 2]))\nout = str(s)[:14]",
    "s = tf.IndexedSlices(tf.constant([[1., 2.]]), tf.constant([0]))\nout = (s.dense_shape, s.shape)",
    "s = tf.IndexedSlices(tf.constant([[1., 2.]]), tf.constant([0]))\nout = tf.convert_to_tensor(s)",
    "s = tf.IndexedSlices(tf.constant([[1., 2.], [3., 4.]]), tf.constant([2, 0]), tf.constant([3, 2]))\nout = tf.convert_to_tensor(s, tf.float64)",
    "s = tf.IndexedSlices(tf.constant([[1., 2.], [3., 4.]]), tf.constant([2, 0]), tf.constant([3, 2]))\nout = tf.convert_to_tensor(s, tf.float32)",
    "s = tf.IndexedSlices(tf.constant([[1., 2.], [3., 4.]]), tf.constant([2, 0]), tf.constant([3, 2]))\nout = s + 1",
    "s = tf.IndexedSlices(tf.constant([[1., 2.], [3., 4.]]), tf.constant([2, 0]), tf.constant([3, 2]))\nout = tf.reduce_sum(s)",
    "s = tf.IndexedSlices(tf.constant([[1., 2.], [3., 4.]]), tf.constant([2, 0]), tf.constant([3, 2]))\nout = s.values.shape",
    "s = tf.IndexedSlices(tf.constant([[1., 2.], [5., 5.]]), tf.constant([0, 0]), tf.constant([2, 2]))\nout = tf.convert_to_tensor(s)",
    "s = tf.IndexedSlices(tf.constant([[1., 2.], [3., 4.]]), tf.constant([2, 0]), tf.constant([3, 2]))\nout = s.consumers() if False else type(s).__name__",
    "s = tf.IndexedSlices(tf.constant([[1., 2.], [3., 4.]]), tf.constant([2, 0]), tf.constant([3, 2]))\nout = isinstance(s, tf.Tensor)",
    "s = tf.IndexedSlices(tf.constant([[1., 2.], [3., 4.]]), tf.constant([2, 0]), tf.constant([3, 2]))\nout = tf.is_tensor(s)",
    "s = tf.IndexedSlices(tf.constant([[1., 2.], [3., 4.]]), tf.constant([2, 0]), tf.constant([3, 2]))\nout = s.graph",
    (
        "x = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = tf.gather(x, [0, 2, 0])\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "v = tf.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])\nwith tf.GradientTape() as g:\n  y = tf.reduce_sum(tf.gather(v, [0, 2, 0]))\ngr = g.gradient(y, v)\nout = [type(gr).__name__, gr.indices, gr.values, gr.dense_shape]",
        "num",
    ),
    (
        "v = tf.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])\nwith tf.GradientTape() as g:\n  y = tf.reduce_sum(tf.gather(v, [0, 2, 0]) * 2.0) + tf.reduce_sum(v)\nout = g.gradient(y, v)",
        "num",
    ),
    (
        "v = tf.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])\nwith tf.GradientTape() as g:\n  y = tf.reduce_sum(tf.gather(v, [1])) + tf.reduce_sum(tf.gather(v, [2]))\ngr = g.gradient(y, v)\nout = [type(gr).__name__, tf.convert_to_tensor(gr)]",
        "num",
    ),
    (
        "v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])\nwith tf.GradientTape() as g:\n  y = tf.reduce_sum(tf.gather(v, [1]))\ngr = g.gradient(y, v)\nout = repr(gr)",
        "num",
    ),
    (
        "x = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = tf.gather(x, [1, 0], axis=1)\nout = g.gradient(y, x)",
        "num",
    ),
    (
        "v = tf.Variable([1.0, 2.0, 3.0])\nwith tf.GradientTape() as g:\n  y = tf.reduce_sum(tf.nn.embedding_lookup(v, [0, 0, 2]))\nout = tf.convert_to_tensor(g.gradient(y, v))",
        "num",
    ),
    (
        "v = tf.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])\nwith tf.GradientTape() as g:\n  y = tf.reduce_sum(tf.gather(v, [0, 2]))\nout = g.jacobian(y, v)",
        "num",
    ),
]

DEVICES = [
    "tf.config.list_physical_devices()",
    "tf.config.list_physical_devices('CPU')",
    "tf.config.list_physical_devices('GPU')",
    "tf.config.list_physical_devices('cpu')",
    "tf.config.list_physical_devices('TPU')",
    "tf.config.list_physical_devices('FOO')",
    "tf.config.list_logical_devices()",
    "tf.config.list_logical_devices('CPU')",
    "tf.config.list_logical_devices('GPU')",
    "tf.config.get_visible_devices()",
    "tf.config.get_visible_devices('CPU')",
    "tf.config.experimental.list_physical_devices('CPU')",
    "d = tf.config.list_physical_devices('CPU')[0]\nout = (d.name, d.device_type, str(d), d == tf.config.PhysicalDevice('/physical_device:CPU:0', 'CPU'))",
    "d = tf.config.list_logical_devices('CPU')[0]\nout = (d.name, d.device_type)",
    "with tf.device('GPU:0'):\n  out = tf.constant(1.0).device",
    "with tf.device('/GPU:0'):\n  out = (tf.constant(1.0) * 2).device",
    "with tf.device('CPU:0'):\n  out = (tf.constant(1.0) * 2).device",
    "with tf.device('/cpu:0'):\n  out = tf.constant(1.0).device",
    "with tf.device('/device:CPU:0'):\n  out = tf.constant(1.0).device",
    "with tf.device('/job:localhost/replica:0/task:0/device:CPU:0'):\n  out = tf.constant(1.0).device",
    "with tf.device(None):\n  out = tf.constant(1.0).device",
    "with tf.device(''):\n  out = tf.constant(1.0).device",
    "with tf.device('foo'):\n  pass",
    "with tf.device('GPU:x'):\n  pass",
    "with tf.device('/bogus:0'):\n  pass",
    "with tf.device('CPU:1'):\n  out = tf.constant(1.0).device",
    "with tf.device('GPU:7'):\n  out = tf.constant(1.0).device",
    "with tf.device('TPU:0'):\n  out = tf.constant(1.0).device",
    "with tf.device(lambda op: '/cpu:0'):\n  pass",
    "with tf.device(5):\n  pass",
    "with tf.device('/CPU:0/GPU:0'):\n  pass",
    "with tf.device('GPU'):\n  pass",
    "with tf.device('/device:GPU'):\n  out = tf.constant(1.).device",
    "with tf.device(tf.DeviceSpec(device_type='CPU', device_index=0)):\n  out = tf.constant(1.).device",
    "tf.DeviceSpec(device_type='GPU', device_index=1).to_string()",
    "tf.DeviceSpec.from_string('/job:foo/device:GPU:3')",
    "tf.DeviceSpec.from_string('/job:foo/device:GPU:3').device_type",
    "v = tf.Variable(1.0)\nout = v.device",
    "with tf.device('GPU:0'):\n  v = tf.Variable(1.0)\nout = v.device",
    "tf.constant(1.0).backing_device",
    "d = tf.config.list_physical_devices('CPU')[0]\ntf.config.experimental.set_memory_growth(d, True)",
    "d = tf.config.list_physical_devices('CPU')[0]\nout = tf.config.experimental.get_memory_growth(d)",
    "tf.config.experimental.set_memory_growth(tf.config.PhysicalDevice('/physical_device:GPU:0', 'GPU'), True)",
    "tf.config.experimental.set_memory_growth('x', True)",
    "tf.config.threading.get_intra_op_parallelism_threads()",
    "tf.config.threading.get_inter_op_parallelism_threads()",
    "tf.config.get_soft_device_placement()",
    "tf.config.experimental.get_device_details(tf.config.list_physical_devices('CPU')[0])",
    "tf.executing_eagerly()",
    "tf.config.functions_run_eagerly()",
    "tf.config.experimental.get_memory_info('CPU:0')",
    "tf.config.list_physical_devices(device_type='CPU')",
    "tf.config.experimental.get_memory_usage('CPU:0')",
    "tf.config.get_logical_device_configuration(tf.config.list_physical_devices('CPU')[0])",
    "tf.config.experimental.enable_op_determinism()",
    "tf.config.optimizer.get_jit()",
    "sorted(n for n in dir(tf.config.threading) if not n.startswith('_'))",
    "tf.config.set_soft_device_placement(False)\nout = tf.config.get_soft_device_placement()\ntf.config.set_soft_device_placement(True)",
    "tf.config.set_visible_devices([], 'GPU')\nout = (tf.config.get_visible_devices(), tf.config.get_visible_devices('GPU'))",
    "tf.config.run_functions_eagerly(True)\nout = tf.config.functions_run_eagerly()\ntf.config.run_functions_eagerly(False)",
    "sorted(n for n in dir(tf.config.experimental) if not n.startswith('_') and n != 'ClusterDeviceFilters')",
    "sorted(n for n in dir(tf.config.threading) if not n.startswith('_'))",
    "sorted(n for n in dir(tf.config) if not n.startswith('_') and 'connect' not in n)",
    "D = tf.DeviceSpec\nout = [D(), D(job='w', replica=1, task=2, device_type='gpu', device_index=0), D.from_string('/GPU:1'), D.from_string('/GPU:1').to_string(), D.from_string('/job:a/task:3').to_string(), D.from_string('cpu:*'), D.from_string(''), D(device_type='CPU').replace(device_index=2), D.from_string('/GPU:1').make_merged_spec(D.from_string('/job:x/CPU:0')), D.from_string('/GPU:1') == D(device_type='GPU', device_index=1), hash(D.from_string('/GPU:1')) == hash(D(device_type='GPU', device_index=1)), str(D.from_string('/GPU:1')), D(job=5), D.from_string('/GPU:1').device_index, D.from_string('/job:w').job, D(device_type='XYZ')]",
    "tf.DeviceSpec(device_index='a')",
    "tf.DeviceSpec(replica='x')",
    "tf.DeviceSpec.from_string('/replica:x')",
    "tf.config.LogicalDeviceConfiguration(memory_limit=5)",
    "tf.config.experimental.VirtualDeviceConfiguration is tf.config.LogicalDeviceConfiguration",
    "tf.config.experimental.get_device_policy()",
    "tf.config.experimental.get_synchronous_execution()",
    "tf.config.experimental.tensor_float_32_execution_enabled()",
    "tf.config.experimental.get_memory_info('GPU:0')",
    "tf.config.experimental.get_memory_info('foo')",
    "tf.config.experimental.get_device_details(tf.config.PhysicalDevice('/physical_device:GPU:0', 'GPU'))",
    "tf.config.experimental.get_memory_growth(tf.config.PhysicalDevice('/physical_device:GPU:0', 'GPU'))",
    "tf.config.get_visible_devices('GPU')",
    "tf.config.set_visible_devices(tf.config.PhysicalDevice('/physical_device:GPU:0', 'GPU'))",
    "tf.config.list_logical_devices('cpu')",
    "tf.config.LogicalDevice('/device:CPU:0', 'CPU')",
    "tf.config.LogicalDevice(name='a', device_type='b').name",
    "tuple(tf.config.PhysicalDevice('a', 'b'))",
    "tf.config.optimizer.get_jit()",
    "tf.config.optimizer.set_jit(True)\nout = tf.config.optimizer.get_jit()\ntf.config.optimizer.set_jit(False)",
    "tf.config.experimental.get_memory_usage('GPU:0')",
    "with tf.device('GPU:0'):\n  with tf.GradientTape() as g:\n    x = tf.constant(2.0)\n    g.watch(x)\n    y = x * x\nout = (y.device, g.gradient(y, x).device)",
    "with tf.device('GPU:0'):\n  out = tf.reduce_sum(tf.ones([3])).device",
]

ERRORS = [
    "sorted(n for n in dir(tf.errors) if not n.startswith('_'))",
    "tf.errors.AbortedError.__mro__[1].__name__",
    "tf.errors.AbortedError(None, None, 'msg').error_code",
    "str(tf.errors.AbortedError(None, None, 'msg'))",
    "tf.errors.AlreadyExistsError.__mro__[1].__name__",
    "tf.errors.AlreadyExistsError(None, None, 'msg').error_code",
    "str(tf.errors.AlreadyExistsError(None, None, 'msg'))",
    "tf.errors.CancelledError.__mro__[1].__name__",
    "tf.errors.CancelledError(None, None, 'msg').error_code",
    "str(tf.errors.CancelledError(None, None, 'msg'))",
    "tf.errors.DataLossError.__mro__[1].__name__",
    "tf.errors.DataLossError(None, None, 'msg').error_code",
    "str(tf.errors.DataLossError(None, None, 'msg'))",
    "tf.errors.DeadlineExceededError.__mro__[1].__name__",
    "tf.errors.DeadlineExceededError(None, None, 'msg').error_code",
    "str(tf.errors.DeadlineExceededError(None, None, 'msg'))",
    "tf.errors.FailedPreconditionError.__mro__[1].__name__",
    "tf.errors.FailedPreconditionError(None, None, 'msg').error_code",
    "str(tf.errors.FailedPreconditionError(None, None, 'msg'))",
    "tf.errors.InternalError.__mro__[1].__name__",
    "tf.errors.InternalError(None, None, 'msg').error_code",
    "str(tf.errors.InternalError(None, None, 'msg'))",
    "tf.errors.InvalidArgumentError.__mro__[1].__name__",
    "tf.errors.InvalidArgumentError(None, None, 'msg').error_code",
    "str(tf.errors.InvalidArgumentError(None, None, 'msg'))",
    "tf.errors.NotFoundError.__mro__[1].__name__",
    "tf.errors.NotFoundError(None, None, 'msg').error_code",
    "str(tf.errors.NotFoundError(None, None, 'msg'))",
    "tf.errors.OpError.__mro__[1].__name__",
    "tf.errors.OpError(None, None, 'msg', 3).error_code",
    "str(tf.errors.OpError(None, None, 'msg', 3))",
    "tf.errors.OutOfRangeError.__mro__[1].__name__",
    "tf.errors.OutOfRangeError(None, None, 'msg').error_code",
    "str(tf.errors.OutOfRangeError(None, None, 'msg'))",
    "tf.errors.PermissionDeniedError.__mro__[1].__name__",
    "tf.errors.PermissionDeniedError(None, None, 'msg').error_code",
    "str(tf.errors.PermissionDeniedError(None, None, 'msg'))",
    "tf.errors.ResourceExhaustedError.__mro__[1].__name__",
    "tf.errors.ResourceExhaustedError(None, None, 'msg').error_code",
    "str(tf.errors.ResourceExhaustedError(None, None, 'msg'))",
    "tf.errors.UnauthenticatedError.__mro__[1].__name__",
    "tf.errors.UnauthenticatedError(None, None, 'msg').error_code",
    "str(tf.errors.UnauthenticatedError(None, None, 'msg'))",
    "tf.errors.UnavailableError.__mro__[1].__name__",
    "tf.errors.UnavailableError(None, None, 'msg').error_code",
    "str(tf.errors.UnavailableError(None, None, 'msg'))",
    "tf.errors.UnimplementedError.__mro__[1].__name__",
    "tf.errors.UnimplementedError(None, None, 'msg').error_code",
    "str(tf.errors.UnimplementedError(None, None, 'msg'))",
    "tf.errors.UnknownError.__mro__[1].__name__",
    "tf.errors.UnknownError(None, None, 'msg').error_code",
    "str(tf.errors.UnknownError(None, None, 'msg'))",
    "[getattr(tf.errors, c) for c in ['OK','CANCELLED','UNKNOWN','INVALID_ARGUMENT','DEADLINE_EXCEEDED','NOT_FOUND','ALREADY_EXISTS','PERMISSION_DENIED','RESOURCE_EXHAUSTED','FAILED_PRECONDITION','ABORTED','OUT_OF_RANGE','UNIMPLEMENTED','INTERNAL','UNAVAILABLE','DATA_LOSS','UNAUTHENTICATED']]",
    "e = tf.errors.InvalidArgumentError(None, None, 'bad thing')\nout = (e.message, e.op, e.node_def, e.error_code, e.args, repr(e), str(e), e.experimental_payloads)",
    "e = tf.errors.InvalidArgumentError('nd', 'op', 'bad thing')\nout = (e.message, e.op, e.node_def, e.args)",
    "e = tf.errors.OpError(None, None, 'm', tf.errors.INTERNAL)\nout = (e.error_code, type(e).__name__, e.args)",
    "e = tf.errors.InvalidArgumentError(None, None, 'bad thing')\nf = pickle.loads(pickle.dumps(e))\nout = (type(f).__name__, f.message, f.error_code, f.op, f.node_def)",
    "e = tf.errors.OpError(None, None, 'm', 13)\nf = pickle.loads(pickle.dumps(e))\nout = (type(f).__name__, f.message, f.error_code)",
    "issubclass(tf.errors.InvalidArgumentError, ValueError)",
    "issubclass(tf.errors.OpError, Exception)",
    "issubclass(tf.errors.OutOfRangeError, IndexError)",
    "try:\n  tf.constant(1) + tf.constant(1.0)\nexcept tf.errors.OpError as e:\n  out = (type(e).__name__, e.error_code, e.op, e.node_def)",
    "try:\n  tf.constant(1) + tf.constant(1.0)\nexcept tf.errors.InvalidArgumentError as e:\n  out = e.message",
    "try:\n  tf.reshape(tf.zeros([2]), [3])\nexcept tf.errors.InvalidArgumentError as e:\n  out = (type(e).__name__, e.message)",
    "try:\n  tf.constant(1) // 0\nexcept tf.errors.InvalidArgumentError as e:\n  out = type(e).__name__",
    "tf.errors.InvalidArgumentError(None, None)",
    "tf.errors.InvalidArgumentError()",
    "tf.errors.InvalidArgumentError(None, None, 'm', 5)",
    "tf.errors.InvalidArgumentError(None, None, message='kw').message",
    "tf.errors.OpError(None, None, 'm')",
    "tf.errors.UnknownError(None, None, 'm', 2).error_code",
    "tf.errors.UnknownError(None, None, 'm').error_code",
    "e = tf.errors.NotFoundError(None, None, 'gone')\nf = pickle.loads(pickle.dumps(e))\nout = (type(f).__name__, str(f), f.error_code, isinstance(f, tf.errors.OpError))",
    "[issubclass(getattr(tf.errors, n), tf.errors.OpError) for n in ['AbortedError','AlreadyExistsError','CancelledError','DataLossError','DeadlineExceededError','FailedPreconditionError','InternalError','InvalidArgumentError','NotFoundError','OutOfRangeError','PermissionDeniedError','ResourceExhaustedError','UnauthenticatedError','UnavailableError','UnimplementedError','UnknownError']]",
    "issubclass(tf.errors.OperatorNotAllowedInGraphError, TypeError)",
    "tf.errors.InvalidArgumentError(None, None, 'm').__reduce__()[1]",
    "e = tf.errors.InvalidArgumentError(None, None, 'm', {'k': b'v'})\nout = e.experimental_payloads",
    "try:\n  tf.Variable(2).count_up_to(2)\nexcept tf.errors.OutOfRangeError as e:\n  out = (e.error_code, e.message)",
]

DEBUGGING = [
    "tf.debugging.assert_equal(1, 1)",
    "tf.debugging.assert_equal(tf.constant([1, 2]), [1, 2])",
    "tf.debugging.assert_equal(tf.constant([1, 2]), [1, 3])",
    "tf.debugging.assert_equal(tf.constant([1, 2]), [1, 3], message='custom')",
    "tf.debugging.assert_equal(tf.constant([1.0, 2.0]), [1, 3])",
    "tf.debugging.assert_equal(tf.constant([1, 2]), 1)",
    "tf.debugging.assert_equal(tf.constant([1, 2]), [1, 2, 3])",
    "tf.debugging.assert_equal(tf.constant(np.arange(10)), np.arange(10) + 1)",
    "tf.debugging.assert_equal(tf.constant(np.arange(10)), np.arange(10) + 1, summarize=2)",
    "tf.debugging.assert_equal(tf.constant([[1, 2], [3, 4]]), [[1, 2], [3, 5]])",
    "tf.debugging.assert_equal(tf.constant(1), tf.constant(1.0))",
    "tf.debugging.assert_equal('a', 'a')",
    "tf.debugging.assert_near(1.0, 1.0 + 1e-7)",
    "tf.debugging.assert_near(tf.constant([1.0, 2.0]), [1.0, 2.1])",
    "tf.debugging.assert_near(tf.constant([1.0, 2.0]), [1.0, 2.1], rtol=0.1)",
    "tf.debugging.assert_near(tf.constant([1.0, 2.0]), [1.0, 2.1], atol=0.2)",
    "tf.debugging.assert_near(tf.constant([1.0, 2.0], tf.float64), [1.0, 2.0 + 1e-9])",
    "tf.debugging.assert_near(tf.constant([1, 2]), [1, 3])",
    "tf.debugging.assert_near(tf.constant([1.0, 2.0]), [1.0, 2.1], message='close?')",
    "tf.debugging.assert_rank(tf.zeros([2, 3]), 2)",
    "tf.debugging.assert_rank(tf.zeros([2, 3]), 3)",
    "tf.debugging.assert_rank(tf.zeros([2, 3]), 3, message='r')",
    "tf.debugging.assert_rank(tf.zeros([2, 3]), tf.constant(3))",
    "tf.debugging.assert_rank(tf.zeros([2, 3]), [2])",
    "tf.debugging.assert_rank(1.0, 0)",
    "tf.debugging.assert_rank_at_least(tf.zeros([2, 3]), 3)",
    "tf.debugging.assert_rank_at_least(tf.zeros([2, 3]), 1)",
    "tf.debugging.assert_rank_in(tf.zeros([2, 3]), [1, 3])",
    "tf.debugging.assert_rank_in(tf.zeros([2, 3]), [1, 2])",
    "tf.debugging.assert_shapes([(tf.zeros([2, 3]), ('N', 'D')), (tf.zeros([2]), ('N',))])",
    "tf.debugging.assert_shapes([(tf.zeros([2, 3]), ('N', 'D')), (tf.zeros([3]), ('N',))])",
    "tf.debugging.assert_shapes([(tf.zeros([2, 3]), (2, 3))])",
    "tf.debugging.assert_shapes([(tf.zeros([2, 3]), (2, 4))])",
    "tf.debugging.assert_shapes([(tf.zeros([2, 3]), ('N',))])",
    "tf.debugging.assert_shapes([(tf.zeros([2, 3]), ('N', 'D')), (tf.zeros([2, 4]), ('N', 'D'))])",
    "tf.debugging.assert_shapes([(tf.zeros([2, 3, 4]), (..., 'D'))])",
    "tf.debugging.assert_shapes([(tf.zeros([2, 3]), ('N', 'D'))], message='shp')",
    "tf.debugging.assert_shapes({'a': ('N',)})",
    "tf.debugging.assert_shapes([(tf.zeros([]), ())])",
    "tf.debugging.assert_shapes([(tf.zeros([2]), ())])",
    "tf.debugging.assert_shapes([(tf.zeros([2, 3]), (None, 3))])",
    "tf.debugging.check_numerics(tf.constant([1.0, 2.0]), 'm')",
    "tf.debugging.check_numerics(tf.constant([1.0, np.nan]), 'm')",
    "tf.debugging.check_numerics(tf.constant([1.0, np.inf]), 'check')",
    "tf.debugging.check_numerics(tf.constant([np.nan, np.inf]), 'both')",
    "tf.debugging.check_numerics(tf.constant([1, 2]), 'm')",
    "tf.debugging.check_numerics(tf.constant([1.0], tf.float16), 'h')",
    "tf.debugging.check_numerics(tf.constant(-np.inf), 'neg')",
    "x = tf.constant([1.0, 2.0])\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = tf.debugging.check_numerics(x * x, 'm')\nout = g.gradient(y, x)",
    "x = tf.constant([1.0, 2.0])\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = tf.debugging.check_numerics(x, 'm') * 3.0\nout = g.gradient(y, x)",
    "tf.debugging.assert_less(1, 2)",
    "tf.debugging.assert_less(tf.constant([1, 2]), [2, 2])",
    "tf.debugging.assert_less(tf.constant([1, 2]), [2, 2], message='lt')",
    "tf.debugging.assert_less_equal(tf.constant([1, 2]), [2, 2])",
    "tf.debugging.assert_less_equal(tf.constant([1, 3]), [2, 2])",
    "tf.debugging.assert_greater(tf.constant([1, 2]), 0)",
    "tf.debugging.assert_greater(tf.constant([1, 2]), 1)",
    "tf.debugging.assert_greater_equal(tf.constant([1, 2]), 2)",
    "tf.debugging.assert_non_negative(tf.constant([0, 1]))",
    "tf.debugging.assert_non_negative(tf.constant([-1, 1]))",
    "tf.debugging.assert_positive(tf.constant([1.0, 2.0]))",
    "tf.debugging.assert_positive(tf.constant([0.0, 2.0]))",
    "tf.debugging.assert_negative(tf.constant([-1]))",
    "tf.debugging.assert_negative(tf.constant([1]))",
    "tf.debugging.assert_non_positive(tf.constant([1]))",
    "tf.debugging.assert_none_equal(tf.constant([1, 2]), [2, 1])",
    "tf.debugging.assert_none_equal(tf.constant([1, 2]), [1, 1])",
    "tf.debugging.assert_type(tf.constant(1.0), tf.float32)",
    "tf.debugging.assert_type(tf.constant(1.0), tf.int32)",
    "tf.debugging.assert_type(tf.constant(1.0), tf.int32, message='ty')",
    "tf.debugging.assert_type(1.0, tf.float32)",
    "tf.debugging.assert_integer(tf.constant(1))",
    "tf.debugging.assert_integer(tf.constant(1.0))",
    "tf.debugging.assert_scalar(tf.constant(1.0))",
    "tf.debugging.assert_scalar(tf.constant([1.0]))",
    "tf.debugging.assert_scalar(tf.constant([1.0]), message='sc')",
    "tf.debugging.assert_all_finite(tf.constant([1.0]), 'ok')",
    "tf.debugging.assert_all_finite(tf.constant([np.nan]), 'bad')",
    "tf.debugging.assert_all_finite(tf.constant([1]), 'int')",
    "tf.debugging.Assert(True, ['never'])",
    "tf.debugging.Assert(tf.constant(False), ['x is', tf.constant([1, 2])])",
    "tf.debugging.Assert(False, ['msg', 3])",
    "tf.debugging.Assert(tf.constant([True, True]), ['m'])",
    "tf.debugging.Assert(tf.constant(False), [tf.constant(np.arange(10))], summarize=3)",
    "tf.debugging.Assert(1, ['m'])",
    "tf.debugging.Assert(tf.constant(False), [])",
    "tf.debugging.is_numeric_tensor(tf.constant(1))",
    "tf.debugging.is_numeric_tensor(tf.constant('a'))",
    "tf.debugging.is_numeric_tensor(1)",
    "tf.debugging.is_numeric_tensor(tf.constant(True))",
    "tf.debugging.assert_proper_iterable([1])",
    "tf.debugging.assert_proper_iterable('abc')",
    "tf.debugging.assert_proper_iterable(tf.constant([1]))",
    "tf.debugging.assert_proper_iterable(3)",
    "tf.debugging.assert_same_float_dtype([tf.constant(1.0), tf.constant(2.0)])",
    "tf.debugging.assert_same_float_dtype([tf.constant(1.0), tf.constant(2.0, tf.float64)])",
    "tf.debugging.assert_same_float_dtype([tf.constant(1)])",
    "tf.debugging.assert_same_float_dtype(None, tf.float16)",
    "tf.debugging.get_log_device_placement()",
    "tf.debugging.is_traceback_filtering_enabled()",
    "tf.assert_equal(tf.constant([1]), [2])",
    "tf.assert_less(1, 0)",
    "tf.assert_rank(tf.zeros([1]), 2)",
    "tf.assert_greater(0, 1)",
    "tf.Assert(False, ['top'])",
    "tf.assert_equal(tf.constant([1]), [1]) is None",
    "type(tf.debugging.assert_equal(tf.constant([1]), [1]))",
    "tf.debugging.assert_equal(tf.constant([1, 2]), [1, 3], summarize=1)",
    "tf.debugging.assert_equal(tf.constant([1.5]), [2.5])",
    "tf.debugging.assert_equal(tf.zeros([0]), [])",
    "tf.debugging.assert_less(tf.constant([3.0, 1.0]), tf.constant([2.0, 2.0]))",
    "tf.debugging.assert_greater(tf.constant(['a']), ['b'])",
    (
        "@tf.function\ndef f(x):\n  tf.debugging.Assert(tf.reduce_all(x > 0), ['msg', x])\n  return x * 2\nout = f(tf.constant([1., 2.]))",
        "exact",
    ),
    (
        "@tf.function\ndef f(x):\n  tf.debugging.Assert(tf.reduce_all(x > 0), ['msg', x])\n  return x * 2\nout = f(tf.constant([1., -1.]))",
        "type",
    ),
    (
        "@tf.function\ndef g(x):\n  tf.debugging.assert_equal(x, [1., 2.])\n  tf.debugging.assert_non_negative(x)\n  return x * 2\nout = g(tf.constant([1., -1.]))",
        "type",
    ),
    (
        "@tf.function\ndef h(x):\n  return tf.debugging.check_numerics(x, 'cn')\nout = h(tf.constant([1., float('nan')]))",
        "type",
    ),
    (
        "@tf.function\ndef h(x):\n  return tf.debugging.check_numerics(x, 'cn')\nout = h(tf.constant([1., 2.]))",
        "exact",
    ),
    "tf.raw_ops.CheckNumerics(tensor=[1.0], message='m')",
    "tf.raw_ops.Assert(condition=False, data=[tf.constant([1, 2]), 'abc', tf.constant(np.arange(10.))], summarize=3)",
    "tf.raw_ops.Assert(condition=[False], data=[1])",
    "tf.raw_ops.Assert(condition=True, data=[1])",
    "[tf.raw_ops.CheckNumericsV2(tensor=tf.constant(v), message='m') for v in [[1., np.nan]]]",
    "[tf.raw_ops.CheckNumericsV2(tensor=tf.constant(v), message='m') for v in [[1., np.inf]]]",
    "[tf.raw_ops.CheckNumericsV2(tensor=tf.constant(v), message='m') for v in [[-np.inf]]]",
    "[tf.raw_ops.CheckNumericsV2(tensor=tf.constant(v), message='m') for v in [[np.nan, np.inf, -np.inf]]]",
    "[tf.raw_ops.CheckNumericsV2(tensor=tf.constant(v), message='m') for v in [[np.inf, -np.inf]]]",
    (
        "x = tf.constant([1.0, np.inf])\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = tf.debugging.check_numerics(x * 0.0 + 1.0, 'fwd') * x\nout = g.gradient(y, x)",
        "exact",
    ),
    "tf.debugging.assert_shapes([(tf.zeros([2, 3]), ('N', 'D')), (tf.zeros([2, 3]), (2, '.'))])",
    "tf.debugging.assert_shapes([(tf.zeros([2, 3]), ('*', 'D')), (tf.zeros([4, 3]), ('D',))])",
    "tf.debugging.assert_shapes([(tf.zeros([2, 3]), ('N', ..., 'D'))])",
    "tf.debugging.assert_shapes([(tf.zeros([2, 3]), 5)])",
    "tf.debugging.assert_shapes([(tf.zeros([2, 3, 4]), ('*', 'D')), (tf.zeros([3]), ('D',))])",
    "tf.debugging.assert_shapes([(tf.zeros([1]), ('N', 'D'))])",
    "tf.debugging.assert_shapes([(tf.zeros([]), ('N',)), (tf.zeros([3]), ('N',))])",
    "tf.debugging.assert_rank_in(tf.zeros([2]), (0, 1), message='in')",
    "tf.debugging.assert_type(tf.constant([1]), tf.int32)",
    "tf.debugging.assert_non_negative(tf.constant(np.arange(-5, 5)))",
    "tf.debugging.assert_equal(tf.constant([1, 2]), [1, 3], summarize=-1)",
    "tf.debugging.assert_equal(tf.constant([1, 2]), [1, 3], summarize=0)",
    "tf.debugging.assert_near(tf.constant([1.0, 2.0]), [1.0, 2.1], summarize=1)",
    "tf.debugging.Assert(False, [tf.constant(np.arange(5))], summarize=-1)",
    "tf.debugging.Assert(False, [tf.constant(7)], summarize=0)",
    "tf.debugging.Assert(tf.constant(False), ['s', tf.constant('t'), tf.constant([True, False])])",
    "tf.debugging.is_numeric_tensor(tf.constant([1.5], tf.float16))",
]

RAW_OPS = [
    "tf.raw_ops.AddV2(x=tf.constant([1., 2.]), y=tf.constant([3., 4.]))",
    "tf.raw_ops.AddV2(x=[1., 2.], y=[3., 4.])",
    "tf.raw_ops.AddV2(x=1, y=2.5)",
    "tf.raw_ops.AddV2(x=tf.constant(1), y=2.5)",
    "tf.raw_ops.AddV2(x=1.5, y=tf.constant(2))",
    "tf.raw_ops.AddV2(tf.constant(1.), tf.constant(2.))",
    "tf.raw_ops.AddV2(x=1.)",
    "tf.raw_ops.AddV2(x=1., y=2., z=3.)",
    "tf.raw_ops.MatMul(a=[[1., 2.]], b=[[3.], [4.]])",
    "tf.raw_ops.MatMul(a=[[1., 2.]], b=[[3., 4.]], transpose_b=True)",
    "tf.raw_ops.MatMul(a=[[1., 2.]], b=[[3.], [4.]], grad_a=True)",
    "tf.raw_ops.ConcatV2(values=[[1, 2], [3]], axis=0)",
    "tf.raw_ops.ConcatV2(values=[tf.constant([[1]]), tf.constant([[2]])], axis=1)",
    "tf.raw_ops.ConcatV2(values=[[1., 2.], [3]], axis=0)",
    "tf.raw_ops.Cast(x=[1.5, 2.5], DstT=tf.int32)",
    "tf.raw_ops.Cast(x=[1.5, 2.5], DstT='int64')",
    "tf.raw_ops.Cast(x=[1, 2], DstT=tf.float32, Truncate=True)",
    "tf.raw_ops.Cast(x=[1, 2])",
    "tf.raw_ops.Sum(input=[[1, 2], [3, 4]], axis=0)",
    "tf.raw_ops.Sum(input=[[1, 2], [3, 4]], axis=[0, 1], keep_dims=True)",
    "tf.raw_ops.Sum(input=[[1., 2.]], reduction_indices=0)",
    "tf.raw_ops.Mean(input=[[1., 2.]], axis=1)",
    "tf.raw_ops.Max(input=[[1., 2.]], axis=1)",
    "tf.raw_ops.Prod(input=[[1., 2.]], axis=1)",
    "tf.raw_ops.All(input=[[True, False]], axis=1)",
    "tf.raw_ops.Any(input=[[True, False]], axis=1)",
    "tf.raw_ops.Min(input=[[1., 2.]], axis=[1], keep_dims=True)",
    "tf.raw_ops.Split(axis=0, value=[1, 2, 3, 4], num_split=2)",
    "tf.raw_ops.SplitV(value=[1, 2, 3, 4], size_splits=[1, 3], axis=0, num_split=2)",
    "tf.raw_ops.Squeeze(input=[[1], [2]], axis=[1])",
    "tf.raw_ops.Squeeze(input=[[1], [2]])",
    "tf.raw_ops.Where(condition=[True, False, True])",
    "tf.raw_ops.Reshape(tensor=[1, 2, 3, 4], shape=[2, 2])",
    "tf.raw_ops.Transpose(x=[[1, 2]], perm=[1, 0])",
    "tf.raw_ops.Pack(values=[1, 2], axis=0)",
    "tf.raw_ops.Unpack(value=[[1, 2], [3, 4]], num=2)",
    "tf.raw_ops.Fill(dims=[2], value=3.0)",
    "tf.raw_ops.Shape(input=[[1, 2]])",
    "tf.raw_ops.Shape(input=[[1, 2]], out_type=tf.int64)",
    "tf.raw_ops.Range(start=0, limit=5, delta=2)",
    "tf.raw_ops.ExpandDims(input=[1, 2], axis=0)",
    "tf.raw_ops.Identity(input=[1, 2])",
    "tf.raw_ops.StopGradient(input=[1.])",
    "tf.raw_ops.OneHot(indices=[0, 2], depth=3, on_value=1., off_value=0.)",
    "tf.raw_ops.SelectV2(condition=[True, False], t=[1, 2], e=[3, 4])",
    "tf.raw_ops.StridedSlice(input=[1, 2, 3, 4], begin=[1], end=[3], strides=[1])",
    "tf.raw_ops.Relu(features=[-1., 2.])",
    ("tf.raw_ops.Softmax(logits=[[1., 2.]])", "num"),
    "tf.raw_ops.Exp(x=[0.])",
    "tf.raw_ops.Neg(x=[1])",
    "tf.raw_ops.Less(x=1, y=2)",
    "tf.raw_ops.Equal(x=[1, 2], y=[1, 3])",
    "tf.raw_ops.Equal(x=[1, 2], y=[1, 2, 3], incompatible_shape_error=False)",
    "tf.raw_ops.ArgMax(input=[[1, 5, 2]], dimension=1)",
    "tf.raw_ops.ArgMax(input=[[1, 5, 2]], dimension=1, output_type=tf.int32)",
    "tf.raw_ops.Rank(input=[[1]])",
    "tf.raw_ops.Size(input=[[1, 2]])",
    "tf.raw_ops.ZerosLike(x=[1., 2.])",
    "tf.raw_ops.OnesLike(x=[1, 2])",
    "tf.raw_ops.BroadcastTo(input=[1, 2], shape=[2, 2])",
    "tf.raw_ops.Tile(input=[1, 2], multiples=[2])",
    "tf.raw_ops.Pad(input=[1, 2], paddings=[[1, 1]])",
    "tf.raw_ops.GatherV2(params=[1, 2, 3], indices=[2, 0], axis=0)",
    "'Sum' in dir(tf.raw_ops)",
    "tf.raw_ops.ReadVariableOp(resource=tf.Variable(1.0).handle, dtype=tf.float32)",
    "v = tf.Variable(1.0)\ntf.raw_ops.AssignVariableOp(resource=v.handle, value=5.0)\nout = v",
    "v = tf.Variable(1.0)\ntf.raw_ops.AssignAddVariableOp(resource=v.handle, value=5.0)\nout = v",
    "tf.raw_ops.Assert(condition=True, data=[1])",
    "tf.raw_ops.LinSpace(start=0., stop=1., num=3)",
    "tf.raw_ops.Cumsum(x=[1, 2, 3], axis=0)",
    "tf.raw_ops.Sqrt(x=[4.])",
    "tf.raw_ops.Sub(x=[1], y=[2])",
    "tf.raw_ops.Mul(x=2, y=3)",
    "tf.raw_ops.RealDiv(x=1., y=2.)",
    "tf.raw_ops.FloorDiv(x=7, y=2)",
    "tf.raw_ops.Pow(x=2., y=3.)",
    "tf.raw_ops.Maximum(x=1, y=2)",
    "tf.raw_ops.LogicalAnd(x=True, y=False)",
    "tf.raw_ops.Abs(x=[-1])",
    "tf.raw_ops.Sign(x=[-2.])",
    "tf.raw_ops.Split(value=[1, 2, 3, 4], num_split=2)",
    "tf.raw_ops.Cast(x=[1], DstT=tf.string)",
    "tf.raw_ops.Sum(input=[[1, 2]], axis=1, keep_dims=False, name='s')",
    "tf.raw_ops.AddV2(x=[1, 2], y=tf.constant([1, 2], tf.int64))",
    "tf.raw_ops.ConcatV2(values=[tf.constant([1]), [2.5]], axis=0)",
    "tf.raw_ops.Pack(values=[tf.constant(1), tf.constant(2.0)], axis=0)",
    "tf.raw_ops.SelectV2(condition=True, t=1.5, e=2)",
    "tf.raw_ops.Reshape(tensor=[1.5, 2.5], shape=tf.constant([2, 1], tf.int64))",
    "tf.raw_ops.Fill(dims=tf.constant([2], tf.int64), value=tf.constant(1, tf.int8))",
    "x = tf.constant(3.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = tf.raw_ops.Mul(x=x, y=x)\nout = g.gradient(y, x)",
    "tf.raw_ops.PrintV2(input='hello from raw PrintV2', output_stream='stdout')",
]

NEST = [
    "tf.nest.flatten(1)",
    "tf.nest.flatten(None)",
    "tf.nest.flatten([1, [2, (3, 4)], {'b': 5, 'a': 6}])",
    "tf.nest.flatten({'b': [1], 'a': (2, 3)})",
    "P = collections.namedtuple('P', ['b', 'a'])\nout = tf.nest.flatten(P(1, 2))",
    "tf.nest.flatten([])",
    "tf.nest.flatten([[], ()])",
    "tf.nest.flatten({})",
    "tf.nest.flatten('abc')",
    "tf.nest.flatten(np.array([1, 2]))",
    "tf.nest.flatten(tf.constant([1, 2]))",
    "tf.nest.flatten({1: 'a', 'b': 2})",
    "tf.nest.flatten(collections.OrderedDict([('b', 1), ('a', 2)]))",
    "tf.nest.flatten(set([1]))",
    "tf.nest.flatten(range(3))",
    "tf.nest.pack_sequence_as([0, [0, 0]], [1, 2, 3])",
    "tf.nest.pack_sequence_as({'b': 0, 'a': 0}, [1, 2])",
    "P = collections.namedtuple('P', ['b', 'a'])\nout = tf.nest.pack_sequence_as(P(0, 0), [1, 2])",
    "tf.nest.pack_sequence_as(0, [5])",
    "tf.nest.pack_sequence_as(0, [5, 6])",
    "tf.nest.pack_sequence_as([0, 0], [1])",
    "tf.nest.pack_sequence_as([0, 0], [1, 2, 3])",
    "tf.nest.pack_sequence_as([], [])",
    "tf.nest.pack_sequence_as(collections.OrderedDict([('b', 1), ('a', 2)]), [10, 20])",
    "tf.nest.pack_sequence_as((0, (0,)), [1, 2])",
    "tf.nest.pack_sequence_as([0], 5)",
    "tf.nest.map_structure(lambda x: x * 2, [1, (2, 3), {'a': 4}])",
    "tf.nest.map_structure(lambda x, y: x + y, [1, 2], [3, 4])",
    "tf.nest.map_structure(lambda x, y: x + y, [1, 2], (3, 4))",
    "tf.nest.map_structure(lambda x, y: x + y, [1, 2], (3, 4), check_types=False)",
    "tf.nest.map_structure(lambda x, y: x + y, [1, 2], [3])",
    "tf.nest.map_structure(lambda x: x, None)",
    "tf.nest.map_structure(lambda x: x)",
    "tf.nest.map_structure(lambda x: x + 1, {'a': 1}, bad_kw=1)",
    "tf.nest.assert_same_structure([1, [2]], [3, [4]])",
    "tf.nest.assert_same_structure([1, [2]], [3, 4])",
    "tf.nest.assert_same_structure([1], (1,))",
    "tf.nest.assert_same_structure([1], (1,), check_types=False)",
    "tf.nest.assert_same_structure({'a': 1}, {'b': 1})",
    "tf.nest.assert_same_structure(1, [1])",
    "tf.nest.assert_same_structure([1, 2], [1])",
    "tf.nest.is_nested([1])",
    "tf.nest.is_nested(1)",
    "tf.nest.is_nested({})",
    "tf.nest.is_nested('ab')",
    "tf.nest.is_nested(np.array([1]))",
    "tf.nest.is_nested(tf.constant([1]))",
    "P = collections.namedtuple('P', ['b', 'a'])\nout = tf.nest.is_nested(P(1, 2))",
    "tf.nest.is_nested(set([1]))",
    "sorted(n for n in dir(tf.nest) if not n.startswith('_'))",
    "tf.nest.map_structure(lambda x: x, [1, 2], expand_composites=True)",
    "tf.nest.flatten([tf.constant(1), [tf.constant(2)]])",
    "tf.nest.assert_same_structure([[1]], [1])",
    "tf.nest.assert_same_structure({'a': [1]}, {'a': (1,)})",
    "tf.nest.assert_same_structure({'a': [1]}, {'a': (1,)}, check_types=False)",
    "tf.nest.assert_same_structure([1, {'a': 2}], [1, {'a': 2, 'b': 3}])",
    "tf.nest.assert_same_structure(collections.OrderedDict(a=1), {'a': 1})",
    "tf.nest.assert_same_structure([1, 'ab'], [1, [2]])",
    "tf.nest.assert_same_structure('ab', 'cd')",
    "tf.nest.assert_same_structure([], [1])",
    "tf.nest.assert_same_structure(None, [1])",
    "P = collections.namedtuple('P', ['b', 'a'])\ntf.nest.assert_same_structure(P(1, [2]), P(1, 2))",
    "tf.nest.map_structure(lambda x: x * 2, {'a': [1, 2], 'b': (3, {'c': 4})})",
    "tf.nest.map_structure(3, [1])",
]

_SETUP = {
    "dtypes": "",
    "shape": "S = tf.TensorShape\n",
    "reprs": "",
    "convert": "",
    "tensor": (
        "s = tf.constant(3); f = tf.constant(2.5); v = tf.constant([1, 2]); "
        "m = tf.constant([[1., 2.], [3., 4.]]); b = tf.constant(True); st = tf.constant('ab'); "
        "c = tf.constant(1 + 2j); e = tf.zeros([0])\n"
    ),
    "operators": (
        "x = tf.constant([1, 2]); s = tf.constant(3); f = tf.constant(2.5); "
        "v = tf.constant([1, 2]); m = tf.constant([[1., 2.], [3., 4.]]); "
        "b = tf.constant(True); c = tf.constant(1 + 2j)\n"
    ),
}

GROUPS = {
    "dtypes": DTYPES,
    "shape": SHAPE,
    "reprs": REPRS,
    "convert": CONVERT,
    "tensor": TENSOR,
    "operators": OPERATORS,
    "variables": VARIABLES,
    "tape": TAPE,
    "tape_gather": GATHER,
    "devices": DEVICES,
    "errors": ERRORS,
    "debugging": DEBUGGING,
    "raw_ops": RAW_OPS,
    "nest": NEST,
}


def _extra_groups():
    """Groups defined in the second half of this file (variables, tape, devices, ...)."""
    return {}


# -- evaluation ------------------------------------------------------------------------


def _case(entry):
    return (entry, "exact") if isinstance(entry, str) else (entry[0], entry[1])


def _to_num(x):
    import numpy as np

    if x is None:
        return None
    if isinstance(x, dict):
        return {str(k): _to_num(v) for k, v in sorted(x.items(), key=lambda kv: str(kv[0]))}
    if isinstance(x, (list, tuple)):
        return [_to_num(v) for v in x]
    if hasattr(x, "values") and hasattr(x, "indices") and hasattr(x, "dense_shape"):
        return {"indexed_slices": True, "values": _to_num(x.values), "indices": _to_num(x.indices)}
    if hasattr(x, "numpy") and hasattr(x, "dtype"):
        a = np.asarray(x.numpy())
        name = x.dtype.name
    elif isinstance(x, (np.ndarray, np.generic)):
        a = np.asarray(x)
        name = str(a.dtype)
    else:  # plain Python values, enums, strings: compared by repr
        return {"py": normalize(repr(x))}
    if a.dtype.kind == "c":
        vals = [[float(z.real), float(z.imag)] for z in a.reshape(-1)]
    elif a.dtype.kind in "OSU":
        vals = [str(z) for z in a.reshape(-1)]
    else:
        vals = [
            float(z) if a.dtype.kind == "f" or name == "bfloat16" else int(z) for z in a.reshape(-1)
        ]
    return {"dtype": name, "shape": list(a.shape), "value": vals}


def evaluate(tf, group, code, mode):
    """Runs one case with `tf`; returns a JSON-able record of its result."""
    import collections
    import copy
    import pickle

    import numpy as np

    ns = {"tf": tf, "np": np, "copy": copy, "pickle": pickle, "collections": collections}
    setup = _SETUP.get(group, "")
    try:
        exec(setup, ns)  # noqa: S102 - test code from this file
        try:
            compiled = compile(code, "<case>", "eval")
        except SyntaxError:
            exec(code, ns)  # noqa: S102
            value = ns.get("out")
        else:
            value = eval(compiled, ns)  # noqa: S307
    except Exception as e:  # noqa: BLE001 - the exception is the result
        return {"error": type(e).__name__, "message": str(e)}
    if mode == "num":
        return {"num": _to_num(value)}
    return {"repr": repr(value), "str": str(value)}


_FN_NODE = re.compile(r"\{\{function_node [^}]*\}\} ")
_NAME_SUFFIX = re.compile(r"(\[Op:[A-Za-z0-9_]+\]) name: [\w/.]*")
_NODE_DEF = re.compile(r"\s*; NodeDef: .*?(?= \[Op:|$)", re.S)
_MODULE_PATH = re.compile(r"\b(?:tensorflow|arroyo|keras)(?:\.[A-Za-z_]\w*)*\.(?=[A-Za-z_]\w*)")
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def normalize(text: str) -> str:
    text = _FN_NODE.sub("", text)
    text = _NAME_SUFFIX.sub(r"\1", text)
    text = _NODE_DEF.sub("", text)
    text = _MODULE_PATH.sub("", text)
    text = _ADDRESS.sub(" at 0x?", text)
    return text.rstrip()


def compare(expected: dict, actual: dict, mode: str):
    """Returns None when `actual` matches the golden `expected`, else a description."""
    if "error" in expected:
        if "error" not in actual:
            return f"expected {expected['error']}: {expected['message']!r}, got value {actual.get('repr', actual)!r}"
        if actual["error"] != expected["error"]:
            return f"expected {expected['error']}, got {actual['error']}: {actual['message']!r}"
        if mode != "type" and normalize(actual["message"]) != normalize(expected["message"]):
            return f"message differs:\n  TF: {normalize(expected['message'])!r}\n  us: {normalize(actual['message'])!r}"
        return None
    if "error" in actual:
        return f"expected a value, got {actual['error']}: {actual['message']!r}"
    if mode == "type":
        return None
    if mode == "num":
        return _compare_num(expected["num"], actual["num"])
    for key in ("repr",) if mode == "repr" else ("repr", "str"):
        if normalize(actual[key]) != normalize(expected[key]):
            return f"{key} differs:\n  TF: {normalize(expected[key])!r}\n  us: {normalize(actual[key])!r}"
    return None


def _compare_num(e, a, path="out"):
    import numpy as np

    if e is None or a is None:
        return None if e is a else f"{path}: expected {e!r}, got {a!r}"
    if isinstance(e, list):
        if not isinstance(a, list) or len(a) != len(e):
            return f"{path}: expected a list of {len(e)}, got {a!r}"
        for i, (x, y) in enumerate(zip(e, a)):
            r = _compare_num(x, y, f"{path}[{i}]")
            if r:
                return r
        return None
    if not isinstance(e, dict):
        return None if e == a else f"{path}: expected {e!r}, got {a!r}"
    if "py" in e:
        return None if e == a else f"{path}: expected {e['py']}, got {a}"
    if "value" not in e:
        if set(e) != set(a):
            return f"{path}: keys {sorted(e)} != {sorted(a)}"
        for k in e:
            r = _compare_num(e[k], a[k], f"{path}.{k}")
            if r:
                return r
        return None
    if e["dtype"] != a["dtype"] or e["shape"] != a["shape"]:
        return f"{path}: expected {e['dtype']}{e['shape']}, got {a['dtype']}{a['shape']}"
    ev, av = e["value"], a["value"]
    if e["dtype"] == "string":
        return None if ev == av else f"{path}: {ev} != {av}"
    if not np.allclose(
        np.asarray(av, dtype=float),
        np.asarray(ev, dtype=float),
        rtol=1e-5,
        atol=1e-6,
        equal_nan=True,
    ):
        return f"{path}: values {av} != TF's {ev}"
    return None


# Cases whose mismatch comes from code outside the core files (reported to its owner); the
# tests mark them xfail (non-strict), so they pass again once fixed.
KNOWN_ISSUES = {
    "x == 1.5": "math_ops.tensor_equals swallows conversion errors",
    "x == [1.5, 2]": "math_ops.tensor_equals swallows conversion errors",
    "-tf.constant(True)": "_helpers.check_allowed: TF's allowed-type list and C++ names",
    "tf.constant(1 + 1j) < 2": "_helpers.check_allowed: TF's allowed-type list and C++ names",
    "tf.constant(True) + tf.constant(False)": "_helpers.check_allowed: TF's allowed-type list",
    "tf.constant([1., 2.]) & 1": "bitwise_ops: C++ dtype names in the allowed-type message",
    "tf.constant([1, 2]) @ tf.constant([1, 2])": "math_ops.matmul: rank-1 message",
    "tf.constant([[1.]]) @ tf.constant([[1]])": "TF's oneDNN op name _MklMatMul in the message",
    "[repr(tf.zeros([2], tf.string)), str(tf.ones([], tf.string))]": "array_ops.ones(dtype=string)",
    "tf.dtypes.QUANTIZED_DTYPES == {tf.qint8, tf.quint8, tf.qint16, tf.quint16, tf.qint32}": "arroyo/__init__.py lacks tf.qint16/tf.quint16",
    "v = tf.Variable([1, 2])\nout = v + 1.5": "math_ops.add: TF converts with dtype_hint (InvalidArgumentError)",
}
KNOWN_ISSUES["tf.raw_ops.Sum(input=[[1., 2.]], reduction_indices=0)"] = (
    "arroyo also accepts op-definition keyword names"
)
KNOWN_ISSUES["tf.raw_ops.Cast(x=[1], DstT=tf.string)"] = (
    "math_ops Cast kernel: TF raises UnimplementedError for casts to/from string"
)
KNOWN_ISSUES["tf.raw_ops.LinSpace(start=0., stop=1., num=3)"] = (
    "LinSpace: TF's first value is -0.0 for start=0 (sign of zero)"
)
KNOWN_ISSUES["tf.debugging.assert_greater(tf.constant(['a']), ['b'])"] = (
    "_helpers.check_allowed: TF's allowed-type list and C++ names"
)
# tf.DeviceSpec (arroyo.framework.device.DeviceSpec) is not exported by arroyo/__init__.py yet.
KNOWN_ISSUES.update(
    {c: "arroyo/__init__.py does not export tf.DeviceSpec" for c in DEVICES if "tf.DeviceSpec" in c}
)


def case_ids(group):
    """The codes of one group's cases, for pytest parametrization."""
    with open(GOLDEN_PATH) as fh:
        return list(json.load(fh)[group])


_GOLDENS: dict = {}


def check_case(tf, group, code):
    """Asserts arroyo (`tf`) matches TF's golden result for one case."""
    if not _GOLDENS:
        with open(GOLDEN_PATH) as fh:
            _GOLDENS.update(json.load(fh))
    rec = _GOLDENS[group][code]
    got = evaluate(tf, group, code, rec["mode"])
    diff = compare(rec["result"], got, rec["mode"])
    return diff


def pytest_check(tf, group, code):
    """The tests' check: assert a match, or xfail for a case listed in KNOWN_ISSUES."""
    import pytest

    diff = check_case(tf, group, code)
    if diff and code in KNOWN_ISSUES:
        pytest.xfail(KNOWN_ISSUES[code])
    assert diff is None, f"{code}\n{diff}"


def all_groups():
    groups = dict(GROUPS)
    groups.update(_extra_groups())
    return groups


def _raw_ops_meta(tf):
    """TF's keyword names of every raw op arroyo registers, and how its inputs share dtypes."""
    import inspect

    from tensorflow.python.framework import op_def_registry

    sys.path.insert(0, ROOT)
    from arroyo._api import _build
    from arroyo.framework.op_registry import registered_ops

    list(_build._modules())
    meta = {}
    for name in sorted(registered_ops()):
        fn = getattr(tf.raw_ops, name, None)
        op_def = op_def_registry.get(name)
        if fn is None or op_def is None:
            continue
        params = inspect.signature(fn).parameters
        meta[name] = {
            "pyname": fn.__name__,
            "params": [p for p in params if p != "name"],
            "required": [p for p, v in params.items() if v.default is inspect.Parameter.empty],
            "inputs": [[a.name, a.type_attr or a.type_list_attr or "", bool(a.number_attr or a.type_list_attr)]
                       for a in op_def.input_arg],
        }  # fmt: skip
    return meta


def main(argv):
    if argv and argv[0] == "--check":
        sys.path.insert(0, ROOT)
        import arroyo as tf

        with open(GOLDEN_PATH) as fh:
            goldens = json.load(fh)
        groups = argv[1:] or [g for g in goldens if not g.startswith("_")]
        bad = 0
        for g in groups:
            for code, rec in goldens[g].items():
                got = evaluate(tf, g, code, rec["mode"])
                diff = compare(rec["result"], got, rec["mode"])
                if diff:
                    bad += 1
                    print(f"[{g}] {code}\n  {diff}")
        print(f"{bad} mismatches")
        return 1 if bad else 0
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ["CUDA_VISIBLE_DEVICES"] = ""  # TF sees the CPU only, as arroyo does
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    out = {}
    for g, cases in all_groups().items():
        out[g] = {}
        for entry in cases:
            code, mode = _case(entry)
            out[g][code] = {"mode": mode, "result": evaluate(tf, g, code, mode)}
    out["_raw_ops"] = _raw_ops_meta(tf)
    os.makedirs(os.path.dirname(GOLDEN_PATH), exist_ok=True)
    with open(GOLDEN_PATH, "w") as fh:
        json.dump(out, fh, indent=1, ensure_ascii=True, sort_keys=True)
    print(f"wrote {sum(len(v) for v in out.values())} cases to {GOLDEN_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
