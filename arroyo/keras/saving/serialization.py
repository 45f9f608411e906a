"""Keras 3's object serialization: `{"module", "class_name", "config", "registered_name",
"build_config", "compile_config"}` dicts, and the registry of custom classes.

    >>> @tf.keras.utils.register_keras_serializable(package="my")
    ... class Twice(tf.keras.layers.Layer):
    ...     def call(self, x):
    ...         return 2 * x
    >>> tf.keras.utils.get_registered_name(Twice)
    'my>Twice'
"""

from __future__ import annotations

import contextlib
import threading
import types

__all__ = [
    "register_keras_serializable",
    "get_registered_name",
    "get_registered_object",
    "serialize_keras_object",
    "deserialize_keras_object",
    "custom_object_scope",
    "CustomObjectScope",
    "get_custom_objects",
]

GLOBAL_CUSTOM_OBJECTS: dict = {}
GLOBAL_CUSTOM_NAMES: dict = {}


class _Scope(threading.local):
    def __init__(self):
        self.custom = []
        self.safe_mode = None


_scope = _Scope()


class DTypePolicy:
    """The dtype a layer computes and stores its variables in (Keras 3 mixed precision)."""

    def __init__(self, name="float32"):
        self._name = name

    @property
    def name(self):
        return self._name

    @property
    def compute_dtype(self):
        return self._name

    @property
    def variable_dtype(self):
        return self._name

    def get_config(self):
        return {"name": self._name}

    def __repr__(self):
        return f'<DTypePolicy "{self._name}">'


def dtype_policy_config(name):
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name},
            "registered_name": None}  # fmt: skip


def register_keras_serializable(package="Custom", name=None):
    """Decorator: registers a class or function under 'package>name' so saved models can find
    it again."""

    def decorator(arg):
        class_name = name if name is not None else arg.__name__
        registered = package + ">" + class_name
        if isinstance(arg, type) and not hasattr(arg, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() method.")
        GLOBAL_CUSTOM_OBJECTS[registered] = arg
        GLOBAL_CUSTOM_NAMES[arg] = registered
        return arg

    return decorator


def get_registered_name(obj):
    """'package>Name' for a registered object, else its `__name__`."""
    if obj in GLOBAL_CUSTOM_NAMES:
        return GLOBAL_CUSTOM_NAMES[obj]
    return obj.__name__


def get_registered_object(name, custom_objects=None, module_objects=None):
    for table in list(reversed(_scope.custom)) + [GLOBAL_CUSTOM_OBJECTS]:
        if name in table:
            return table[name]
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


def get_custom_objects():
    return GLOBAL_CUSTOM_OBJECTS


class CustomObjectScope:
    """`with custom_object_scope({"MyLayer": MyLayer}):` makes names visible to loading."""

    def __init__(self, custom_objects):
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self):
        _scope.custom.append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _scope.custom.pop()


custom_object_scope = CustomObjectScope


@contextlib.contextmanager
def safe_mode_scope(value):
    saved = _scope.safe_mode
    _scope.safe_mode = value
    try:
        yield
    finally:
        _scope.safe_mode = saved


def in_safe_mode(explicit=None):
    if explicit is not None:
        return bool(explicit)
    return True if _scope.safe_mode is None else bool(_scope.safe_mode)


# Where Keras 3 says built-in classes live.
_MODULES = {
    "arroyo.keras.layers": "keras.layers",
    "arroyo.keras.models": "keras",
    "arroyo.keras.initializers": "keras.initializers",
    "arroyo.keras.optimizers": "keras.optimizers",
    "arroyo.keras.losses": "keras.losses",
    "arroyo.keras.metrics": "keras.metrics",
    "arroyo.keras.regularizers": "keras.regularizers",
    "arroyo.keras.constraints": "keras.constraints",
    "arroyo.keras.callbacks": "keras.callbacks",
    "arroyo.keras.activations": "keras.activations",
    "arroyo.keras._mask_ops": "keras.src.ops.numpy",
}


def _keras_module(cls):
    mod = cls.__module__ or ""
    for prefix, name in _MODULES.items():
        if mod == prefix or mod.startswith(prefix + "."):
            return name, True
    return mod, False


