"""`tf.train.Checkpoint`: saves and restores an object graph in TF's checkpoint format.

The objects reachable from the Checkpoint (Modules, Variables, lists and dicts of them,
optimizers) form a graph; nodes are numbered breadth-first and each Variable is stored
under the key of its first path, e.g. `model/dense_1/w/.ATTRIBUTES/VARIABLE_VALUE`. The
serialized TrackableObjectGraph is stored under `_CHECKPOINTABLE_OBJECT_GRAPH`, so
TensorFlow can restore arroyo's checkpoints and the other way around.

Restoring walks the checkpoint's graph and the live objects together by local names.
Values for objects that do not exist yet are kept and applied when the object is
attached (deferred restoration, e.g. variables a module creates on its first call).
"""

from __future__ import annotations

import logging
import os
import time
import weakref

import numpy as np

from arroyo.framework import dtypes
from arroyo.train.tensor_bundle import BundleReader, BundleWriter

_log = logging.getLogger("arroyo")
OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"
VARIABLE_VALUE = "VARIABLE_VALUE"


def _pb():
    from arroyo.proto import load

    return load("tensor_bundle_pb2")


def _is_variable(x):
    return getattr(x, "_is_arroyo_variable", False)


def escape_local_name(name: str) -> str:
    return name.replace(".", "..").replace("/", ".S")


# -- the trackable object graph ---------------------------------------------------------


class _Container:
    """A list/tuple/dict attribute seen as one node (TF's ListWrapper/DictWrapper)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def _contains_trackable(v) -> bool:
    if _is_variable(v) or _is_trackable_object(v):
        return True
    if isinstance(v, dict):
        return any(_contains_trackable(x) for x in v.values())
    if isinstance(v, (list, tuple)):
        return any(_contains_trackable(x) for x in v)
    return False


def _is_trackable_object(v) -> bool:
    from arroyo.module.module import Module

    return isinstance(v, (Module, Checkpoint)) or hasattr(v, "_checkpoint_children")


def children(obj):
    """(local_name, child) pairs of one node, in TF's order (attribute assignment order)."""
    if isinstance(obj, _Container):
        v = obj.value
        items = v.items() if isinstance(v, dict) else ((str(i), x) for i, x in enumerate(v))
        return [(str(k), _wrap(x)) for k, x in items if _contains_trackable(x)]
    if hasattr(obj, "_checkpoint_children"):
        return [(k, _wrap(v)) for k, v in obj._checkpoint_children() if _contains_trackable(v)]
    if _is_variable(obj):
        return []
    d = getattr(obj, "__dict__", {})
    out = []
    for k, v in d.items():
        if k.startswith("_arroyo_") or k in ("_scope_name",):
            continue
        if _contains_trackable(v):
            out.append((k, _wrap(v)))
    return out


_container_cache: dict[int, _Container] = {}


def _wrap(v):
    if isinstance(v, (list, tuple, dict)):
        c = _container_cache.get(id(v))
        if c is None or c.value is not v:
            c = _Container(v)
            _container_cache[id(v)] = c
        return c
    return v


def _key(x):
    return id(x.value) if isinstance(x, _Container) else id(x)


def walk(root):
    """Breadth-first (objects, paths, child refs) of the object graph below `root`."""
    order = [root]
    paths = {_key(root): ()}
    refs = {}
    i = 0
    while i < len(order):
        obj = order[i]
        i += 1
        node_refs = []
        for name, child in children(obj):
            k = _key(child)
            if k not in paths:
                paths[k] = paths[_key(obj)] + (name,)
                order.append(child)
            node_refs.append((name, k))
        refs[_key(obj)] = node_refs
    return order, paths, refs


def _object_graph_and_values(root):
    pb = _pb()
    order, paths, refs = walk(root)
    ids = {_key(o): n for n, o in enumerate(order)}
    graph = pb.TrackableObjectGraph()
    values = {}
    for obj in order:
        node = graph.nodes.add()
        for name, k in refs[_key(obj)]:
            node.children.add(node_id=ids[k], local_name=name)
        if _is_variable(obj):
            key = (
                "/".join(escape_local_name(p) for p in paths[_key(obj)])
                + "/.ATTRIBUTES/"
                + VARIABLE_VALUE
            )
            full_name = obj.name[:-2] if obj.name.endswith(":0") else obj.name
            node.attributes.add(name=VARIABLE_VALUE, full_name=full_name, checkpoint_key=key)
            values[key] = (obj._value, obj.dtype)  # arrays are never mutated: no copy
        for slot_ref in getattr(obj, "_checkpoint_slot_refs", lambda ids: [])(ids):
            node.slot_variables.add(**slot_ref)
    # has_checkpoint_values: a node, or something below it, holds a value.
    has = [False] * len(order)
    for n in range(len(order) - 1, -1, -1):
        node = graph.nodes[n]
        has[n] = bool(node.attributes) or any(has[c.node_id] for c in node.children if c.node_id > n) or \
            any(has[c.node_id] for c in node.children)  # fmt: skip
    for n, node in enumerate(graph.nodes):
        if has[n]:
            node.has_checkpoint_values.value = True
    return graph, values


