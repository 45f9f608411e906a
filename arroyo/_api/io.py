"""`tf.io`: TFRecord files, `tf.train.Example` parsing, serialized tensors, files.

    with tf.io.TFRecordWriter("data.tfrecord", options="GZIP") as w:
        w.write(example.SerializeToString())
    ds = tf.data.TFRecordDataset("data.tfrecord", compression_type="GZIP")
    ds = ds.map(lambda r: tf.io.parse_single_example(r, {"x": tf.io.FixedLenFeature([], tf.int64)}))

`parse_example`, `parse_single_example`, `serialize_tensor`, `parse_tensor`, `read_file`
and `write_file` are ops (`ParseExampleV2`, `SerializeTensor`, `ParseTensor`, `ReadFile`,
`WriteFile`), so they also run inside `Dataset.map` and tf.function graphs.
"""

from __future__ import annotations

import collections
import glob as _glob
import gzip
import os
import shutil
import zlib

import numpy as np

from arroyo.data.readers import compression_name, frame_record
from arroyo.framework import dtypes
from arroyo.framework.context import state
from arroyo.framework.errors import InvalidArgumentError, NotFoundError
from arroyo.framework.op_registry import defop, execute
from arroyo.framework.tensor import EagerTensor, Tensor, convert_to_tensor
from arroyo.framework.tensor_shape import TensorShape

__all__ = [
    "TFRecordWriter", "TFRecordOptions", "FixedLenFeature", "VarLenFeature",
    "FixedLenSequenceFeature", "parse_example", "parse_single_example", "serialize_tensor",
    "parse_tensor", "read_file", "write_file", "gfile", "decode_raw", "tf_record_iterator",
]  # fmt: skip


# =====================================================================================
# TFRecord writing
# =====================================================================================


class TFRecordOptions:
    """Options of a TFRecord file: `compression_type` None/'' , 'GZIP' or 'ZLIB'."""

    compression_type_map = {"ZLIB": "ZLIB", "GZIP": "GZIP", "": ""}

    def __init__(self, compression_type=None, flush_mode=None, input_buffer_size=None,
                 output_buffer_size=None, window_bits=None, compression_level=None,
                 compression_method=None, mem_level=None, compression_strategy=None):  # fmt: skip
        self.compression_type = compression_type
        self.compression_level = compression_level

    @classmethod
    def get_compression_type_string(cls, options):
        """'' , 'GZIP' or 'ZLIB' for options given as None, a string or TFRecordOptions."""
        return compression_name(options)