def serialize_keras_object(obj):
    """Keras 3's dict for `obj` (None, plain values and strings pass through)."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, DTypePolicy):
        return dtype_policy_config(obj.name)
    if isinstance(obj, types.FunctionType):
        return _serialize_function(obj)
    if not hasattr(obj, "get_config"):
        if hasattr(obj, "dtype") and hasattr(obj, "numpy"):
            import numpy as np

            return {"class_name": "__tensor__", "config": {
                "value": np.asarray(obj).tolist(), "dtype": obj.dtype.name}}  # fmt: skip
        raise TypeError(f"Cannot serialize object {obj!r} of type {type(obj)}.")
    cls = type(obj)
    module, builtin = _keras_module(cls)
    config = obj.get_config()
    out = {
        "module": module,
        "class_name": cls.__name__,
        "config": _json_safe(config),
        "registered_name": None if builtin else get_registered_name(cls),
    }
    from arroyo.keras.layers.base import Layer

    if cls.__name__ == "Functional" and builtin:
        out["module"] = "keras.src.models.functional"
        out["registered_name"] = "Functional"
        out["build_config"] = {"input_shape": None}
    elif isinstance(obj, Layer) and type(obj).__name__ != "InputLayer":
        build = obj.get_build_config() if obj.built else None
        if build is not None:
            out["build_config"] = build
        compile_cfg = getattr(obj, "get_compile_config", None)
        if compile_cfg is not None:
            cc = compile_cfg()
            if cc is not None:
                out["compile_config"] = cc
    return out


def _serialize_function(fn):
    from arroyo.keras import activations

    try:
        name = activations.serialize(fn)
        if isinstance(name, str):
            return name
    except (ValueError, TypeError):
        pass
    registered = GLOBAL_CUSTOM_NAMES.get(fn)
    return {"module": fn.__module__, "class_name": "function", "config": fn.__name__,
            "registered_name": registered or fn.__name__}  # fmt: skip


def _json_safe(x):
    import numpy as np

    if isinstance(x, dict):
        return {k: _json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_json_safe(v) for v in x]
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    if hasattr(x, "get_config") or isinstance(x, types.FunctionType):
        return serialize_keras_object(x)
    if hasattr(x, "as_numpy_dtype"):  # a DType
        return x.name
    return x


def _builtin_class(module, class_name):
    import importlib

    table = {
        "keras.layers": "arroyo.keras.layers",
        "keras": "arroyo.keras.models",
        "keras.models": "arroyo.keras.models",
        "keras.src.models.functional": "arroyo.keras.models",
        "keras.src.models.sequential": "arroyo.keras.models",
        "keras.initializers": "arroyo.keras.initializers",
        "keras.optimizers": "arroyo.keras.optimizers",
        "keras.losses": "arroyo.keras.losses",
        "keras.metrics": "arroyo.keras.metrics",
        "keras.regularizers": "arroyo.keras.regularizers",
        "keras.constraints": "arroyo.keras.constraints",
        "keras.src.ops.numpy": "arroyo.keras._mask_ops",  # mask ops (NotEqual, Any)
    }
    candidates = []
    if module in table:
        candidates.append(table[module])
    candidates += ["arroyo.keras.layers", "arroyo.keras.models"]
    for mod_name in candidates:
        try:
            mod = importlib.import_module(mod_name)
        except ImportError:
            continue
        cls = getattr(mod, class_name, None)
        if cls is not None:
            return cls
    return None


def deserialize_keras_object(config, custom_objects=None, safe_mode=None, **kwargs):
    """Rebuilds an object from `serialize_keras_object`'s dict (or a Keras 2 dict)."""
    if config is None or isinstance(config, (bool, int, float)):
        return config
    if isinstance(config, str):
        return config
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(c, custom_objects, safe_mode) for c in config]
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse config: {config}")
    if "class_name" not in config:
        return config
    class_name = config["class_name"]
    inner = config.get("config", {})
    module = config.get("module")
    registered = config.get("registered_name")
    custom_objects = dict(custom_objects or {})
    if class_name == "__tensor__":
        import arroyo

        return arroyo.constant(inner["value"], dtype=inner["dtype"])
    if class_name == "function":
        name = inner
        fn = custom_objects.get(registered) or custom_objects.get(name)
        fn = fn or get_registered_object(registered or name)
        if fn is None:
            from arroyo.keras import activations

            try:
                fn = activations.get(name)
            except ValueError:
                fn = None
        if fn is None and module:
            import importlib

            try:
                fn = getattr(importlib.import_module(module), name)
            except (ImportError, AttributeError):
                fn = None
        if fn is None:
            raise TypeError(f"Could not locate function '{name}'.")
        return fn
    if class_name == "DTypePolicy":
        return inner.get("name")
    cls = (
        custom_objects.get(registered or "")
        or custom_objects.get(class_name)
        or get_registered_object(registered or "")
        or get_registered_object(class_name)
    )
    if cls is None:
        cls = _builtin_class(module, class_name)
    if cls is None and module in ("keras.optimizers", "keras.losses", "keras.metrics",
                                  "keras.initializers", "keras.regularizers",
                                  "keras.constraints"):  # fmt: skip
        import importlib

        leaf = importlib.import_module("arroyo." + module)
        return leaf.deserialize(config)
    if cls is None:
        raise TypeError(
            f"Could not locate class '{class_name}'. Make sure custom classes are decorated "
            f"with `@keras.saving.register_keras_serializable()`. Full object config: {config}"
        )
    if safe_mode is None:
        safe_mode = _scope.safe_mode
    with CustomObjectScope(custom_objects), safe_mode_scope(safe_mode):
        import inspect

        from_config = cls.from_config
        try:
            params = inspect.signature(from_config).parameters
        except (TypeError, ValueError):
            params = {}
        if "custom_objects" in params:
            obj = from_config(inner, custom_objects=custom_objects)
        else:
            obj = from_config(inner)
        build_config = config.get("build_config")
        if build_config and hasattr(obj, "build_from_config") and not obj.built:
            obj.build_from_config(build_config)
        compile_config = config.get("compile_config")
        if compile_config and hasattr(obj, "compile_from_config"):
            obj.compile_from_config(compile_config)
    return obj
