"""tf.keras.optimizers.schedules: learning rates as functions of the optimizer step.

    lr = tf.keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5)
    opt = tf.keras.optimizers.SGD(lr)          # lr(step) is read at every update

Schedules are built from arroyo ops, so they run eagerly and inside `tf.function`.
"""

from __future__ import annotations

import math

import arroyo as _tf
from arroyo.keras import _leaf_utils

__all__ = ["LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay",
           "PolynomialDecay", "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts",
           "serialize", "deserialize"]  # fmt: skip


def _f(x):
    t = _tf.convert_to_tensor(x)
    return t if t.dtype.is_floating else _tf.cast(t, _tf.float32)


class LearningRateSchedule:
    """Base class: `schedule(step)` returns the learning rate at `step`."""

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`."
        )

    def get_config(self):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` in "
            "order to be serializable."
        )

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _check_steps(name, value):
    if value <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


class _RateDecay(LearningRateSchedule):
    """Schedules of (initial_learning_rate, decay_steps, decay_rate, staircase): the shared
    arguments, config and the (floored when staircase) progress step / decay_steps."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase, name):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_steps("decay_steps", decay_steps)

    def __call__(self, step):
        lr = _f(self.initial_learning_rate)
        dt = lr.dtype
        p = _tf.cast(step, dt) / _tf.cast(self.decay_steps, dt)
        if self.staircase:
            p = _tf.floor(p)
        return self._decay(lr, _tf.cast(self.decay_rate, dt), p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}  # fmt: skip


class ExponentialDecay(_RateDecay):
    """initial_learning_rate * decay_rate ** (step / decay_steps) (floored if staircase)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):  # fmt: skip
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    @staticmethod
    def _decay(lr, rate, p):
        return lr * _tf.pow(rate, p)


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[i] while boundaries[i-1] < step <= boundaries[i]."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step = _tf.convert_to_tensor(step)
        bounds = [_tf.cast(b, step.dtype) for b in self.boundaries]
        values = [_tf.convert_to_tensor(v) for v in self.values]
        dt = values[0].dtype
        out = _tf.cast(step <= bounds[0], dt) * values[0]
        out = out + _tf.cast(step > bounds[-1], dt) * values[-1]
        for low, high, v in zip(bounds[:-1], bounds[1:], values[1:-1]):
            out = out + _tf.cast(_tf.logical_and(step > low, step <= high), dt) * v
        return out

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """(initial - end) * (1 - step / decay_steps) ** power + end (optionally cycling)."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):  # fmt: skip
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name
        _check_steps("decay_steps", decay_steps)

    def __call__(self, step):
        lr = _f(self.initial_learning_rate)
        dt = lr.dtype
        end = _tf.cast(self.end_learning_rate, dt)
        power = _tf.cast(self.power, dt)
        s = _tf.cast(step, dt)
        steps = _tf.cast(self.decay_steps, dt)
        if self.cycle:
            mult = _tf.where(_tf.equal(s, 0), _tf.ones_like(s), _tf.math.ceil(s / steps))
            steps = steps * mult
        else:
            s = _tf.minimum(s, steps)
        p = s / steps
        return (lr - end) * _tf.pow(1 - p, power) + end

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}  # fmt: skip


class InverseTimeDecay(_RateDecay):
    """initial_learning_rate / (1 + decay_rate * step / decay_steps)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):  # fmt: skip
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    @staticmethod
    def _decay(lr, rate, p):
        return lr / (_tf.cast(1, lr.dtype) + rate * p)


class CosineDecay(LearningRateSchedule):
    """Cosine decay to `alpha * lr` over `decay_steps`, after an optional linear warmup."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):  # fmt: skip
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        _check_steps("decay_steps", decay_steps)

    def _decay(self, step, steps, from_lr, dt):
        frac = step / steps
        cosine = 0.5 * (1.0 + _tf.cos(_tf.constant(math.pi, dt) * frac))
        return from_lr * ((1 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        lr = _f(self.initial_learning_rate)
        dt = lr.dtype
        steps = _tf.cast(self.decay_steps, dt)
        s = _tf.cast(step, dt)
        if self.warmup_target is None:
            return self._decay(_tf.minimum(s, steps), steps, lr, dt)
        target = _tf.cast(self.warmup_target, dt)
        warm = _tf.cast(self.warmup_steps, dt)
        s = _tf.minimum(s, steps + warm)
        return _tf.cond(
            s < warm,
            lambda: (target - lr) * (s / warm) + lr,
            lambda: self._decay(s - warm, steps, target, dt),
        )

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}  # fmt: skip


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): periods grow by t_mul, peaks by m_mul."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name="SGDRDecay"):  # fmt: skip
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name
        _check_steps("first_decay_steps", first_decay_steps)

    def __call__(self, step):
        lr = _f(self.initial_learning_rate)
        dt = lr.dtype
        t_mul = _tf.cast(self._t_mul, dt)
        frac = _tf.cast(step, dt) / _tf.cast(self.first_decay_steps, dt)
        if self._t_mul == 1.0:
            i = _tf.floor(frac)
            frac = frac - i
        else:
            i = _tf.floor(_tf.math.log(1.0 - frac * (1.0 - t_mul)) / _tf.math.log(t_mul))
            sum_r = (1.0 - _tf.pow(t_mul, i)) / (1.0 - t_mul)
            frac = (frac - sum_r) / _tf.pow(t_mul, i)
        m_fac = _tf.pow(_tf.cast(self._m_mul, dt), i)
        cosine = 0.5 * m_fac * (1.0 + _tf.cos(_tf.constant(math.pi, dt) * frac))
        alpha = _tf.cast(self.alpha, dt)
        return lr * ((1 - alpha) * cosine + alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}  # fmt: skip


_TABLE = {c.__name__: c for c in (ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay,
                                  InverseTimeDecay, CosineDecay, CosineDecayRestarts)}  # fmt: skip


def serialize(learning_rate_schedule):
    """Keras 3's dict for a schedule (`module` "keras.optimizers.schedules")."""
    return _leaf_utils.serialize_object(learning_rate_schedule, "keras.optimizers.schedules")


def deserialize(config, custom_objects=None):
    """The schedule a `serialize()` dict describes."""
    return _leaf_utils.deserialize_object(config, _TABLE, "learning rate schedule",
                                          custom_objects)  # fmt: skip