class TFRecordWriter:
    """Writes records (bytes) to a TFRecord file, optionally GZIP/ZLIB compressed.

    The file is written under a temporary name and renamed on `close()` (or at the end
    of a `with` block), so readers never see a half-written file.

    >>> with tf.io.TFRecordWriter("/tmp/x.tfrecord") as w:
    ...     w.write(b"record")
    """

    def __init__(self, path, options=None):
        self._path = os.fspath(path.numpy().decode() if isinstance(path, EagerTensor) else path)
        self._compression = compression_name(options)
        level = getattr(options, "compression_level", None)
        self._tmp = f"{self._path}.tmp{os.getpid()}.{id(self):x}"
        try:
            raw = open(self._tmp, "wb")
        except FileNotFoundError:
            raise NotFoundError(None, None, f"{self._path}; No such file or directory") from None
        self._raw = raw
        self._zlib = None
        if self._compression == "GZIP":
            self._fh = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                     compresslevel=6 if level is None else level)  # fmt: skip
        elif self._compression == "ZLIB":
            self._zlib = zlib.compressobj(-1 if level is None else level)
            self._fh = raw
        else:
            self._fh = raw
        self._closed = False

    def write(self, record):
        """Appends one record (bytes, str, or a scalar string tensor)."""
        if self._closed:
            raise ValueError("TFRecordWriter is closed.")
        if isinstance(record, EagerTensor):
            record = record._value[()] if isinstance(record._value, np.ndarray) else record._value
        if isinstance(record, str):
            record = record.encode()
        data = frame_record(bytes(record))
        if self._zlib is not None:
            data = self._zlib.compress(data)
        self._fh.write(data)

    def flush(self):
        if self._zlib is not None:
            self._fh.write(self._zlib.flush(zlib.Z_SYNC_FLUSH))
        self._fh.flush()

    def close(self):
        """Finishes the file and gives it its final name."""
        if self._closed:
            return
        self._closed = True
        if self._zlib is not None:
            self._raw.write(self._zlib.flush())
        if self._fh is not self._raw:
            self._fh.close()
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._raw.close()
        os.replace(self._tmp, self._path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            if not self._closed:
                self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


def tf_record_iterator(path, options=None):
    """Yields the records of a TFRecord file as bytes (tf.compat.v1.io.tf_record_iterator)."""
    from arroyo.data.readers import read_records

    yield from read_records(os.fspath(path), compression_name(options))


# =====================================================================================
# tf.train.Example parsing
# =====================================================================================


class FixedLenFeature(
    collections.namedtuple("FixedLenFeature", ["shape", "dtype", "default_value"])
):
    """A feature with a fixed number of values per example (parsed to a dense tensor).

    >>> tf.io.FixedLenFeature([3], tf.int64)
    FixedLenFeature(shape=[3], dtype=tf.int64, default_value=None)
    """

    def __new__(cls, shape, dtype, default_value=None):
        return super().__new__(cls, shape, dtype, default_value)


class VarLenFeature(collections.namedtuple("VarLenFeature", ["dtype"])):
    """A feature with any number of values (parsed to a SparseTensor)."""


class FixedLenSequenceFeature(collections.namedtuple(
        "FixedLenSequenceFeature", ["shape", "dtype", "allow_missing", "default_value"])):  # fmt: skip
    """A feature of a variable number of fixed-shape values (parsed to a dense tensor)."""

    def __new__(cls, shape, dtype, allow_missing=False, default_value=None):
        return super().__new__(cls, shape, dtype, allow_missing, default_value)


_KIND = {"float32": "float_list", "int64": "int64_list", "string": "bytes_list"}
_KIND_NAME = {"float_list": "float", "int64_list": "int64", "bytes_list": "string"}
_CPP = {"float32": "float", "int64": "int64", "string": "string"}


def _example_pb2():
    from arroyo.proto import load

    return load("example_pb2")


def _features_of(blob, pb):
    ex = pb.Example()
    try:
        ex.ParseFromString(bytes(blob))
    except Exception:  # noqa: BLE001 - protobuf's DecodeError
        text = bytes(blob)[:40].decode("latin-1")
        text = "".join(c for c in text if c.isprintable())
        raise InvalidArgumentError(
            None, None, f"Could not parse example input, value: '{text}' [Op:ParseExampleV2]"
        ) from None
    return ex.features.feature


def _values(feature, key, dtype):
    kind = feature.WhichOneof("kind")
    if kind is None:
        return None
    want = _KIND[dtype.name]
    if kind != want:
        raise InvalidArgumentError(
            None, None,
            f"Key: {key}.  Data types don't match. Data type: {_KIND_NAME[kind]} but expected "
            f"type: {_CPP[dtype.name]} [Op:ParseExampleV2]",
        )  # fmt: skip
    return list(getattr(feature, kind).value)


def _parse_kernel(serialized, names, sparse_keys, dense_keys, ragged_keys, *dense_defaults,
                  Tdense, num_sparse, sparse_types, ragged_value_types, ragged_split_types,
                  dense_shapes):  # fmt: skip
    pb = _example_pb2()
    ser = np.asarray(serialized, dtype=object)
    scalar = ser.ndim == 0
    blobs = [ser[()]] if scalar else list(ser.reshape(-1))
    feats = [_features_of(b, pb) for b in blobs]
    skeys = [k.decode() if isinstance(k, bytes) else k for k in np.ravel(sparse_keys)]
    dkeys = [k.decode() if isinstance(k, bytes) else k for k in np.ravel(dense_keys)]
    out_idx, out_val, out_shape = [], [], []
    for key, dt in zip(skeys, sparse_types):
        rows, vals, longest = [], [], 0
        for b, f in enumerate(feats):
            v = _values(f[key], key, dt) if key in f else None
            v = v or []
            longest = max(longest, len(v))
            rows.extend((b, j) for j in range(len(v)))
            vals.extend(v)
        idx = np.asarray(rows, dtype=np.int64).reshape(-1, 2)
        if scalar:
            idx = idx[:, 1:]
        out_idx.append(idx)
        out_val.append(_typed(vals, dt))
        shape = [longest] if scalar else [len(feats), longest]
        out_shape.append(np.asarray(shape, dtype=np.int64))
    dense = []
    for key, dt, shape, default in zip(dkeys, Tdense, dense_shapes, dense_defaults):
        shape = TensorShape(shape).as_list()
        n = int(np.prod(shape, dtype=np.int64)) if shape else 1
        rows = []
        for f in feats:
            v = _values(f[key], key, dt) if key in f else None
            if v is None:
                d = np.asarray(default)
                if d.size == 0 and n != 0:
                    raise InvalidArgumentError(
                        None, None,
                        f"Feature: {key} (data type: {_CPP[dt.name]}) is required but could not "
                        "be found. [Op:ParseExampleV2]",
                    )  # fmt: skip
                rows.append(np.broadcast_to(_typed(d.reshape(-1).tolist(), dt), (n,)))
                continue
            if len(v) != n:
                raise InvalidArgumentError(
                    None, None,
                    f"Key: {key}.  Can't parse serialized Example: Number of values {len(v)} != "
                    f"expected {n} for shape {shape}. [Op:ParseExampleV2]",
                )  # fmt: skip
            rows.append(_typed(v, dt))
        arr = np.stack(rows) if rows else np.zeros((0, n), dtype=_np(dt))
        dense.append(arr.reshape(shape if scalar else [len(feats)] + shape))
    return out_idx + out_val + out_shape + dense


def _np(dt):
    return object if dt is dtypes.string else dt._np


def _typed(vals, dt):
    if dt is dtypes.string:
        arr = np.empty(len(vals), dtype=object)
        arr[:] = [bytes(v) for v in vals]
        return arr
    return np.asarray(vals, dtype=_np(dt)).reshape(-1)


def _parse_infer(inputs, attrs):
    scalar = inputs[0].shape.rank == 0
    b = [] if scalar else [inputs[0].shape[0] if inputs[0].shape.rank else None]
    ns = attrs["num_sparse"]
    out = [(dtypes.int64, TensorShape([None, 1 if scalar else 2])) for _ in range(ns)]
    out += [(t, TensorShape([None])) for t in attrs["sparse_types"]]
    out += [(dtypes.int64, TensorShape([1 if scalar else 2])) for _ in range(ns)]
    out += [(t, TensorShape(b + TensorShape(s).as_list()))
            for t, s in zip(attrs["Tdense"], attrs["dense_shapes"])]  # fmt: skip
    return out


PARSE_EXAMPLE = defop(
    "ParseExampleV2", ("serialized", "names", "sparse_keys", "dense_keys", "ragged_keys",
                       "*dense_defaults"), _parse_kernel,
    attrs={"Tdense": [], "num_sparse": 0, "sparse_types": [], "ragged_value_types": [],
           "ragged_split_types": [], "dense_shapes": []},
    infer=_parse_infer, num_outputs=lambda a: 3 * a["num_sparse"] + len(a["Tdense"]),
    differentiable=False,
)  # fmt: skip


def _string_tensor(values):
    arr = np.empty(len(values), dtype=object)
    arr[:] = [v.encode() for v in values]
    return convert_to_tensor(arr) if values else EagerTensor_of_empty()


def EagerTensor_of_empty():  # noqa: N802 - a constant maker
    return convert_to_tensor(np.zeros(0, dtype=object), dtype=dtypes.string)


def _parse(serialized, features, names=None):
    if not features:
        raise ValueError("Must provide at least one feature key.")
    serialized = convert_to_tensor(serialized, dtype=dtypes.string)
    sparse, dense = [], []
    for key in sorted(features):
        f = features[key]
        if isinstance(f, VarLenFeature):
            sparse.append((key, dtypes.as_dtype(f.dtype)))
        elif isinstance(f, FixedLenFeature):
            dense.append((key, f))
        else:
            raise ValueError(f"Unsupported feature type for key {key!r}: {type(f).__name__}")
    for key, dt in sparse + [(k, f.dtype) for k, f in dense]:
        if dtypes.as_dtype(dt).name not in _KIND:
            raise ValueError(f"Invalid dtype {dtypes.as_dtype(dt)!r} for feature {key!r}; "
                             "expected float32, int64 or string.")  # fmt: skip
    defaults = []
    for _key, f in dense:
        dt = dtypes.as_dtype(f.dtype)
        if f.default_value is None:
            defaults.append(convert_to_tensor(np.zeros(0, dtype=_np(dt)), dtype=dt))
        else:
            d = convert_to_tensor(f.default_value, dtype=dt)
            defaults.append(d)
    names_t = EagerTensor_of_empty() if names is None else convert_to_tensor(names, dtypes.string)
    attrs = {
        "Tdense": [dtypes.as_dtype(f.dtype) for _, f in dense], "num_sparse": len(sparse),
        "sparse_types": [dt for _, dt in sparse], "ragged_value_types": [],
        "ragged_split_types": [], "dense_shapes": [TensorShape(f.shape) for _, f in dense],
    }  # fmt: skip
    inputs = (serialized, names_t, _string_tensor([k for k, _ in sparse]),
              _string_tensor([k for k, _ in dense]), EagerTensor_of_empty(), *defaults)  # fmt: skip
    outs = execute(PARSE_EXAMPLE, inputs, attrs)
    outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
    ns = len(sparse)
    result = {}
    if ns:
        from arroyo.sparse.sparse_tensor import SparseTensor

        for i, (key, _) in enumerate(sparse):
            result[key] = SparseTensor(outs[i], outs[ns + i], outs[2 * ns + i])
    for j, (key, _) in enumerate(dense):
        result[key] = outs[3 * ns + j]
    return result


def parse_single_example(serialized, features, example_names=None, name=None):
    """Parses one serialized `tf.train.Example` (a scalar string) into a dict of tensors.

    >>> ex = tf.train.Example(features=tf.train.Features(feature={
    ...     "x": tf.train.Feature(int64_list=tf.train.Int64List(value=[7]))}))
    >>> tf.io.parse_single_example(ex.SerializeToString(),
    ...                            {"x": tf.io.FixedLenFeature([], tf.int64)})["x"].numpy()
    np.int64(7)
    """
    s = convert_to_tensor(serialized, dtype=dtypes.string)
    if s.shape.rank not in (None, 0):
        raise ValueError(f"Input serialized must be a scalar, got shape {s.shape}")
    return _parse(s, features, example_names)


def parse_example(serialized, features, example_names=None, name=None):
    """Parses a batch (vector) of serialized Examples: dense features get a batch dim, and
    `VarLenFeature`s become SparseTensors with [batch, max_len] dense shape."""
    s = convert_to_tensor(serialized, dtype=dtypes.string)
    return _parse(s, features, example_names)


# =====================================================================================
# Serialized tensors, files
# =====================================================================================


def _serialize_kernel(tensor, T):
    from arroyo.saved_model.tensor_proto import pb, shape_proto

    proto = pb().TensorProto()
    proto.dtype = T.as_datatype_enum
    proto.tensor_shape.SetInParent()  # TF writes the (possibly empty) shape message
    arr = np.asarray(tensor) if T is not dtypes.string else np.asarray(tensor, dtype=object)
    shape_proto(arr.shape, proto.tensor_shape)
    if T is dtypes.string:
        proto.string_val.extend(v if isinstance(v, bytes) else str(v).encode()
                                for v in arr.reshape(-1))  # fmt: skip
    else:
        proto.tensor_content = np.ascontiguousarray(arr).astype(
            arr.dtype.newbyteorder("<"), copy=False).tobytes()  # fmt: skip
    return np.array(proto.SerializeToString(), dtype=object)


def _parse_tensor_kernel(serialized, out_type):
    from arroyo.saved_model.tensor_proto import pb, tensor_from_proto

    proto = pb().TensorProto()
    try:
        proto.ParseFromString(bytes(np.asarray(serialized, dtype=object)[()]))
    except Exception:  # noqa: BLE001 - protobuf's DecodeError
        raise InvalidArgumentError(
            None, None, "Could not parse `serialized` as TensorProto: ... [Op:ParseTensor]"
        ) from None
    got = dtypes.as_dtype(int(proto.dtype))
    if got is not out_type:
        raise InvalidArgumentError(
            None, None,
            f"Type mismatch between parsed tensor ({_cpp(got)}) and dtype ({_cpp(out_type)}) "
            "[Op:ParseTensor]",
        )  # fmt: skip
    return tensor_from_proto(proto)


def _cpp(dt):
    from arroyo.framework.op_registry import dtype_name

    return dtype_name(dt)


SERIALIZE_TENSOR = defop(
    "SerializeTensor", ("tensor",), _serialize_kernel, attrs={"T": None},
    infer=lambda inputs, attrs: [(dtypes.string, TensorShape([]))], differentiable=False,
)  # fmt: skip
PARSE_TENSOR = defop(
    "ParseTensor", ("serialized",), _parse_tensor_kernel, attrs={"out_type": None},
    infer=lambda inputs, attrs: [(attrs["out_type"], TensorShape(None))], differentiable=False,
)  # fmt: skip


def serialize_tensor(tensor, name=None):
    """A scalar string: the TensorProto of `tensor` (what `parse_tensor` reads back).

    >>> tf.io.parse_tensor(tf.io.serialize_tensor([1., 2.]), tf.float32).numpy()
    array([1., 2.], dtype=float32)
    """
    t = convert_to_tensor(tensor)
    return execute(SERIALIZE_TENSOR, (t,), {"T": t.dtype})


def parse_tensor(serialized, out_type, name=None):
    """The tensor stored in a serialized TensorProto; `out_type` must match its dtype."""
    s = convert_to_tensor(serialized, dtype=dtypes.string)
    return execute(PARSE_TENSOR, (s,), {"out_type": dtypes.as_dtype(out_type)})


def _path(x):
    v = np.asarray(x, dtype=object)[()] if not isinstance(x, (bytes, str)) else x
    return os.fsdecode(v)


def _read_file_kernel(filename):
    p = _path(filename)
    try:
        with open(p, "rb") as fh:
            return np.array(fh.read(), dtype=object)
    except FileNotFoundError:
        raise NotFoundError(None, None, f"{p}; No such file or directory [Op:ReadFile]") from None
    except IsADirectoryError:
        raise InvalidArgumentError(None, None, f"{p}; Is a directory [Op:ReadFile]") from None


def _write_file_kernel(filename, contents):
    p = _path(filename)
    data = np.asarray(contents, dtype=object)[()]
    d = os.path.dirname(p)
    if d:
        os.makedirs(d, exist_ok=True)
    tmp = f"{p}.tmp{os.getpid()}"
    with open(tmp, "wb") as fh:
        fh.write(data if isinstance(data, bytes) else str(data).encode())
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, p)
    return []