# -- restore bookkeeping ---------------------------------------------------------------------


class _Restoration:
    """One restore() call: the checkpoint being read and what has been matched so far."""

    def __init__(self, reader, graph, path):
        self.reader = reader
        self.graph = graph
        self.path = path
        self.matched_nodes: set[int] = set()
        self.consumed_keys: set[str] = set()
        self.matched_objects: dict[int, object] = {}

    def match(self, node_id, obj):
        if node_id in self.matched_nodes and self.matched_objects.get(node_id) is obj:
            return
        self.matched_nodes.add(node_id)
        self.matched_objects[node_id] = obj
        node = self.graph.nodes[node_id]
        if _is_variable(obj):
            for attr in node.attributes:
                if attr.name == VARIABLE_VALUE:
                    self._restore_variable(obj, attr.checkpoint_key)
        live = dict(children(obj)) if not _is_variable(obj) else {}
        for ref in node.children:
            child = live.get(ref.local_name)
            if child is None:
                self._defer(obj, ref.local_name, ref.node_id)
                continue
            self.match(ref.node_id, child)
        for slot in node.slot_variables:
            restore_slot = getattr(obj, "_restore_slot_variable", None)
            if restore_slot is not None:
                restore_slot(self, slot)

    def _restore_variable(self, var, key):
        value = self.reader.get(key)
        shape = tuple(value.shape)
        if var.shape.rank is not None and not var.shape.is_compatible_with(shape):
            raise ValueError(
                f"Received incompatible tensor with shape {shape} when attempting to restore "
                f"variable with shape {var.shape} and name {key}."
            )
        ck_dtype = self.reader.dtype(key)
        if ck_dtype != var.dtype:
            raise ValueError(
                f"Received tensor of dtype {ck_dtype.name} when attempting to restore variable "
                f"{var.name} of dtype {var.dtype.name} (key {key})."
            )
        var.assign(value if value.ndim else value[()])
        self.consumed_keys.add(key)

    def _defer(self, obj, local_name, node_id):
        target = obj.value if isinstance(obj, _Container) else obj
        if isinstance(target, (list, tuple, dict)) or _is_variable(target):
            return
        try:
            pending = target.__dict__.setdefault("_arroyo_deferred", {})
        except AttributeError:
            return
        pending[local_name] = (weakref.ref(self) if False else self, node_id)

    def value_keys(self):
        return {a.checkpoint_key for n in self.graph.nodes for a in n.attributes}


def apply_deferred(obj, name, value):
    """Called when `obj.name = value` is set: restores pending checkpoint values into it."""
    pending = obj.__dict__.get("_arroyo_deferred")
    if not pending or name not in pending:
        return
    restoration, node_id = pending.pop(name)
    if _contains_trackable(value):
        restoration.match(node_id, _wrap(value))


