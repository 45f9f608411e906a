"""The functions of the top-level `tf.*` namespace, from the op modules' TF_API."""

from arroyo._api._build import exports

globals().update(exports("tf"))
__all__ = sorted(exports("tf"))
