"""`model.save` / `load_model` / `save_weights` / `load_weights`.

A `.keras` file is Keras 3's zip: `metadata.json`, `config.json` (the serialized model with
its build and compile configs) and `model.weights.h5`, where each layer's own variables sit
at `<path>/vars/<i>` and `<path>` follows Keras 3's walk (a graph model's `layers` first,
named by snake-cased class with `_1`, `_2` suffixes, then attributes in sorted order, then
the optimizer). h5py is imported only here.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import tempfile
import zipfile

import numpy as np

from arroyo.keras.saving import serialization

KERAS_VERSION = "3.15.1"
_CONFIG = "config.json"
_METADATA = "metadata.json"
_WEIGHTS = "model.weights.h5"


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError(
            "Saving or loading Keras weights (.keras, .weights.h5, .h5) needs h5py. Install "
            "it with `pip install 'arroyo[all]'` (or `pip install h5py`)."
        ) from None
    return h5py


def _write_atomic(path, data: bytes):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp_", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# -- the object walk ------------------------------------------------------------------------


def _is_layer(x):
    from arroyo.keras.layers.base import Layer

    return isinstance(x, Layer)


def _is_optimizer(x):
    return hasattr(x, "apply_gradients") and hasattr(x, "variables") and not _is_layer(x)


def _saveable(x):
    return _is_layer(x) or _is_optimizer(x)


def own_variables(obj):
    if _is_layer(obj):
        own = obj._own_variables()
        return [v for v in own if v.trainable] + [v for v in own if not v.trainable]
    if _is_optimizer(obj):
        return list(obj.variables)
    return []


def _children(obj):
    from arroyo.keras.layers.base import _INTERNAL

    if _is_layer(obj) and getattr(obj, "_arroyo_graph", None):
        yield "layers", list(obj.layers)
    if _is_layer(obj):
        d = obj.__dict__
        keys = [k for k in d if not k.startswith("_arroyo_") and k not in _INTERNAL]
        keys.sort(key=lambda k: "~" + k if k.startswith("_") else k)
        for k in keys:
            v = d[k]
            if k == "optimizer":
                continue
            if _saveable(v) or (isinstance(v, (list, tuple, dict)) and _has_saveable(v)):
                yield k, v
        opt = d.get("optimizer")
        if opt is not None and _is_optimizer(opt):
            yield "optimizer", opt


def _has_saveable(c):
    vals = c.values() if isinstance(c, dict) else c
    return any(_saveable(v) for v in vals)


def _walk(obj, path, visited, visit):
    if id(obj) in visited:
        return
    visited.add(id(obj))
    visit(obj, path)
    for name, child in _children(obj):
        child_path = f"{path}/{name}" if path else name
        if _saveable(child):
            _walk(child, child_path, visited, visit)
        else:
            used = {}
            vals = child.values() if isinstance(child, dict) else child
            for v in vals:
                if not _saveable(v) or id(v) in visited:
                    continue
                base = _snake(type(v).__name__)
                n = used.get(base, 0)
                used[base] = n + 1
                key = base if n == 0 else f"{base}_{n}"
                _walk(v, f"{child_path}/{key}", visited, visit)


def _snake(name):
    from arroyo.keras.backend import to_snake_case

    return to_snake_case(name)


def _name_of(obj):
    return getattr(obj, "name", type(obj).__name__)


def write_weights_h5(model, fileobj):
    h5py = _h5py()
    with h5py.File(fileobj, "w") as f:

        def visit(obj, path):
            group = f.require_group(f"{path}/vars" if path else "vars")
            group.attrs["name"] = str(_name_of(obj))
            for i, v in enumerate(own_variables(obj)):
                group.create_dataset(str(i), data=np.asarray(v.numpy()))

        _walk(model, "", set(), visit)


def read_weights_h5(model, fileobj, skip_mismatch=False, source="weights file"):
    h5py = _h5py()
    try:
        f = h5py.File(fileobj, "r")
    except OSError as e:
        raise ValueError(
            f"Could not read the {source}: it is not a valid HDF5 file ({e})."
        ) from None
    with f:
        errors = []

        def visit(obj, path):
            variables = own_variables(obj)
            key = f"{path}/vars" if path else "vars"
            group = f.get(key)
            n = 0 if group is None else len(group)
            if n != len(variables):
                if _is_optimizer(obj):
                    if n and not getattr(obj, "built", True) and hasattr(obj, "build"):
                        obj.build(model.trainable_variables)
                        variables = own_variables(obj)
                    if n != len(variables):
                        return  # an optimizer that was not trained yet restores nothing
                msg = (
                    f"A total of {len(variables)} objects could not be loaded. Layer "
                    f"'{_name_of(obj)}' expected {len(variables)} variables, but received {n} "
                    f"variables during loading. Expected: {[v.name for v in variables]}"
                )
                if skip_mismatch:
                    return
                errors.append(msg)
                return
            for i, v in enumerate(variables):
                value = np.asarray(group[str(i)])
                if tuple(value.shape) != tuple(v.shape):
                    msg = (
                        f"The shape of the target variable and the shape of the target value "
                        f"in `variable.assign(value)` must match. variable.shape={tuple(v.shape)}"
                        f", Received: value.shape={value.shape}. Target variable: {v!r}"
                    )
                    if skip_mismatch:
                        continue
                    raise ValueError(msg)
                v.assign(value.astype(v.dtype.as_numpy_dtype, copy=False))

        _walk(model, "", set(), visit)
        if errors:
            raise ValueError(errors[0])


# -- .keras -----------------------------------------------------------------------------------


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    filepath = os.fspath(filepath)
    if filepath.endswith(".h5") or filepath.endswith(".hdf5"):
        return _save_legacy_h5(model, filepath)
    if not filepath.endswith(".keras"):
        if "." in os.path.basename(filepath):
            raise ValueError(
                "Invalid filepath extension for saving. Please add either a `.keras` extension "
                "for the native Keras format (recommended) or a `.h5` extension. Use "
                "`model.export(filepath)` if you want to export a SavedModel for use with "
                f"TFLite/TFServing/etc. Received: filepath={filepath}."
            )
        # Keras 2: a path without an extension is a SavedModel directory.
        from arroyo.keras.saving import export

        return export.export_saved_model(model, filepath, verbose=False)
    if os.path.exists(filepath) and not overwrite:
        raise FileExistsError(f"{filepath} exists and overwrite=False")
    config = serialization.serialize_keras_object(model)
    metadata = {
        "keras_version": KERAS_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
    }
    weights = io.BytesIO()
    write_weights_h5(model, weights)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr(_METADATA, json.dumps(metadata))
        z.writestr(_CONFIG, json.dumps(config))
        z.writestr(_WEIGHTS, weights.getvalue())
    _write_atomic(filepath, buf.getvalue())


def _read_zip(filepath):
    try:
        z = zipfile.ZipFile(filepath, "r")
    except zipfile.BadZipFile:
        raise ValueError(
            f"File format not supported: filepath={filepath}. The file is not a valid `.keras` "
            "zip archive (it may be truncated or corrupt)."
        ) from None
    with z:
        names = set(z.namelist())
        if _CONFIG not in names:
            raise ValueError(f"Invalid `.keras` file {filepath}: no {_CONFIG} inside.")
        try:
            config = json.loads(z.read(_CONFIG).decode("utf-8"))
            weights = z.read(_WEIGHTS) if _WEIGHTS in names else None
        except (zipfile.BadZipFile, ValueError, OSError) as e:  # CRC mismatch, bad JSON
            raise ValueError(f"Corrupt `.keras` file {filepath}: {e}") from None
    return config, weights


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002
    filepath = os.fspath(filepath)
    if os.path.isdir(filepath):
        # Keras 2 loaded SavedModel directories; Keras 3 does not. arroyo does both.
        from arroyo.keras.saving import export

        return export.load_saved_model(filepath)
    if not os.path.exists(filepath):
        raise ValueError(
            f"File not found: filepath={filepath}. Please ensure the file is an accessible "
            "`.keras` zip file."
        )
    if filepath.endswith(".h5") or filepath.endswith(".hdf5"):
        return _load_legacy_h5(filepath, custom_objects, compile, safe_mode)
    if not zipfile.is_zipfile(filepath):
        raise ValueError(
            f"File format not supported: filepath={filepath}. Keras 3 only supports V3 "
            "`.keras` files and legacy H5 format files (`.h5` extension)."
        )
    config, weights = _read_zip(filepath)
    if not compile:
        config = dict(config)
        config.pop("compile_config", None)
    model = serialization.deserialize_keras_object(config, custom_objects=custom_objects,
                                                   safe_mode=safe_mode)  # fmt: skip
    if weights is not None:
        read_weights_h5(model, io.BytesIO(weights), source=f"weights in {filepath}")
    return model


# -- weights files --------------------------------------------------------------------------


def save_weights(model, filepath, overwrite=True, **kwargs):
    filepath = os.fspath(filepath)
    if not filepath.endswith(".weights.h5"):
        if filepath.endswith(".h5"):
            return _save_legacy_h5(model, filepath, weights_only=True)
        raise ValueError("The filename must end in `.weights.h5`. Received: filepath=" + filepath)
    if os.path.exists(filepath) and not overwrite:
        raise FileExistsError(f"{filepath} exists and overwrite=False")
    buf = io.BytesIO()
    write_weights_h5(model, buf)
    _write_atomic(filepath, buf.getvalue())


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    filepath = os.fspath(filepath)
    if filepath.endswith(".keras"):
        _, weights = _read_zip(filepath)
        return read_weights_h5(model, io.BytesIO(weights), skip_mismatch)
    if filepath.endswith(".weights.h5"):
        if not os.path.exists(filepath):
            raise FileNotFoundError(f"File not found: filepath={filepath}")
        return read_weights_h5(model, filepath, skip_mismatch, source=filepath)
    if filepath.endswith(".h5"):
        return _load_legacy_weights(model, filepath)
    raise ValueError(
        "File format not supported: filepath=" + filepath + ". Keras 3 only supports V3 "
        "`.keras` and `.weights.h5` files, or legacy V1/V2 `.h5` files."
    )


# -- legacy .h5 (Keras 2's whole-model HDF5) ------------------------------------------------


def _save_legacy_h5(model, filepath, weights_only=False):
    h5py = _h5py()
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        if not weights_only:
            f.attrs["model_config"] = json.dumps(serialization.serialize_keras_object(model))
            f.attrs["keras_version"] = KERAS_VERSION
            f.attrs["backend"] = "tensorflow"
        g = f if weights_only else f.create_group("model_weights")
        layers = model.layers
        g.attrs["layer_names"] = np.array([lyr.name.encode() for lyr in layers])
        for lyr in layers:
            lg = g.create_group(lyr.name)
            names = [f"{lyr.name}/{v.name}" for v in own_variables(lyr)]
            lg.attrs["weight_names"] = np.array([n.encode() for n in names])
            for n, v in zip(names, own_variables(lyr)):
                lg.create_dataset(n, data=np.asarray(v.numpy()))
    _write_atomic(filepath, buf.getvalue())


def _load_legacy_weights(model, filepath, group="model_weights"):
    h5py = _h5py()
    with h5py.File(filepath, "r") as f:
        g = f[group] if group in f else f
        names = [n.decode() if isinstance(n, bytes) else n for n in g.attrs["layer_names"]]
        with_vars = [lyr for lyr in model.layers if own_variables(lyr)]
        saved = [n for n in names if len(g[n].attrs.get("weight_names", []))]
        if len(saved) != len(with_vars):
            raise ValueError(
                f"Layer count mismatch when loading weights from file. Model expected "
                f"{len(with_vars)} layers, found {len(saved)} saved layers."
            )
        for lyr, n in zip(with_vars, saved):
            wn = [w.decode() if isinstance(w, bytes) else w for w in g[n].attrs["weight_names"]]
            lyr.set_weights([np.asarray(g[n][w]) for w in wn])


def _load_legacy_h5(filepath, custom_objects, compile, safe_mode):  # noqa: A002
    h5py = _h5py()
    with h5py.File(filepath, "r") as f:
        cfg = f.attrs.get("model_config")
        if cfg is None:
            raise ValueError("No model config found in the file at " + filepath)
        cfg = json.loads(cfg if isinstance(cfg, str) else cfg.decode())
    if not compile:
        cfg.pop("compile_config", None)
    model = serialization.deserialize_keras_object(cfg, custom_objects=custom_objects,
                                                   safe_mode=safe_mode)  # fmt: skip
    _load_legacy_weights(model, filepath)
    return model
