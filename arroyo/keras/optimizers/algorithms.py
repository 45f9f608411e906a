"""The optimization algorithms: SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, Nadam.

Each `_update` is written once for NumPy arrays (eager) and arroyo tensors (graphs), in
Keras 3's order of operations. `xp.const(x, like)` is x in `like`'s dtype.
"""

from __future__ import annotations

from arroyo.keras.optimizers.optimizer import NP, Optimizer

__all__ = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam"]


class SGD(Optimizer):
    """Gradient descent with optional (Nesterov) momentum.

    >>> opt = tf.keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):  # fmt: skip
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps,
                         **kwargs)  # fmt: skip
        if not isinstance(momentum, float) or momentum < 0 or momentum > 1:
            if isinstance(momentum, int) and 0 <= momentum <= 1:
                momentum = float(momentum)
            else:
                raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum = momentum
        self.nesterov = nesterov

    def _active_slots(self):
        return ((("momentums", "momentum", 0.0),),) if self.momentum != 0 else ()

    def _slot_attr_names(self):
        return ["momentums"]

    def _update(self, xp, var, g, slots, lr, step, cache):
        lr = xp.const(lr, var)
        if not slots:
            return var - g * lr, []
        (m,) = slots
        mom = xp.const(self.momentum, var)
        m = m * mom - g * lr
        if self.nesterov:
            return var + (m * mom - g * lr), [m]
        return var + m, [m]

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class _AdamLike(Optimizer):
    def __init__(self, learning_rate, beta_1, beta_2, epsilon, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}  # fmt: skip


class Adam(_AdamLike):
    """Adam: m and v moving averages with bias correction; `amsgrad` keeps max(v).

    >>> opt = tf.keras.optimizers.Adam(learning_rate=1e-3)
    """

    _SLOTS = ((("_momentums", "momentum", 0.0), ("_velocities", "velocity", 0.0)),)

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):  # fmt: skip
        super().__init__(learning_rate, beta_1, beta_2, epsilon, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)  # fmt: skip
        self.amsgrad = amsgrad

    def _active_slots(self):
        if self.amsgrad:
            return self._SLOTS + ((("_velocity_hats", "velocity_hat", 0.0),),)
        return self._SLOTS

    def _slot_attr_names(self):
        return ["_momentums", "_velocities", "_velocity_hats"]

    def _update(self, xp, var, g, slots, lr, step, cache):
        key = var.dtype
        alpha = cache.get(key)
        if alpha is None:
            lr = xp.const(lr, var)
            t = xp.const(step, var)
            b1p = xp.power(xp.const(self.beta_1, var), t)
            b2p = xp.power(xp.const(self.beta_2, var), t)
            one = xp.const(1, var)
            alpha = cache[key] = lr * xp.sqrt(one - b2p) / (one - b1p)
        m, v = slots[0], slots[1]
        m = m + (g - m) * xp.const(1 - self.beta_1, var)
        v = v + (xp.square(g) - v) * xp.const(1 - self.beta_2, var)
        new = [m, v]
        if self.amsgrad:
            vhat = xp.maximum(slots[2], v)
            new.append(vhat)
            v = vhat
        return var - (m * alpha) / (xp.sqrt(v) + xp.const(self.epsilon, var)), new

    def get_config(self):
        return {**super().get_config(), "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (default 0.004)."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):  # fmt: skip
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)  # fmt: skip
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")


class RMSprop(Optimizer):
    """RMSprop: divides by a moving root-mean-square of the gradients."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):  # fmt: skip
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)  # fmt: skip
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def _active_slots(self):
        groups = [(("_velocities", "velocity", 0.0),)]
        if self.momentum > 0:
            groups.append((("_momentums", "momentum", 0.0),))
        if self.centered:
            groups.append((("_average_gradients", "average_gradient", 0.0),))
        return tuple(groups)

    def _slot_attr_names(self):
        return ["_velocities", "_momentums", "_average_gradients"]

    def _update(self, xp, var, g, slots, lr, step, cache):
        lr = xp.const(lr, var)
        rho = xp.const(self.rho, var)
        one_rho = xp.const(1 - self.rho, var)
        eps = xp.const(self.epsilon, var)
        it = iter(slots)
        vel = next(it)
        mom = next(it) if self.momentum > 0 else None
        avg = next(it) if self.centered else None
        vel = rho * vel + one_rho * xp.square(g)
        new = [vel]
        if self.centered:
            avg = rho * avg + one_rho * g
            denominator = vel - xp.square(avg) + eps
        else:
            denominator = vel + eps
        increment = (lr * g) / xp.sqrt(denominator)
        if mom is not None:
            mom = xp.const(self.momentum, var) * mom + increment
            new.append(mom)
            if avg is not None:
                new.append(avg)
            return var - mom, new
        if avg is not None:
            new.append(avg)
        return var - increment, new

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}  # fmt: skip


