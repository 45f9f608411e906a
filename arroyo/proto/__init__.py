"""Protobuf messages of TF's file formats, generated from the .proto files here.

They need the optional `protobuf` runtime: `pip install 'arroyo[all]'`.
"""

from __future__ import annotations

import importlib


def load(module: str):
    """Imports `arroyo.proto.<module>` with a clear error if protobuf is missing."""
    try:
        return importlib.import_module(f"arroyo.proto.{module}")
    except ImportError as e:
        if "google" in str(e) or "protobuf" in str(e):
            raise ImportError(
                "Reading or writing TensorFlow's file formats needs the optional protobuf "
                "runtime: pip install 'arroyo[all]' (or pip install protobuf)"
            ) from e
        raise