class CheckpointLoadStatus:
    """What `restore()` matched; lets callers assert how complete the restore was."""

    def __init__(self, restoration, root):
        self._r = restoration
        self._root = root
        self._expect_partial = False

    def _unmatched_checkpoint_values(self):
        return sorted(self._r.value_keys() - self._r.consumed_keys)

    def _unmatched_objects(self):
        order, paths, _ = walk(self._root)
        matched = {id(o) for o in self._r.matched_objects.values()} | {
            id(o.value) for o in self._r.matched_objects.values() if isinstance(o, _Container)
        }
        out = []
        for obj in order:
            if _is_variable(obj) and id(obj) not in matched:
                out.append("/".join(paths[_key(obj)]) or "<root>")
        return out

    def assert_consumed(self):
        """Every checkpointed value was restored and every live variable got a value."""
        missing_values = self._unmatched_checkpoint_values()
        missing_objects = self._unmatched_objects()
        if missing_values or missing_objects:
            raise AssertionError(self._report(missing_values, missing_objects))
        return self

    def assert_existing_objects_matched(self):
        """Every variable that exists now was matched to a checkpoint value."""
        missing_objects = self._unmatched_objects()
        if missing_objects:
            raise AssertionError(self._report([], missing_objects))
        return self

    def assert_nontrivial_match(self):
        if not self._r.consumed_keys:
            raise AssertionError(f"No checkpoint values were matched when restoring {self._r.path}")
        return self

    def expect_partial(self):
        """Silences the report about checkpoint values left unused."""
        self._expect_partial = True
        return self

    def run_restore_ops(self, session=None):
        return None

    def initialize_or_restore(self, session=None):
        return None

    def _report(self, values, objects):
        lines = [f"Unresolved checkpoint restore for {self._r.path}:"]
        if values:
            lines.append(f"  {len(values)} checkpoint value(s) not matched to any object:")
            lines += [f"    {k}" for k in values]
        if objects:
            lines.append(f"  {len(objects)} object(s) without a checkpoint value:")
            lines += [f"    {p}" for p in objects]
        return "\n".join(lines)

    def __del__(self):
        try:
            if not self._expect_partial:
                missing = self._unmatched_checkpoint_values()
                if missing:
                    _log.warning(
                        "%s\n(call .expect_partial() on the restore status to silence this)",
                        self._report(missing, []),
                    )
        except Exception:  # noqa: BLE001 - never raise from a destructor
            pass


# -- Checkpoint ------------------------------------------------------------------------------


class Checkpoint:
    """Groups trackable objects to save and restore them together.

    >>> ckpt = tf.train.Checkpoint(model=module)          # doctest: +SKIP
    >>> path = ckpt.save("/tmp/ckpts/ckpt")               # doctest: +SKIP
    >>> ckpt.restore(path).assert_consumed()              # doctest: +SKIP
    """

    def __init__(self, root=None, **kwargs):
        self._arroyo_children = {}
        if root is not None:
            kwargs = {"root": root, **kwargs}
        for k, v in kwargs.items():
            if not _contains_trackable(v) and not _is_trackable_object(v):
                raise ValueError(
                    f"`Checkpoint` was expecting a trackable object (an object derived from "
                    f"`Trackable`), got {v!r}. If you believe this object should be trackable "
                    f"(i.e. it is part of the TensorFlow Python API and manages state), please "
                    f"open an issue."
                )
            self._arroyo_children[k] = v
        self._save_counter = None

    def _checkpoint_children(self):
        items = list(self._arroyo_children.items())
        if self._save_counter is not None:
            items.append(("save_counter", self._save_counter))
        return items

    def __getattr__(self, name):
        children_ = self.__dict__.get("_arroyo_children", {})
        if name in children_:
            return children_[name]
        raise AttributeError(f"'Checkpoint' object has no attribute {name!r}")

    def __setattr__(self, name, value):
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        self._arroyo_children[name] = value
        apply_deferred(self, name, value)

    @property
    def save_counter(self):
        """Number of `save()` calls (an int64 Variable, created on first use)."""
        if self._save_counter is None:
            from arroyo.graph.variable_lifting import init_scope
            from arroyo.ops.variables import Variable

            with init_scope():
                self._save_counter = Variable(
                    0, dtype=dtypes.int64, trainable=False, name="save_counter"
                )
            apply_deferred(self, "save_counter", self._save_counter)
        return self._save_counter

    def write(self, file_prefix, options=None):
        """Writes a checkpoint at exactly `file_prefix` (no counter, no state file)."""
        file_prefix = os.fspath(file_prefix)
        graph, values = _object_graph_and_values(self)
        writer = BundleWriter(file_prefix)
        for key, (value, dtype) in values.items():
            writer.add(key, value, dtype)
        writer.add(
            OBJECT_GRAPH_KEY, np.array(graph.SerializeToString(), dtype=object), dtypes.string
        )
        writer.write()
        return file_prefix

    def save(self, file_prefix, options=None):
        """Writes `<file_prefix>-<n>` (n = save_counter) and updates the `checkpoint` file."""
        counter = self.save_counter
        counter.assign_add(1)
        path = self.write(f"{os.fspath(file_prefix)}-{int(counter.numpy())}")
        directory = os.path.dirname(path) or "."
        state = get_checkpoint_state(directory)
        paths = list(state["all_model_checkpoint_paths"]) if state else []
        rel = (
            os.path.relpath(path, directory)
            if os.path.isabs(path) == os.path.isabs(directory)
            else path
        )
        if rel not in paths:
            paths.append(rel)
        update_checkpoint_state(directory, rel, paths)
        return path

    def restore(self, save_path, options=None):
        """Restores values (now, or when their objects are created); returns a status."""
        return self._restore(save_path, create_save_counter=True)

    def _restore(self, save_path, create_save_counter):
        if save_path is None:
            return _NoRestore()
        save_path = os.fspath(save_path)
        if os.path.isdir(save_path):
            latest = latest_checkpoint(save_path)
            if latest is None:
                from arroyo.framework.errors import NotFoundError

                raise NotFoundError(None, None, f"No checkpoint found in directory {save_path}")
            save_path = latest
        reader = BundleReader(save_path)
        if not reader.has_tensor(OBJECT_GRAPH_KEY):
            raise ValueError(
                f"The checkpoint at {save_path} has no object graph: it was written by a "
                "name-based tf.compat.v1.train.Saver; arroyo restores object-based checkpoints."
            )
        graph = _pb().TrackableObjectGraph.FromString(reader.get(OBJECT_GRAPH_KEY)[()])
        restoration = _Restoration(reader, graph, save_path)
        if create_save_counter:
            self.save_counter  # noqa: B018 - TF's restore creates it too (then restores it)
        restoration.match(0, self)
        return CheckpointLoadStatus(restoration, self)

    def read(self, save_path, options=None):
        """Like restore, but, as TF's `read`, it does not create `save_counter` (a value
        saved for it is restored when `save()` creates it later)."""
        return self._restore(save_path, create_save_counter=False)