READ_FILE = defop(
    "ReadFile", ("filename",), _read_file_kernel, stateful=True, differentiable=False,
    infer=lambda inputs, attrs: [(dtypes.string, TensorShape([]))],
)  # fmt: skip
WRITE_FILE = defop(
    "WriteFile", ("filename", "contents"), _write_file_kernel, stateful=True,
    differentiable=False, num_outputs=0, infer=lambda inputs, attrs: [],
)  # fmt: skip


def read_file(filename, name=None):
    """The whole contents of a file as a scalar string tensor."""
    return execute(READ_FILE, (convert_to_tensor(filename, dtype=dtypes.string),), {})


def write_file(filename, contents, name=None):
    """Writes `contents` (a scalar string) to `filename` (via a temporary file + rename)."""
    f = convert_to_tensor(filename, dtype=dtypes.string)
    c = convert_to_tensor(contents, dtype=dtypes.string)
    out = execute(WRITE_FILE, (f, c), {})
    return None if state.graph is None else out


def decode_raw(input_bytes, out_type, little_endian=True, fixed_length=None, name=None):
    """Reinterprets the bytes of each string as a vector of `out_type` numbers."""
    out_type = dtypes.as_dtype(out_type)
    t = convert_to_tensor(input_bytes, dtype=dtypes.string)
    if not isinstance(t, EagerTensor):
        raise NotImplementedError("decode_raw runs eagerly in arroyo")
    arr = np.asarray(t._value, dtype=object)
    npd = np.dtype(out_type._np).newbyteorder("<" if little_endian else ">")
    rows = [np.frombuffer(bytes(b), dtype=npd).astype(out_type._np) for b in arr.reshape(-1)]
    if not rows:
        return convert_to_tensor(np.zeros(arr.shape + (0,), out_type._np))
    n = len(rows[0])
    for r in rows:
        if len(r) != n:
            raise InvalidArgumentError(
                None, None, "DecodeRaw requires input strings to all be the same size, but "
                f"element 1 has size {len(r) * npd.itemsize} != {n * npd.itemsize}"
            )  # fmt: skip
    return convert_to_tensor(np.stack(rows).reshape(arr.shape + (n,)))


