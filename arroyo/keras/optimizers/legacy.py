"""tf.keras.optimizers.legacy: Keras 2's names, served by the Keras 3 optimizers.

TF 2.21 keeps these names only as stubs; the TF guides written for Keras 2 use them as
ordinary optimizers, so here they are the same classes as `tf.keras.optimizers.*`.
"""

from __future__ import annotations

from arroyo.keras.optimizers.algorithms import (  # noqa: F401
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    Nadam,
    RMSprop,
)
from arroyo.keras.optimizers.optimizer import Optimizer  # noqa: F401