class _NoRestore:
    def assert_consumed(self):
        raise AssertionError("No checkpoint specified (save_path=None); nothing is being restored.")

    def assert_existing_objects_matched(self):
        return self.assert_consumed()

    def assert_nontrivial_match(self):
        return self.assert_consumed()

    def expect_partial(self):
        return self

    def run_restore_ops(self, session=None):
        return None

    def initialize_or_restore(self, session=None):
        return None


# -- checkpoint state file -------------------------------------------------------------------


def _quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def update_checkpoint_state(directory, model_checkpoint_path, all_paths, timestamps=None,
                            last_preserved_timestamp=None):  # fmt: skip
    lines = [f"model_checkpoint_path: {_quote(model_checkpoint_path)}"]
    lines += [f"all_model_checkpoint_paths: {_quote(p)}" for p in all_paths]
    for t in timestamps or []:
        lines.append(f"all_model_checkpoint_timestamps: {t!r}")
    if last_preserved_timestamp is not None:
        lines.append(f"last_preserved_timestamp: {last_preserved_timestamp!r}")
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "checkpoint")
    tmp = path + ".tmp" + str(os.getpid())
    with open(tmp, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """The parsed `checkpoint` file of a directory, or None."""
    path = os.path.join(os.fspath(checkpoint_dir), latest_filename or "checkpoint")
    if not os.path.exists(path):
        return None
    state = {"model_checkpoint_path": None, "all_model_checkpoint_paths": [],
             "all_model_checkpoint_timestamps": [], "last_preserved_timestamp": None}  # fmt: skip
    with open(path) as fh:
        for line in fh:
            key, _, val = line.strip().partition(":")
            val = val.strip()
            if key in ("model_checkpoint_path", "all_model_checkpoint_paths"):
                s = bytes(val[1:-1], "utf-8").decode("unicode_escape")
                if key == "model_checkpoint_path":
                    state[key] = s
                else:
                    state[key].append(s)
            elif key == "all_model_checkpoint_timestamps":
                state[key].append(float(val))
            elif key == "last_preserved_timestamp":
                state[key] = float(val)
    return state


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The prefix of the newest checkpoint in `checkpoint_dir` (None if there is none)."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if not state or not state["model_checkpoint_path"]:
        return None
    p = state["model_checkpoint_path"]
    if not os.path.isabs(p):
        p = os.path.join(os.fspath(checkpoint_dir), p)
    return p if os.path.exists(p + ".index") else None


def _resolve(ckpt_dir_or_file):
    p = os.fspath(ckpt_dir_or_file)
    if os.path.isdir(p):
        latest = latest_checkpoint(p)
        if latest is None:
            raise ValueError(
                f"Couldn't find 'checkpoint' file or checkpoints in given directory {p}"
            )
        return latest
    return p


class CheckpointReader:
    """TF's `py_checkpoint_reader`: read tensors and their shapes/dtypes by key."""

    def __init__(self, prefix):
        self._reader = BundleReader(prefix)

    def get_tensor(self, name):
        v = self._reader.get(name)
        return v[()] if v.ndim == 0 and v.dtype == object else v

    def has_tensor(self, name):
        return self._reader.has_tensor(name)

    def get_variable_to_shape_map(self):
        return {k: self._reader.shape(k) for k in self._reader.keys()}

    def get_variable_to_dtype_map(self):
        return {k: self._reader.dtype(k) for k in self._reader.keys()}


def load_checkpoint(ckpt_dir_or_file):
    return CheckpointReader(_resolve(ckpt_dir_or_file))


def list_variables(ckpt_dir_or_file):
    """Sorted (key, shape) pairs of every tensor in a checkpoint."""
    reader = BundleReader(_resolve(ckpt_dir_or_file))
    return [(k, reader.shape(k)) for k in reader.keys()]


def load_variable(ckpt_dir_or_file, name):
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)