# =====================================================================================
# tf.io.gfile
# =====================================================================================


class _GFileModule:
    """`tf.io.gfile` on the local file system."""

    @staticmethod
    def exists(path):
        return os.path.exists(os.fspath(path))

    @staticmethod
    def isdir(path):
        return os.path.isdir(os.fspath(path))

    @staticmethod
    def makedirs(path):
        os.makedirs(os.fspath(path), exist_ok=True)

    @staticmethod
    def mkdir(path):
        os.mkdir(os.fspath(path))

    @staticmethod
    def listdir(path):
        p = os.fspath(path)
        if not os.path.isdir(p):
            raise NotFoundError(None, None, f"Could not find directory {p}")
        return sorted(os.listdir(p))

    @staticmethod
    def glob(pattern):
        pats = [pattern] if isinstance(pattern, (str, bytes, os.PathLike)) else list(pattern)
        return sorted({f for p in pats for f in _glob.glob(os.fsdecode(p))})

    @staticmethod
    def remove(path):
        p = os.fspath(path)
        if not os.path.exists(p):
            raise NotFoundError(None, None, f"{p}; No such file or directory")
        os.remove(p)

    @staticmethod
    def rmtree(path):
        shutil.rmtree(os.fspath(path))

    @staticmethod
    def rename(src, dst, overwrite=False):
        if not overwrite and os.path.exists(os.fspath(dst)):
            from arroyo.framework.errors import AlreadyExistsError

            raise AlreadyExistsError(None, None, f"file already exists: {dst}")
        os.replace(os.fspath(src), os.fspath(dst))

    @staticmethod
    def copy(src, dst, overwrite=False):
        if not overwrite and os.path.exists(os.fspath(dst)):
            from arroyo.framework.errors import AlreadyExistsError

            raise AlreadyExistsError(None, None, f"file already exists: {dst}")
        shutil.copyfile(os.fspath(src), os.fspath(dst))

    @staticmethod
    def walk(top, topdown=True, onerror=None):
        yield from os.walk(os.fspath(top), topdown=topdown, onerror=onerror)

    @staticmethod
    def stat(path):
        st_ = os.stat(os.fspath(path))
        return collections.namedtuple("FileStatistics", ["length", "mtime_nsec", "is_directory"])(
            st_.st_size, st_.st_mtime_ns, os.path.isdir(os.fspath(path)))  # fmt: skip

    class GFile:
        """A file object (`open` semantics; 'r' reads text, 'rb' bytes)."""

        def __init__(self, name, mode="r"):
            try:
                self._fh = open(os.fspath(name), mode)
            except FileNotFoundError:
                raise NotFoundError(None, None, f"{name}; No such file or directory") from None

        def __getattr__(self, item):
            return getattr(self._fh, item)

        def __iter__(self):
            return iter(self._fh)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._fh.close()

        def size(self):
            return os.fstat(self._fh.fileno()).st_size

    Open = GFile


gfile = _GFileModule()
gfile.GFile = _GFileModule.GFile

_ = Tensor
