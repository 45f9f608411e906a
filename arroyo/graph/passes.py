"""Graph optimization passes (filled in below); `optimize` returns the outputs to compute."""

from __future__ import annotations


def optimize(graph, inputs, outputs):
    return outputs