# -- CheckpointManager ------------------------------------------------------------------------


class CheckpointManager:
    """Numbers checkpoints in a directory and deletes old ones beyond `max_to_keep`."""

    def __init__(self, checkpoint, directory, max_to_keep, keep_checkpoint_every_n_hours=None,
                 checkpoint_name="ckpt", step_counter=None, checkpoint_interval=None, init_fn=None):  # fmt: skip
        if max_to_keep is not None and max_to_keep <= 0:
            raise ValueError(
                f"Expected a positive integer or `None` for `max_to_keep`, got {max_to_keep}."
            )
        self._checkpoint = checkpoint
        self._directory = os.fspath(directory)
        self._max_to_keep = max_to_keep
        self._keep_hours = keep_checkpoint_every_n_hours
        self._prefix = os.path.join(self._directory, checkpoint_name)
        self._step_counter = step_counter
        self._interval = checkpoint_interval
        self._init_fn = init_fn
        self._last_step = None
        state = get_checkpoint_state(self._directory)
        self._entries = []  # (path, timestamp)
        self._last_preserved = time.time()
        if state:
            ts = state["all_model_checkpoint_timestamps"]
            for i, p in enumerate(state["all_model_checkpoint_paths"]):
                full = p if os.path.isabs(p) else os.path.join(self._directory, p)
                if os.path.exists(full + ".index"):
                    self._entries.append((full, ts[i] if i < len(ts) else time.time()))
            if state["last_preserved_timestamp"] is not None:
                self._last_preserved = state["last_preserved_timestamp"]

    @property
    def directory(self):
        return self._directory

    @property
    def checkpoints(self):
        """Managed checkpoint prefixes, oldest first."""
        return [p for p, _ in self._entries]

    @property
    def latest_checkpoint(self):
        return self._entries[-1][0] if self._entries else None

    @property
    def checkpoint_interval(self):
        return self._interval

    def save(self, checkpoint_number=None, check_interval=True, options=None):
        """Saves `<directory>/<name>-<n>`; returns its path (None if skipped by interval)."""
        if self._interval is not None and check_interval:
            step = int(self._step_counter.numpy())
            if self._last_step is not None and step < self._last_step + self._interval:
                return None
            self._last_step = step
        if checkpoint_number is None:
            counter = self._checkpoint.save_counter
            counter.assign_add(1)
            number = int(counter.numpy())
        else:
            number = int(
                checkpoint_number.numpy()
                if hasattr(checkpoint_number, "numpy")
                else checkpoint_number
            )
        path = self._checkpoint.write(f"{self._prefix}-{number}")
        now = time.time()
        self._entries = [(p, t) for p, t in self._entries if p != path] + [(path, now)]
        self._sweep()
        update_checkpoint_state(
            self._directory, os.path.relpath(path, self._directory),
            [os.path.relpath(p, self._directory) for p, _ in self._entries],
            [t for _, t in self._entries], self._last_preserved,
        )  # fmt: skip
        return path

    def _sweep(self):
        if self._max_to_keep is None:
            return
        while len(self._entries) > self._max_to_keep:
            path, ts = self._entries.pop(0)
            if (
                self._keep_hours is not None
                and ts - self._last_preserved >= self._keep_hours * 3600
            ):
                self._last_preserved = ts
                continue
            for f in (path + ".index",) + tuple(
                os.path.join(os.path.dirname(path), n) for n in os.listdir(os.path.dirname(path) or ".")
                if n.startswith(os.path.basename(path) + ".data-")
            ):  # fmt: skip
                try:
                    os.remove(f)
                except FileNotFoundError:
                    pass

    def restore_or_initialize(self):
        if self.latest_checkpoint is not None:
            self._checkpoint.restore(self.latest_checkpoint)
            return self.latest_checkpoint
        if self._init_fn is not None:
            self._init_fn()
        return None
