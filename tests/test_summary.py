"""tf.summary: event files compared with TF 2.21's (tests/data/summary, made by
tools/make_summary_fixtures.py), the record format, writers, summaries in tf.function."""

from __future__ import annotations

import glob
import os
import re
import struct
import zlib

import numpy as np
import pytest

import arroyo as tf
from arroyo.framework import errors
from arroyo.summary import _events, _ops

pytest.importorskip("google.protobuf")

DATA = os.path.join(os.path.dirname(__file__), "data", "summary")
INPUTS = np.load(os.path.join(DATA, "inputs.npz"))


def tf_events(case):
    return list(
        tf.compat.v1.train.summary_iterator(
            os.path.join(DATA, case, "events.out.tfevents.tf221.v2")
        )
    )


def event_file(logdir):
    files = glob.glob(os.path.join(str(logdir), "events.out.tfevents.*"))
    assert len(files) == 1, files
    return files[0]


def our_events(logdir):
    return list(tf.compat.v1.train.summary_iterator(event_file(logdir)))


def summaries(events):
    """(step, serialized Summary) of each summary event: everything but the wall time."""
    return [(e.step, e.summary.SerializeToString()) for e in events if e.HasField("summary")]


# -- the same summaries as TF's fixtures -------------------------------------------------------


def test_first_event_is_file_version_like_tf(tmp_path):
    w = tf.summary.create_file_writer(str(tmp_path))
    ours = our_events(tmp_path)[0]
    theirs = tf_events("scalars")[0]
    assert ours.file_version == theirs.file_version == "brain.Event:2"
    assert ours.source_metadata.writer == theirs.source_metadata.writer
    assert ours.wall_time == int(ours.wall_time)  # whole seconds, as TF
    w.close()


def test_scalars_match_tf(tmp_path):
    with tf.summary.create_file_writer(str(tmp_path)).as_default():
        for i, v in enumerate(INPUTS["scalars"]):
            assert bool(tf.summary.scalar("loss", v, step=i))
        tf.summary.scalar("int_value", 7, step=10)
        tf.summary.scalar("double_value", np.float64(2.5), step=11)
        with tf.name_scope("outer"):
            tf.summary.scalar("inner", 1.0, step=12)
    assert summaries(our_events(tmp_path)) == summaries(tf_events("scalars"))


def test_function_writes_every_call_in_order(tmp_path):
    step = tf.Variable(0, dtype=tf.int64)
    w = tf.summary.create_file_writer(str(tmp_path))

    @tf.function
    def train(x):
        with w.as_default(step=step):
            tf.summary.scalar("x", x)
            tf.summary.scalar("x2", x * x)
            step.assign_add(1)

    for v in (1.0, 2.0, 3.0):
        train(tf.constant(v))
    # as_default's exit flushes inside the function too: no explicit flush needed
    assert summaries(our_events(tmp_path)) == summaries(tf_events("function"))
    assert train.experimental_get_tracing_count() == 1
    types = [op.type for op in train.get_concrete_function(tf.constant(1.0)).graph.get_operations()]
    assert types.count("WriteSummary") == 2 and "FlushSummaryWriter" in types


def test_histograms_match_tf(tmp_path):
    with tf.summary.create_file_writer(str(tmp_path)).as_default():
        tf.summary.histogram("normal", INPUTS["hist_normal"], step=0)
        tf.summary.histogram("normal5", INPUTS["hist_normal"], step=1, buckets=5)
        tf.summary.histogram("ints", INPUTS["hist_ints"], step=2, buckets=4)
        tf.summary.histogram("single", [2.0, 2.0, 2.0], step=3, buckets=3)
        tf.summary.histogram("empty", np.zeros([0], np.float32), step=4, buckets=3)
    ours, theirs = our_events(tmp_path)[1:], tf_events("histogram")[1:]
    assert len(ours) == len(theirs) == 5
    for a, b in zip(ours, theirs):
        va, vb = a.summary.value[0], b.summary.value[0]
        assert (a.step, va.tag, va.metadata) == (b.step, vb.tag, vb.metadata)
        assert va.tensor.tensor_shape == vb.tensor.tensor_shape
        x = np.frombuffer(va.tensor.tensor_content, np.float64)
        y = np.frombuffer(vb.tensor.tensor_content, np.float64)
        np.testing.assert_allclose(x, y, rtol=1e-15, atol=0)
        assert x.reshape(-1, 3)[:, 2].sum() == y.reshape(-1, 3)[:, 2].sum()