class Adagrad(Optimizer):
    """Adagrad: per-parameter rates from the sum of squared gradients."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name="adagrad",
                 **kwargs):  # fmt: skip
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)  # fmt: skip
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def _active_slots(self):
        return ((("_accumulators", "accumulator", self.initial_accumulator_value),),)

    def _slot_attr_names(self):
        return ["_accumulators"]

    def _update(self, xp, var, g, slots, lr, step, cache):
        lr = xp.const(lr, var)
        acc = slots[0] + xp.square(g)
        return var - (lr * g) / xp.sqrt(acc + xp.const(self.epsilon, var)), [acc]

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}  # fmt: skip


class Adadelta(Optimizer):
    """Adadelta: step sizes from moving averages of squared gradients and updates."""

    _SLOTS = ((("_accumulated_grads", "accumulated_grad", 0.0),
               ("_accumulated_delta_vars", "accumulated_delta_var", 0.0)),)  # fmt: skip

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="adadelta", **kwargs):  # fmt: skip
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)  # fmt: skip
        self.rho = rho
        self.epsilon = epsilon

    def _update(self, xp, var, g, slots, lr, step, cache):
        lr = xp.const(lr, var)
        rho = xp.const(self.rho, var)
        one_rho = xp.const(1 - self.rho, var)
        eps = xp.const(self.epsilon, var)
        ag, ad = slots
        ag = rho * ag + one_rho * xp.square(g)
        delta = -((xp.sqrt(ad + eps) * g) / xp.sqrt(ag + eps))
        ad = rho * ad + one_rho * xp.square(delta)
        return var + lr * delta, [ag, ad]

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class Adamax(_AdamLike):
    """Adamax: Adam with the infinity norm."""

    _SLOTS = ((("_m", "momentum", 0.0), ("_u", "norm", 0.0)),)

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name="adamax",
                 **kwargs):  # fmt: skip
        super().__init__(learning_rate, beta_1, beta_2, epsilon, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)  # fmt: skip

    def _update(self, xp, var, g, slots, lr, step, cache):
        lr = xp.const(lr, var)
        t = xp.const(step, var)
        b1p = xp.power(xp.const(self.beta_1, var), t)
        m, u = slots
        m = m + (g - m) * xp.const(1 - self.beta_1, var)
        u = xp.maximum(xp.const(self.beta_2, var) * u, xp.abs(g))
        denom = (xp.const(1, var) - b1p) * (u + xp.const(self.epsilon, var))
        return var - (lr * m) / denom, [m, u]


class Nadam(_AdamLike):
    """Adam with Nesterov momentum (Keras 3's momentum schedule)."""

    _SLOTS = ((("_momentums", "momentum", 0.0), ("_velocities", "velocity", 0.0)),)

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name="nadam",
                 **kwargs):  # fmt: skip
        super().__init__(learning_rate, beta_1, beta_2, epsilon, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)  # fmt: skip

    def _build_extra(self, var_list):
        import arroyo as tf
        from arroyo.graph.variable_lifting import init_scope

        dtype = var_list[0].dtype if var_list else tf.float32
        with init_scope():
            self._u_product = tf.Variable(tf.constant(1.0, dtype), trainable=False,
                                          name=f"{self.name}/variable")  # fmt: skip
        self._variables.append(self._u_product)

    def _extra_checkpoint_children(self):
        return [("_u_product", self._u_product)] if self.built else []

    def _pre_update(self, xp, step, eager):
        up = self._u_product
        if eager:
            import numpy as np

            a = up._value
            t = np.asarray(step, a.dtype)
            up._value = np.asarray(
                a * np.asarray(self.beta_1, a.dtype)
                * (np.asarray(1.0, a.dtype) - np.asarray(0.5, a.dtype) * np.power(np.asarray(0.96, a.dtype), t)),
                a.dtype,
            )  # fmt: skip
        else:
            import arroyo as tf

            t = tf.cast(step, up.dtype)
            up.assign(up * self.beta_1 * (1.0 - 0.5 * tf.pow(tf.cast(0.96, up.dtype), t)))

    def _update(self, xp, var, g, slots, lr, step, cache):
        lr = xp.const(lr, var)
        t = xp.const(step, var)
        t1 = xp.const(step + 1, var)
        decay = xp.const(0.96, var)
        b1 = xp.const(self.beta_1, var)
        b2 = xp.const(self.beta_2, var)
        one = xp.const(1.0, var)
        half = xp.const(0.5, var)
        u_t = b1 * (one - half * xp.power(decay, t))
        u_t_1 = b1 * (one - half * xp.power(decay, t1))
        up = self._u_product._value if xp is NP else self._u_product.value()
        u_product_t = xp.const(up, var)
        u_product_t_1 = u_product_t * u_t_1
        b2p = xp.power(b2, t)
        m, v = slots
        m = m + (g - m) * (one - b1)
        v = v + (xp.square(g) - v) * (one - b2)
        m_hat = (u_t_1 * m) / (one - u_product_t_1) + ((one - u_t) * g) / (one - u_product_t)
        v_hat = v / (one - b2p)
        return var - (m_hat * lr) / (xp.sqrt(v_hat) + xp.const(self.epsilon, var)), [m, v]
