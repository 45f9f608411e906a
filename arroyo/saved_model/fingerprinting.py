"""SavedModel fingerprints: `fingerprint.pb` and `tf.saved_model.experimental.read_fingerprint`.

TF 2.21 writes a FingerprintDef beside `saved_model.pb`: 64-bit hashes of the file, of the
graph, of the signatures, of the object graph and of the variables index, plus a version
and a random uuid. arroyo writes the same message; its hashes are BLAKE2b digests cut to 64
bits (TF uses FarmHash over a regularized graph), so the numbers identify an arroyo-saved
model consistently but are not the ones TF would compute for it. TF only reads fingerprints
(for `read_fingerprint` and telemetry); it loads arroyo's SavedModels either way.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid

FINGERPRINT_FILENAME = "fingerprint.pb"
_PRODUCER = 4  # the FingerprintDef version TF 2.21 writes


def _h64(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


# Traced function names carry a process-wide counter (`__inference_f_123`); like TF's
# regularization, the hashes ignore it, so saving the same model twice gives the same
# singleprint.
_FUNCTION_UID = re.compile(r"(__(?:inference|forward|backward)_\w+?)_\d+\b")


def _regularized(message) -> bytes:
    return _FUNCTION_UID.sub(r"\1", str(message)).encode()


def _sm():
    from arroyo.proto import load

    return load("saved_model_pb2")


def make_fingerprint(saved_model_bytes: bytes, model, index_bytes: bytes):
    """The FingerprintDef for a SavedModel (its serialized bytes and proto) and its
    variables index file contents."""
    meta = model.meta_graphs[0]
    signatures = b"".join(
        key.encode() + _regularized(meta.signature_def[key]) for key in sorted(meta.signature_def)
    )
    fp = _sm().FingerprintDef(
        saved_model_checksum=_h64(saved_model_bytes),
        graph_def_program_hash=_h64(_regularized(meta.graph_def)),
        signature_def_hash=_h64(signatures),
        saved_object_graph_hash=_h64(_regularized(meta.object_graph_def)),
        checkpoint_hash=_h64(index_bytes),
        uuid=str(uuid.uuid4().int),
    )
    fp.version.producer = _PRODUCER
    return fp


class Fingerprint:
    """A SavedModel's fingerprint (TF's `tf.saved_model.experimental.Fingerprint`).

    >>> fp = tf.saved_model.experimental.read_fingerprint(path)  # doctest: +SKIP
    >>> fp.singleprint()  # doctest: +SKIP
    '9742775555730342451/8650153462656578615/17489590658355236590/14482576293857185497'
    """

    def __init__(self, saved_model_checksum=None, graph_def_program_hash=None,
                 signature_def_hash=None, saved_object_graph_hash=None, checkpoint_hash=None,
                 version=None):  # fmt: skip
        self.saved_model_checksum = saved_model_checksum
        self.graph_def_program_hash = graph_def_program_hash
        self.signature_def_hash = signature_def_hash
        self.saved_object_graph_hash = saved_object_graph_hash
        self.checkpoint_hash = checkpoint_hash
        self.version = version

    @classmethod
    def from_proto(cls, proto):
        return cls(proto.saved_model_checksum, proto.graph_def_program_hash,
                   proto.signature_def_hash, proto.saved_object_graph_hash,
                   proto.checkpoint_hash, proto.version)  # fmt: skip

    def singleprint(self) -> str:
        """The model's identity without the file checksum: graph/signatures/objects/variables."""
        return (f"{self.graph_def_program_hash}/{self.signature_def_hash}/"
                f"{self.saved_object_graph_hash}/{self.checkpoint_hash}")  # fmt: skip

    def _fields(self):
        return (self.saved_model_checksum, self.graph_def_program_hash,
                self.signature_def_hash, self.saved_object_graph_hash, self.checkpoint_hash)  # fmt: skip

    def __eq__(self, other):
        return isinstance(other, Fingerprint) and self._fields() == other._fields()

    def __hash__(self):
        return hash(self._fields())

    def __str__(self):
        names = ("saved_model_checksum", "graph_def_program_hash", "signature_def_hash",
                 "saved_object_graph_hash", "checkpoint_hash")  # fmt: skip
        return "SavedModel Fingerprint\n" + "\n".join(
            f"  {n}: {v}" for n, v in zip(names, self._fields())
        )

    def __repr__(self):
        return "Fingerprint({}, {}, {}, {}, {})".format(*self._fields())


def read_fingerprint(export_dir) -> Fingerprint:
    """Reads `fingerprint.pb` from a SavedModel directory (TF's FileNotFoundError if absent)."""
    export_dir = os.fspath(export_dir)
    path = os.path.join(export_dir, FINGERPRINT_FILENAME)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"SavedModel Fingerprint Error: Could not find fingerprint in directory: "
            f"{export_dir}\nNOT_FOUND: {path} not found"
        )
    with open(path, "rb") as fh:
        data = fh.read()
    from google.protobuf.message import DecodeError

    try:
        proto = _sm().FingerprintDef.FromString(data)
    except DecodeError as e:
        from arroyo.framework.errors import DataLossError

        raise DataLossError(None, None, f"Could not parse fingerprint {path}: {e}") from None
    return Fingerprint.from_proto(proto)