def test_histogram_in_function_matches_eager(tmp_path):
    data = INPUTS["hist_normal"]
    w = tf.summary.create_file_writer(str(tmp_path))

    @tf.function
    def f(x):
        with w.as_default():
            tf.summary.histogram("h", x, step=0)

    f(tf.constant(data))
    f(tf.constant(np.full(4, 3.0, np.float32)))  # one value: the other branch, same graph
    with w.as_default():
        tf.summary.histogram("h", data, step=0)
    w.flush()
    ev = our_events(tmp_path)[1:]
    assert ev[0].summary == ev[2].summary
    single = np.frombuffer(ev[1].summary.value[0].tensor.tensor_content, np.float64).reshape(-1, 3)
    assert single.shape == (30, 3) and single[-1].tolist() == [3.0, 3.0, 4.0]
    assert single[:-1, 2].sum() == 0


def _png_pixels(png: bytes):
    """A minimal PNG reader for the filter types TF's and arroyo's encoders use."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, ihdr = 8, b"", None
    while pos < len(png):
        (n,) = struct.unpack(">I", png[pos : pos + 4])
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + n]
        assert struct.unpack(">I", png[pos + 8 + n : pos + 12 + n])[0] == zlib.crc32(kind + body)
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, color = ihdr[:4]
    c = {0: 1, 4: 2, 2: 3, 6: 4}[color]
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, w * c + 1)
    rows = np.zeros((h, w * c), np.int32)
    for y in range(h):  # undo the per-row filters (None, Sub, Up, Average, Paeth)
        f, line = raw[y, 0], raw[y, 1:].astype(np.int32)
        prev = rows[y - 1] if y else np.zeros(w * c, np.int32)
        out = np.zeros(w * c, np.int32)
        for x in range(w * c):
            a = out[x - c] if x >= c else 0
            b = prev[x]
            cc = prev[x - c] if x >= c else 0
            pred = [0, a, b, (a + b) // 2, _paeth(a, b, cc)][f]
            out[x] = (line[x] + pred) & 0xFF
        rows[y] = out
    return rows.reshape(h, w, c).astype(np.uint8)


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def test_images_match_tf(tmp_path):
    with tf.summary.create_file_writer(str(tmp_path)).as_default():
        tf.summary.image("uint8", INPUTS["image_uint8"], step=0)
        tf.summary.image("float", INPUTS["image_float"], step=1, max_outputs=2)
        tf.summary.image("rgba", INPUTS["image_rgba"], step=2)
    ours, theirs = our_events(tmp_path)[1:], tf_events("image")[1:]
    assert len(ours) == len(theirs) == 3
    for a, b in zip(ours, theirs):
        va, vb = a.summary.value[0], b.summary.value[0]
        assert (a.step, va.tag, va.metadata) == (b.step, vb.tag, vb.metadata)
        assert va.tensor.tensor_shape == vb.tensor.tensor_shape
        assert va.tensor.string_val[:2] == vb.tensor.string_val[:2]  # width, height
        for pa, pb in zip(va.tensor.string_val[2:], vb.tensor.string_val[2:]):
            np.testing.assert_array_equal(_png_pixels(pa), _png_pixels(pb))
    np.testing.assert_array_equal(
        _png_pixels(ours[0].summary.value[0].tensor.string_val[2]), INPUTS["image_uint8"][0]
    )


def test_encode_png_round_trip():
    rng = np.random.default_rng(0)
    for c in (1, 2, 3, 4):
        img = rng.integers(0, 256, size=(2, 3, 5, c)).astype(np.uint8)
        out = tf.raw_ops.EncodePng(image=tf.constant(img))
        assert out.dtype == tf.string and out.shape == (2,)
        for i in range(2):
            np.testing.assert_array_equal(_png_pixels(out.numpy()[i]), img[i])
    with pytest.raises(errors.InvalidArgumentError, match="channels"):
        tf.raw_ops.EncodePng(image=tf.zeros([2, 2, 5], tf.uint8))


def test_text_matches_tf(tmp_path):
    with tf.summary.create_file_writer(str(tmp_path)).as_default():
        tf.summary.text("greeting", "hello world!", step=0)
        tf.summary.text("table", [["a", "b"], ["ç", "d"]], step=1)
    assert summaries(our_events(tmp_path)) == summaries(tf_events("text"))


def test_write_matches_tf(tmp_path):
    with tf.summary.create_file_writer(str(tmp_path)).as_default():
        tf.summary.write("raw", INPUTS["write_tensor"], step=5)
        tf.summary.write("raw_meta", tf.constant([1, 2], tf.int64), step=6, metadata=b"")
    assert summaries(our_events(tmp_path)) == summaries(tf_events("write"))


def test_audio_matches_tf(tmp_path):
    with tf.summary.create_file_writer(str(tmp_path)).as_default():
        tf.summary.audio("tone", INPUTS["audio"], 8000, step=0)
    assert summaries(our_events(tmp_path)) == summaries(tf_events("audio"))


# -- graph traces ------------------------------------------------------------------------------


def _run_metadata(event):
    from arroyo.proto import load

    v = event.summary.value[0]
    return v, load("summary_pb2").RunMetadata.FromString(v.tensor.string_val[0])


def test_tf_trace_fixture_reads():
    ev = [e for e in tf_events("trace") if e.HasField("summary")]
    v, rm = _run_metadata(ev[0])
    assert v.tag == "my_trace" and v.metadata.plugin_data.plugin_name == "graph_run_metadata_graph"
    ops = {n.op for fg in rm.function_graphs for n in fg.pre_optimization_graph.node}
    assert {"MatMul", "AddV2", "Relu", "_Arg", "_Retval"} <= ops


def test_trace_export_writes_function_graph(tmp_path):
    @tf.function
    def f(x, y):
        return tf.nn.relu(tf.matmul(x, y) + 1.0)

    w = tf.summary.create_file_writer(str(tmp_path))
    tf.summary.trace_on(graph=True, profiler=False)
    f(tf.ones([2, 2]), tf.ones([2, 2]))
    with w.as_default():
        tf.summary.trace_export("my_trace", step=0)
    w.flush()
    ev = [e for e in our_events(tmp_path) if e.HasField("summary")]
    assert len(ev) == 1
    v, rm = _run_metadata(ev[0])
    theirs, _ = _run_metadata([e for e in tf_events("trace") if e.HasField("summary")][0])
    assert (v.tag, v.metadata, v.tensor.dtype) == (theirs.tag, theirs.metadata, theirs.tensor.dtype)
    assert len(rm.function_graphs) == 1
    pre = rm.function_graphs[0].pre_optimization_graph
    by_op = {n.op: n for n in pre.node}
    assert [n.name for n in pre.node if n.op == "_Arg"] == ["x", "y"]
    assert {"MatMul", "AddV2", "Relu", "_Retval"} <= set(by_op)
    assert by_op["MatMul"].input == ["x", "y"]
    assert by_op["MatMul"].attr["T"].type == tf.float32.as_datatype_enum
    assert len(rm.function_graphs[0].partition_graphs) == 1
    # the trace is over: later calls are not collected, export needs trace_on again
    with pytest.raises(ValueError, match="Must enable trace before export"):
        with w.as_default():
            tf.summary.trace_export("again", step=1)


def test_trace_on_collects_each_function_once_and_off_discards(tmp_path):
    from arroyo.graph.function import ConcreteFunction

    fast = ConcreteFunction._call_fast

    @tf.function
    def g(x):
        return x * 2

    tf.summary.trace_on()
    assert ConcreteFunction._call_fast is not fast  # the call hook is in while tracing
    for _ in range(3):
        g(tf.constant(1.0))
    tf.summary.trace_off()
    assert ConcreteFunction._call_fast is fast  # ... and out after
    tf.summary.trace_off()  # twice is fine


def test_graph_summary(tmp_path):
    @tf.function
    def f(x):
        return x + 1

    cf = f.get_concrete_function(tf.constant(1.0))
    w = tf.summary.create_file_writer(str(tmp_path))
    assert not bool(tf.summary.graph(cf.graph))  # no default writer
    with w.as_default():
        assert bool(tf.summary.graph(cf.graph))
    ev = our_events(tmp_path)[1]
    from arroyo.proto import load

    gd = load("graph_pb2").GraphDef.FromString(ev.graph_def)
    assert "AddV2" in {n.op for n in gd.node} and ev.step == 0
    with pytest.raises(ValueError, match="not tf.Graph"):
        with w.as_default():
            tf.summary.graph(3)


# -- the record format and reading ---------------------------------------------------------------


def test_record_framing_and_crc():
    data = b"hello event"
    rec = _events.frame(data)
    assert struct.unpack("<Q", rec[:8])[0] == len(data)
    from arroyo.train import crc32c

    assert struct.unpack("<I", rec[8:12])[0] == crc32c.mask(crc32c.value(rec[:8]))
    assert rec[12:-4] == data
    assert struct.unpack("<I", rec[-4:])[0] == crc32c.mask(crc32c.value(data))


def test_corrupt_record_raises_data_loss_naming_file(tmp_path):
    src = os.path.join(DATA, "scalars", "events.out.tfevents.tf221.v2")
    blob = bytearray(open(src, "rb").read())
    bad = tmp_path / "events.out.tfevents.bad"
    blob[len(blob) // 2] ^= 0xFF
    bad.write_bytes(bytes(blob))
    with pytest.raises(errors.DataLossError, match=re.escape(str(bad))):
        list(tf.compat.v1.train.summary_iterator(str(bad)))
    cut = tmp_path / "events.out.tfevents.cut"
    cut.write_bytes(open(src, "rb").read()[:-3])
    with pytest.raises(errors.DataLossError, match="truncated record"):
        list(tf.compat.v1.train.summary_iterator(str(cut)))


def test_event_file_name_and_suffix(tmp_path):
    w = tf.summary.create_file_writer(str(tmp_path / "a" / "b"))
    name = os.path.basename(event_file(tmp_path / "a" / "b"))
    host = re.escape(__import__("socket").gethostname())
    assert re.fullmatch(rf"events\.out\.tfevents\.\d{{10}}\.{host}\.{os.getpid()}\.\d+\.v2", name)
    w2 = tf.summary.create_file_writer(str(tmp_path / "c"), filename_suffix=".xyz")
    n2 = os.path.basename(event_file(tmp_path / "c"))
    assert n2.endswith(".xyz")
    assert int(n2.split(".")[-2]) > int(name.split(".")[-2])  # one counter per process
    w.close()
    w2.close()


def test_queue_flushes_after_max_queue(tmp_path):
    w = tf.summary.create_file_writer(str(tmp_path), max_queue=3)
    with w.as_default(step=1):
        for i in range(3):
            tf.summary.scalar("q", float(i))
        assert len(list(tf.compat.v1.train.summary_iterator(event_file(tmp_path)))) == 1
        tf.summary.scalar("q", 3.0)  # more than max_queue waiting: written
        assert len(our_events(tmp_path)) == 5
        tf.summary.scalar("q", 4.0)
    assert len(our_events(tmp_path)) == 6  # as_default's exit flushed


# -- API behaviour ------------------------------------------------------------------------------


def test_return_values_and_errors(tmp_path):
    assert tf.summary.scalar("a", 1.0, step=0).numpy() is np.False_  # no writer
    w = tf.summary.create_file_writer(str(tmp_path))
    with w.as_default() as entered:
        assert entered is w
        r = tf.summary.scalar("a", 1.0, step=0)
        assert r.dtype == tf.bool and bool(r)
        with pytest.raises(ValueError, match=r"No step set\. Please specify one"):
            tf.summary.scalar("a", 1.0)
        with pytest.raises(ValueError, match=re.escape("Expected scalar shape, saw shape: (2,).")):
            tf.summary.scalar("a", [1.0, 2.0], step=1)
        with pytest.raises(ValueError, match=re.escape("Received step with shape (2,).")):
            tf.summary.scalar("a", 1.0, step=[1, 2])
        with pytest.raises(TypeError, match="tensor must be of type tf.string; got tf.float32"):
            tf.summary.text("a", 1.0, step=1)
        with pytest.raises(ValueError, match="must have rank 4.  Received rank 3"):
            tf.summary.image("a", tf.zeros([2, 2, 3]), step=1)
    with pytest.raises(ValueError, match="`logdir` cannot be None"):
        tf.summary.create_file_writer(None)
    with pytest.raises(TypeError, match="logdir must be a string"):
        tf.summary.create_file_writer(tf.constant(1.0))

    @tf.function
    def make(d):
        return tf.summary.create_file_writer(d)

    with pytest.raises(ValueError, match="Invalid graph Tensor argument 'logdir="):
        make(tf.constant("dir"))


def test_step_default_and_variable(tmp_path):
    w = tf.summary.create_file_writer(str(tmp_path))
    assert tf.summary.experimental.get_step() is None
    step = tf.Variable(5, dtype=tf.int64)
    tf.summary.experimental.set_step(step)
    try:
        assert tf.summary.experimental.get_step() is step
        with w.as_default():
            tf.summary.scalar("s", 1.0)
            step.assign(9)
            tf.summary.scalar("s", 1.0)
            with w.as_default(step=2):
                tf.summary.scalar("s", 1.0)
            tf.summary.scalar("s", 1.0, step=tf.constant(3))  # int32 step is cast
    finally:
        tf.summary.experimental.set_step(None)
    assert [e.step for e in our_events(tmp_path)[1:]] == [5, 9, 2, 3]


def test_record_if_and_should_record(tmp_path):
    assert not bool(tf.summary.should_record_summaries())
    w = tf.summary.create_file_writer(str(tmp_path))
    with w.as_default(step=0):
        assert bool(tf.summary.should_record_summaries())
        with tf.summary.record_if(False):
            assert not bool(tf.summary.should_record_summaries())
            assert not bool(tf.summary.scalar("no", 1.0))
        with tf.summary.record_if(lambda: tf.constant(True)):
            assert bool(tf.summary.scalar("yes", 1.0))
        with tf.summary.record_if(tf.constant(False)):
            assert not bool(tf.summary.scalar("no", 1.0))
    assert [e.summary.value[0].tag for e in our_events(tmp_path)[1:]] == ["yes"]


def test_record_if_callable_in_function(tmp_path):
    w = tf.summary.create_file_writer(str(tmp_path))
    step = tf.Variable(0, dtype=tf.int64)

    @tf.function
    def f(x):
        with w.as_default(step=step), tf.summary.record_if(lambda: tf.equal(step % 2, 0)):
            r = tf.summary.scalar("every_other", x)
        step.assign_add(1)
        return r

    got = [bool(f(tf.constant(float(i)))) for i in range(5)]
    assert got == [True, False, True, False, True]
    ev = our_events(tmp_path)[1:]
    assert [(e.step, np.frombuffer(e.summary.value[0].tensor.tensor_content, np.float32)[0])
            for e in ev] == [(0, 0.0), (2, 2.0), (4, 4.0)]  # fmt: skip


def test_noop_writer_and_flush():
    n = tf.summary.create_noop_writer()
    with n.as_default():
        assert not bool(tf.summary.scalar("a", 1.0, step=1))
    assert n.flush() is None and n.close() is None
    assert tf.summary.flush() is None
    with pytest.raises(ValueError, match="Invalid argument to flush"):
        tf.summary.flush(3)
    assert isinstance(n, tf.summary.SummaryWriter)


def test_closed_writer(tmp_path):
    w = tf.summary.create_file_writer(str(tmp_path))
    with w.as_default():
        tf.summary.scalar("a", 1.0, step=1)
    w.close()
    assert len(our_events(tmp_path)) == 2
    with pytest.raises(RuntimeError, match="is already closed"):
        w.as_default()
    assert w.flush() is None and w.close() is None


def test_close_in_function_and_not_found(tmp_path):
    w = tf.summary.create_file_writer(str(tmp_path))

    @tf.function
    def f():
        with w.as_default(step=0):
            tf.summary.scalar("a", 1.0)
        w.close()

    f()
    assert len(our_events(tmp_path)) == 2
    with pytest.raises(errors.NotFoundError, match="does not exist"):
        f()


def test_set_as_default(tmp_path):
    from arroyo import summary

    w = tf.summary.create_file_writer(str(tmp_path))
    try:
        w.set_as_default(step=4)
        tf.summary.scalar("d", 2.0)
    finally:
        summary._state.writer = None
        summary._state.step = None
    w.flush()
    assert our_events(tmp_path)[1].step == 4


def test_write_raw_pb(tmp_path):
    from arroyo.proto import load

    pb = load("summary_pb2")
    s = pb.Summary(value=[pb.Summary.Value(tag="raw", simple_value=1.5)])
    with tf.summary.create_file_writer(str(tmp_path)).as_default():
        assert bool(tf.summary.experimental.write_raw_pb(s.SerializeToString(), step=7))
    e = our_events(tmp_path)[1]
    assert e.step == 7 and e.summary == s


def test_raw_write_scalar_summary(tmp_path):
    from arroyo.framework.op_registry import execute

    w = tf.summary.create_file_writer(str(tmp_path))
    args = (w._handle, tf.constant(3, tf.int64), tf.constant("old"), tf.constant(2.5))
    execute(_ops.WRITE_SCALAR_SUMMARY, args, {"T": tf.float32})
    w.flush()
    e = our_events(tmp_path)[1]
    assert (e.step, e.summary.value[0].tag, e.summary.value[0].simple_value) == (3, "old", 2.5)


def test_summary_scope_tag():
    with tf.summary.experimental.summary_scope("a b!", "default") as (tag, scope):
        assert tag == "a b!" and scope == "ab/"
    with tf.name_scope("outer"):
        with tf.summary.experimental.summary_scope(None, "default") as (tag, scope):
            assert tag == "outer/default"


def test_writer_resources_freed(tmp_path):
    import gc

    w = tf.summary.create_file_writer(str(tmp_path))
    name = w._name
    with w.as_default(step=0):
        tf.summary.scalar("a", 1.0)
    assert name in _ops.RESOURCES
    del w
    gc.collect()
    assert name not in _ops.RESOURCES
    assert len(our_events(tmp_path)) == 2  # flushed on the way out
