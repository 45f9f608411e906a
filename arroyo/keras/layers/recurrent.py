"""Recurrent layers as Keras 3 has them: SimpleRNN, LSTM, GRU, their cells, the generic
`RNN(cell)`, `StackedRNNCells`, `Bidirectional` and `TimeDistributed`.

Weights are named and laid out as Keras 3's (`kernel`, `recurrent_kernel`, `bias`; LSTM
gates i, f, c, o; GRU gates z, r, h with a `(2, 3 * units)` bias when `reset_after`), so
`.keras` files move both ways. The built-in cells project the whole input sequence with one
matmul before the time loop; the loop is a Python loop over timesteps (eagerly, and unrolled
at trace time inside `tf.function` for short static lengths) or a `tf.while_loop` over
`TensorArray`s (long or unknown lengths).

    >>> layer = tf.keras.layers.LSTM(4, return_sequences=True)
    >>> layer(tf.zeros([2, 5, 3])).shape
    TensorShape([2, 5, 4])
"""

from __future__ import annotations

import numpy as np

import arroyo as tf
from arroyo.framework.context import state
from arroyo.keras import backend
from arroyo.keras.layers.base import InputSpec, Layer

__all__ = [
    "RNN", "SimpleRNN", "LSTM", "GRU", "SimpleRNNCell", "LSTMCell", "GRUCell",
    "StackedRNNCells", "Bidirectional", "TimeDistributed",
]  # fmt: skip

# Inside tf.function, static lengths up to this unroll at trace time (straight-line code the
# graph optimizer fuses); longer or unknown lengths use a while loop.
MAX_TRACE_UNROLL = 64


def _ser(obj):
    from arroyo.keras.saving.serialization import serialize_keras_object

    return serialize_keras_object(obj)


def _act(a):
    from arroyo.keras import activations

    return activations.get(a)


def _act_name(fn):
    from arroyo.keras import activations

    return activations.serialize(fn)


def _init(x):
    from arroyo.keras import initializers

    return initializers.get(x)


def _reg(x):
    from arroyo.keras import regularizers

    return regularizers.get(x) if x is not None else None


def _con(x):
    from arroyo.keras import constraints

    return constraints.get(x) if x is not None else None


def _in_graph():
    g = state.graph
    return g is not None


def _zeros(batch, size, dtype):
    # tf.zeros of a list mixing a tensor and ints (TF packs it; arroyo's zeros does not yet)
    if isinstance(batch, int):
        return tf.zeros([batch, size], dtype=dtype)
    z = tf.zeros(tf.stack([tf.cast(batch, "int32"), size]), dtype=dtype)
    if hasattr(z, "set_shape"):
        z.set_shape([None, size])  # Fill's inference does not see through Pack
    return z


def _is_nested(x):
    return isinstance(x, (list, tuple))


# -- cells --------------------------------------------------------------------------------


class DropoutRNNCell:
    """Dropout masks made once per sequence and reused at every timestep (Keras 3)."""

    dropout_mask_count = None

    def _create_dropout_mask(self, step_input, rate):
        ones = tf.ones_like(step_input)
        count = self.dropout_mask_count
        seed = getattr(self, "seed", None)
        if count is None:
            return tf.nn.dropout(ones, rate=rate, seed=seed)
        return [tf.nn.dropout(ones, rate=rate, seed=seed) for _ in range(count)]

    def get_dropout_mask(self, step_input):
        d = self.__dict__
        if d.get("_arroyo_dp_mask") is None and self.dropout > 0:
            d["_arroyo_dp_mask"] = self._create_dropout_mask(step_input, self.dropout)
        return d.get("_arroyo_dp_mask")

    def get_recurrent_dropout_mask(self, step_input):
        d = self.__dict__
        if d.get("_arroyo_rdp_mask") is None and self.recurrent_dropout > 0:
            d["_arroyo_rdp_mask"] = self._create_dropout_mask(step_input, self.recurrent_dropout)
        return d.get("_arroyo_rdp_mask")

    def reset_dropout_mask(self):
        self.__dict__["_arroyo_dp_mask"] = None

    def reset_recurrent_dropout_mask(self):
        self.__dict__["_arroyo_rdp_mask"] = None


def _check_units(units):
    if not isinstance(units, int) or units <= 0:
        raise ValueError(
            "Received an invalid value for argument `units`, expected a positive integer, "
            f"got {units}."
        )


def _check_rates(dropout, recurrent_dropout):
    return min(1.0, max(0.0, float(dropout))), min(1.0, max(0.0, float(recurrent_dropout)))


class _BaseCell(DropoutRNNCell, Layer):
    """Common arguments of the three built-in cells."""

    _gates = 1

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):  # fmt: skip
        _check_units(units)
        implementation = kwargs.pop("implementation", 2)
        super().__init__(**kwargs)
        self.units = units
        self.activation = _act(activation)
        self.recurrent_activation = _act(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = _init(kernel_initializer)
        self.recurrent_initializer = _init(recurrent_initializer)
        self.bias_initializer = _init(bias_initializer)
        self.kernel_regularizer = _reg(kernel_regularizer)
        self.recurrent_regularizer = _reg(recurrent_regularizer)
        self.bias_regularizer = _reg(bias_regularizer)
        self.kernel_constraint = _con(kernel_constraint)
        self.recurrent_constraint = _con(recurrent_constraint)
        self.bias_constraint = _con(bias_constraint)
        self.dropout, self.recurrent_dropout = _check_rates(dropout, recurrent_dropout)
        self.seed = seed
        self.implementation = implementation
        if self.recurrent_dropout != 0.0 and self._gates > 1:
            self.implementation = 1
        if self.implementation == 1 and self._gates > 1:
            self.dropout_mask_count = self._gates

    def _add_kernels(self, input_dim):
        n = self.units * self._gates
        self.kernel = self.add_weight(
            shape=(input_dim, n), name="kernel", initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
        )  # fmt: skip
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, n), name="recurrent_kernel",
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )  # fmt: skip

    def _add_bias(self, shape, initializer=None):
        self.bias = self.add_weight(
            shape=shape, name="bias", initializer=initializer or self.bias_initializer,
            regularizer=self.bias_regularizer, constraint=self.bias_constraint,
        )  # fmt: skip

    def get_initial_state(self, batch_size=None):
        sizes = self.state_size if _is_nested(self.state_size) else [self.state_size]
        return [_zeros(batch_size, d, self.compute_dtype) for d in sizes]

    def _fast_ok(self, training):
        """Whether the sequence path (one input projection, fused steps) applies."""
        return self.implementation != 1 or not (training and self.recurrent_dropout > 0)

    def _base_config(self):
        config = Layer.get_config(self)
        config.update({"units": self.units, "activation": _act_name(self.activation)})
        return config

    def _tail_config(self):
        return {
            "kernel_initializer": _ser(self.kernel_initializer),
            "recurrent_initializer": _ser(self.recurrent_initializer),
            "bias_initializer": _ser(self.bias_initializer),
            "kernel_regularizer": _ser(self.kernel_regularizer),
            "recurrent_regularizer": _ser(self.recurrent_regularizer),
            "bias_regularizer": _ser(self.bias_regularizer),
            "kernel_constraint": _ser(self.kernel_constraint),
            "recurrent_constraint": _ser(self.recurrent_constraint),
            "bias_constraint": _ser(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
        }

    # The sequence path: `_project` maps (batch, time, features) to the per-step input
    # terms with one matmul; `_step` advances the states from one projected step.
    def _project(self, sequence, training):
        x = sequence
        if training and 0.0 < self.dropout < 1.0:
            dp = self.get_dropout_mask(sequence[:, 0])
            x = x * tf.expand_dims(dp, 1)
        shape = tf.shape(x) if None in x.shape.as_list()[:2] else x.shape.as_list()
        flat = tf.reshape(x, [-1, x.shape[-1]])
        xp = tf.matmul(flat, self.kernel)
        bias = self._input_bias()
        if bias is not None:
            xp = xp + bias
        return tf.reshape(xp, [shape[0], shape[1], xp.shape[-1]])

    def _input_bias(self):
        return self.bias if self.use_bias else None


class SimpleRNNCell(_BaseCell):
    """One step of a fully connected RNN: `h = activation(x @ kernel + h @ recurrent + b)`.

    >>> cell = tf.keras.layers.SimpleRNNCell(3)
    >>> out, states = cell(tf.ones([2, 4]), [tf.zeros([2, 3])])
    >>> out.shape
    TensorShape([2, 3])
    """

    def __init__(self, units, activation="tanh", use_bias=True, **kwargs):
        kwargs.pop("recurrent_activation", None)
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        self._add_kernels(input_shape[-1])
        if self.use_bias:
            self._add_bias((self.units,))
        else:
            self.bias = None
        self.built = True

    def call(self, sequence, states, training=False):
        prev = states[0] if _is_nested(states) else states
        dp = self.get_dropout_mask(sequence)
        rdp = self.get_recurrent_dropout_mask(prev)
        if training and dp is not None:
            sequence = sequence * dp
        h = tf.matmul(sequence, self.kernel)
        if self.bias is not None:
            h = h + self.bias
        if training and rdp is not None:
            prev = prev * rdp
        output = h + tf.matmul(prev, self.recurrent_kernel)
        if self.activation is not None:
            output = self.activation(output)
        return output, ([output] if _is_nested(states) else output)

    def _fast_ok(self, training):
        return True

    def _step(self, xp_t, states, rdp):
        prev = states[0]
        if rdp is not None:
            prev = prev * rdp
        out = xp_t + tf.matmul(prev, self.recurrent_kernel)
        if self.activation is not None:
            out = self.activation(out)
        return out, [out]

    def get_config(self):
        config = self._base_config()
        config["use_bias"] = self.use_bias
        config.update(self._tail_config())
        config["seed"] = self.seed
        return config


class LSTMCell(_BaseCell):
    """One LSTM step (gates i, f, c, o in the kernels' columns).

    >>> cell = tf.keras.layers.LSTMCell(3)
    >>> h, (h2, c) = cell(tf.ones([2, 4]), [tf.zeros([2, 3]), tf.zeros([2, 3])])
    >>> c.shape
    TensorShape([2, 3])
    """

    _gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 unit_forget_bias=True, **kwargs):  # fmt: skip
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation,
                         use_bias=use_bias, **kwargs)  # fmt: skip
        self.unit_forget_bias = unit_forget_bias
        self.state_size = [self.units, self.units]
        self.output_size = self.units

    def build(self, input_shape):
        self._add_kernels(input_shape[-1])
        if self.use_bias:
            if self.unit_forget_bias:
                base = self.bias_initializer
                u = self.units

                def bias_initializer(shape, dtype=None):
                    return tf.concat(
                        [base((u,), dtype=dtype), tf.ones((u,), dtype=dtype),
                         base((2 * u,), dtype=dtype)], 0,
                    )  # fmt: skip

                self._add_bias((4 * self.units,), initializer=bias_initializer)
            else:
                self._add_bias((4 * self.units,))
        else:
            self.bias = None
        self.built = True

    def call(self, inputs, states, training=False):
        h_tm1, c_tm1 = states[0], states[1]
        if self.implementation == 1:
            if training and 0.0 < self.dropout < 1.0:
                dp = self.get_dropout_mask(inputs)
                xs = [inputs * m for m in dp]
            else:
                xs = [inputs] * 4
            ks = tf.split(self.kernel, 4, axis=1)
            x = [tf.matmul(a, k) for a, k in zip(xs, ks)]
            if self.use_bias:
                x = [a + b for a, b in zip(x, tf.split(self.bias, 4, axis=0))]
            if training and 0.0 < self.recurrent_dropout < 1.0:
                rdp = self.get_recurrent_dropout_mask(h_tm1)
                hs = [h_tm1 * m for m in rdp]
            else:
                hs = [h_tm1] * 4
            us = tf.split(self.recurrent_kernel, 4, axis=1)
            z = [a + tf.matmul(h, u) for a, h, u in zip(x, hs, us)]
        else:
            if training and 0.0 < self.dropout < 1.0:
                inputs = inputs * self.get_dropout_mask(inputs)
            z = tf.matmul(inputs, self.kernel) + tf.matmul(h_tm1, self.recurrent_kernel)
            if self.use_bias:
                z = z + self.bias
            z = tf.split(z, 4, axis=1)
        ra = self.recurrent_activation
        i, f, o = ra(z[0]), ra(z[1]), ra(z[3])
        c = f * c_tm1 + i * self.activation(z[2])
        h = o * self.activation(c)
        return h, [h, c]

    def _step(self, xp_t, states, rdp):
        h_tm1, c_tm1 = states
        z = xp_t + tf.matmul(h_tm1, self.recurrent_kernel)
        # the recurrent activation on all four blocks at once, then the candidate block's raw
        # values: one elementwise op instead of three
        s = self.recurrent_activation(z)
        u = self.units
        i, f, o = s[:, :u], s[:, u : 2 * u], s[:, 3 * u :]
        c = f * c_tm1 + i * self.activation(z[:, 2 * u : 3 * u])
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        config = self._base_config()
        config.update({
            "recurrent_activation": _act_name(self.recurrent_activation),
            "use_bias": self.use_bias,
            "unit_forget_bias": self.unit_forget_bias,
        })  # fmt: skip
        config.update(self._tail_config())
        config["seed"] = self.seed
        return config


class GRUCell(_BaseCell):
    """One GRU step (gates z, r, h; `reset_after=True` applies the reset gate after the
    recurrent matmul and keeps separate input and recurrent biases, shape `(2, 3 * units)`).

    >>> cell = tf.keras.layers.GRUCell(3)
    >>> h, _ = cell(tf.ones([2, 4]), tf.zeros([2, 3]))
    >>> h.shape
    TensorShape([2, 3])
    """

    _gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 reset_after=True, **kwargs):  # fmt: skip
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation,
                         use_bias=use_bias, **kwargs)  # fmt: skip
        self.reset_after = reset_after
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        self._add_kernels(input_shape[-1])
        if self.use_bias:
            shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
            self._add_bias(shape)
        else:
            self.bias = None
        self.built = True

    def _biases(self):
        if not self.use_bias:
            return None, None
        if not self.reset_after:
            return self.bias, None
        return self.bias[0], self.bias[1]

    def _input_bias(self):
        return self._biases()[0]

    def call(self, inputs, states, training=False):
        h_tm1 = states[0] if _is_nested(states) else states
        u = self.units
        input_bias, recurrent_bias = self._biases()
        if self.implementation == 1:
            if training and 0.0 < self.dropout < 1.0:
                dp = self.get_dropout_mask(inputs)
                xs = [inputs * m for m in dp]
            else:
                xs = [inputs] * 3
            ks = tf.split(self.kernel, 3, axis=1)
            x_z, x_r, x_h = [tf.matmul(a, k) for a, k in zip(xs, ks)]
            if self.use_bias:
                x_z = x_z + input_bias[:u]
                x_r = x_r + input_bias[u : 2 * u]
                x_h = x_h + input_bias[2 * u :]
            if training and 0.0 < self.recurrent_dropout < 1.0:
                rdp = self.get_recurrent_dropout_mask(h_tm1)
                h_z, h_r, h_h = (h_tm1 * m for m in rdp)
            else:
                h_z = h_r = h_h = h_tm1
            rk = self.recurrent_kernel
            rec_z = tf.matmul(h_z, rk[:, :u])
            rec_r = tf.matmul(h_r, rk[:, u : 2 * u])
            if self.reset_after and self.use_bias:
                rec_z = rec_z + recurrent_bias[:u]
                rec_r = rec_r + recurrent_bias[u : 2 * u]
            z = self.recurrent_activation(x_z + rec_z)
            r = self.recurrent_activation(x_r + rec_r)
            if self.reset_after:
                rec_h = tf.matmul(h_h, rk[:, 2 * u :])
                if self.use_bias:
                    rec_h = rec_h + recurrent_bias[2 * u :]
                rec_h = r * rec_h
            else:
                rec_h = tf.matmul(r * h_h, rk[:, 2 * u :])
            hh = self.activation(x_h + rec_h)
            h = z * h_tm1 + (1 - z) * hh
        else:
            if training and 0.0 < self.dropout < 1.0:
                inputs = inputs * self.get_dropout_mask(inputs)
            xp = tf.matmul(inputs, self.kernel)
            if input_bias is not None:
                xp = xp + input_bias
            h = self._step(xp, [h_tm1], None)[0]
        return h, ([h] if _is_nested(states) else h)

    def _step(self, xp_t, states, rdp):
        h_tm1 = states[0]
        u = self.units
        if self.reset_after:
            inner = tf.matmul(h_tm1, self.recurrent_kernel)
            if self.use_bias:
                inner = inner + self.bias[1]
        else:
            inner = tf.matmul(h_tm1, self.recurrent_kernel[:, : 2 * u])
        zr = self.recurrent_activation(xp_t[:, : 2 * u] + inner[:, : 2 * u])
        z, r = zr[:, :u], zr[:, u:]
        if self.reset_after:
            rec_h = r * inner[:, 2 * u :]
        else:
            rec_h = tf.matmul(r * h_tm1, self.recurrent_kernel[:, 2 * u :])
        hh = self.activation(xp_t[:, 2 * u :] + rec_h)
        h = z * h_tm1 + (1 - z) * hh
        return h, [h]

    def get_config(self):
        config = self._base_config()
        config.update({
            "recurrent_activation": _act_name(self.recurrent_activation),
            "use_bias": self.use_bias,
        })  # fmt: skip
        config.update(self._tail_config())
        config["reset_after"] = self.reset_after
        config["seed"] = self.seed
        return config


class StackedRNNCells(Layer):
    """Several cells run as one: each cell's output feeds the next at every timestep.

    >>> cells = tf.keras.layers.StackedRNNCells([tf.keras.layers.LSTMCell(3),
    ...                                          tf.keras.layers.GRUCell(2)])
    >>> tf.keras.layers.RNN(cells)(tf.zeros([1, 4, 5])).shape
    TensorShape([1, 2])
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if "call" not in dir(cell):
                raise ValueError(
                    f"All cells must have a `call` method. Received cell without a `call` "
                    f"method: {cell}"
                )
            if "state_size" not in dir(cell):
                raise ValueError(
                    "All cells must have a `state_size` attribute. Received cell without a "
                    f"`state_size`: {cell}"
                )
        self.cells = list(cells)

    @property
    def state_size(self):
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        s = last.state_size
        return s[0] if _is_nested(s) else s

    def get_initial_state(self, batch_size=None):
        out = []
        for cell in self.cells:
            fn = getattr(cell, "get_initial_state", None)
            if fn is not None:
                out.append(fn(batch_size=batch_size))
            else:
                sizes = cell.state_size if _is_nested(cell.state_size) else [cell.state_size]
                st = [_zeros(batch_size, d, self.compute_dtype) for d in sizes]
                out.append(st if _is_nested(cell.state_size) else st[0])
        return out

    def call(self, inputs, states, training=False, **kwargs):
        new_states = []
        for cell, st in zip(self.cells, states):
            was_list = _is_nested(st)
            st = list(st) if was_list else [st]
            inputs, st = _call_cell(cell, inputs, st, training)
            new_states.append(st if was_list or len(st) != 1 else st[0])
        return inputs, new_states

    def build(self, input_shape):
        shape = tuple(input_shape)
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell._maybe_build(shape)
            out = getattr(cell, "output_size", None)
            if out is None:
                s = cell.state_size
                out = s[0] if _is_nested(s) else s
            shape = (shape[0], out)
        self.built = True

    def get_config(self):
        config = super().get_config()
        config["cells"] = [_ser(c) for c in self.cells]
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from arroyo.keras.saving.serialization import deserialize_keras_object

        config = dict(config)
        cells = [deserialize_keras_object(c, custom_objects) for c in config.pop("cells")]
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = config["dtype"].get("config", {}).get("name")
        return cls(cells, **config)


def _call_cell(cell, inputs, states, training):
    """Calls a cell on one step; returns (output, list of new states)."""
    kwargs = {}
    if isinstance(cell, Layer):
        from arroyo.keras.layers.base import _call_spec

        if _call_spec(type(cell))[3]:
            kwargs["training"] = training
        out, new = cell(inputs, states, **kwargs)
    else:
        out, new = cell.call(inputs, states, **kwargs)
    if not _is_nested(new):
        new = [new]
    return out, list(new)


# -- the time loop --------------------------------------------------------------------------


def _time_loop(step, xs, states, mask, go_backwards, zero_output_for_mask, return_sequences,
               unroll, output_size=None):  # fmt: skip
    """Runs `step(x_t, states) -> (output, states)` over the time axis of `xs` (batch-major,
    rank >= 3). Returns (last_output, outputs or None, final states).

    Masked steps keep the previous states and repeat the previous output (zeros when
    `zero_output_for_mask`), as Keras does.
    """
    steps = xs.shape[1]
    graph = _in_graph()
    if not graph or unroll or (steps is not None and steps <= MAX_TRACE_UNROLL):
        if steps is None:
            raise ValueError(
                "Cannot unroll a RNN if the time dimension is undefined. \n- If using a "
                "Sequential model, specify the time dimension by passing an `Input()` as your "
                "first layer.\n- If using the functional API, specify the time dimension by "
                "passing a `shape` or `batch_shape` argument to your `Input()`."
            )
        return _python_loop(step, xs, states, mask, go_backwards, zero_output_for_mask,
                            return_sequences)  # fmt: skip
    return _while_loop(step, xs, states, mask, go_backwards, zero_output_for_mask,
                       return_sequences, output_size)  # fmt: skip


def _python_loop(step, xs, states, mask, go_backwards, zero_output_for_mask, return_sequences):
    steps = xs.shape[1]
    if steps == 0:
        raise ValueError("The time dimension of an RNN input must be at least 1.")
    inputs = tf.unstack(xs, axis=1)
    masks = None
    if mask is not None:
        masks = tf.unstack(tf.expand_dims(tf.cast(mask, "bool"), -1), axis=1)
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    outputs = []
    prev_out = None
    for t in order:
        out, new = step(inputs[t], states)
        if masks is not None:
            m = masks[t]
            if prev_out is None:
                prev_out = tf.zeros_like(out)
            new = [tf.where(m, a, b) for a, b in zip(new, states)]
            shown = tf.where(m, out, tf.zeros_like(out) if zero_output_for_mask else prev_out)
            prev_out = tf.where(m, out, prev_out)
            out = shown
        states = new
        if return_sequences:
            outputs.append(out)
    last = out
    seq = tf.stack(outputs, axis=1) if return_sequences else None
    return last, seq, states


def _while_loop(step, xs, states, mask, go_backwards, zero_output_for_mask, return_sequences,
                output_size):  # fmt: skip
    xs_tm = tf.transpose(xs, [1, 0] + list(range(2, xs.shape.rank)))
    if go_backwards:
        xs_tm = tf.reverse(xs_tm, [0])
    n = tf.shape(xs_tm)[0]
    in_ta = tf.TensorArray(xs.dtype, size=n, element_shape=xs_tm.shape[1:]).unstack(xs_tm)
    m_ta = None
    if mask is not None:
        m_tm = tf.transpose(tf.expand_dims(tf.cast(mask, "bool"), -1), [1, 0, 2])
        if go_backwards:
            m_tm = tf.reverse(m_tm, [0])
        m_ta = tf.TensorArray("bool", size=n, element_shape=m_tm.shape[1:]).unstack(m_tm)
    # the output's shape from one step on the first input (traced, not run)
    batch = states[0].shape[0]
    out_shape = tf.TensorShape([batch, output_size])
    out_ta = tf.TensorArray(xs.dtype, size=n, element_shape=out_shape)
    prev0 = _zeros(tf.shape(xs)[0], output_size, xs.dtype)
    k = len(states)

    def cond(t, *_):
        return t < n

    def body(t, ta, prev_out, *st):
        st = list(st)
        out, new = step(in_ta.read(t), st)
        if m_ta is not None:
            m = m_ta.read(t)
            new = [tf.where(m, a, b) for a, b in zip(new, st)]
            shown = tf.where(m, out, tf.zeros_like(out) if zero_output_for_mask else prev_out)
            prev_out = tf.where(m, out, prev_out)
            out = shown
        else:
            prev_out = out
        if return_sequences:
            ta = ta.write(t, out)
        return (t + 1, ta, prev_out, *new)

    res = tf.while_loop(cond, body, (tf.constant(0), out_ta, prev0, *states))
    last = res[2]
    if m_ta is not None and zero_output_for_mask:
        last = tf.where(m_tm[-1], last, tf.zeros_like(last))
    final = list(res[3 : 3 + k])
    seq = None
    if return_sequences:
        seq = tf.transpose(res[1].stack(), [1, 0, 2])
    return last, seq, final


# -- layers ---------------------------------------------------------------------------------


class RNN(Layer):
    """Runs a cell over the time axis of `(batch, time, features)` inputs.

    >>> class Cell(tf.keras.layers.Layer):
    ...     state_size = 2
    ...     def call(self, x, states):
    ...         h = x + states[0]
    ...         return h, [h]
    >>> tf.keras.layers.RNN(Cell())(tf.ones([1, 3, 2])).numpy()
    array([[3., 3.]], dtype=float32)
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):  # fmt: skip
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if "call" not in dir(cell):
            raise ValueError(f"Argument `cell` should have a `call` method. Received: cell={cell}")
        if "state_size" not in dir(cell):
            raise ValueError(
                "The RNN cell should have a `state_size` attribute (single integer or list of "
                f"integers, one integer per RNN state). Received: cell={cell}"
            )
        kwargs.pop("time_major", None)
        super().__init__(**kwargs)
        self.zero_output_for_mask = zero_output_for_mask
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.supports_masking = True
        self.__dict__["_arroyo_states"] = None
        state_size = getattr(cell, "state_size", None)
        if state_size is None:
            raise ValueError("state_size must be specified as property on the RNN cell.")
        if not isinstance(state_size, (list, tuple, int)):
            raise ValueError(
                "state_size must be an integer, or a list/tuple of integers (one for each "
                "state tensor)."
            )
        self.__dict__["_arroyo_single_state"] = isinstance(state_size, int)

    @property
    def state_size(self):
        s = self.cell.state_size
        return [s] if isinstance(s, int) else list(s)

    @property
    def states(self):
        """The state variables of a stateful layer (None before it is built)."""
        return self._arroyo_states

    @states.setter
    def states(self, value):
        self.__dict__["_arroyo_states"] = value

    def _output_size(self):
        out = getattr(self.cell, "output_size", None)
        if out is None:
            s = self.state_size[0]
            out = s[0] if _is_nested(s) else s
        return out

    def build(self, sequences_shape, initial_state_shape=None):
        if isinstance(sequences_shape, list) and sequences_shape and _is_nested(sequences_shape[0]):
            sequences_shape = sequences_shape[0]
        shape = tuple(sequences_shape)
        step_shape = (shape[0],) + shape[2:]
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell._maybe_build(step_shape)
        if self.stateful:
            if self.states is not None:
                self.reset_state()
            else:
                if shape[0] is None:
                    raise ValueError(
                        "When using `stateful=True` in a RNN, the batch size must be static. "
                        f"Found dynamic batch size: sequence.shape={shape}"
                    )
                self._create_state_variables(shape[0])
        self.built = True

    def _create_state_variables(self, batch_size):
        init = self.get_initial_state(batch_size)
        self.states = [
            backend.Variable(v, trainable=False, dtype=self.variable_dtype, name="rnn_state")
            for v in _flatten(init)
        ]

    def get_initial_state(self, batch_size):
        fn = getattr(self.cell, "get_initial_state", None)
        if fn is not None:
            init = fn(batch_size=batch_size)
            return list(init) if _is_nested(init) else [init]
        return [_zeros(batch_size, d, self.compute_dtype) for d in self.state_size]

    def reset_states(self):
        self.reset_state()

    def reset_state(self):
        if self.states is not None:
            for v in self.states:
                v.assign(tf.zeros_like(v))

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        if self.return_state:
            return [out] + [None for _ in _flatten(self.state_size)]
        return out

    def __call__(self, *args, **kwargs):
        # `RNN(...)(x, initial_state)` / `[x, *states]`: Keras accepts both
        if len(args) > 1 and "initial_state" not in kwargs:
            kwargs["initial_state"] = args[1]
            args = args[:1]
        if args and isinstance(args[0], (list, tuple)) and "initial_state" not in kwargs:
            seq = args[0]
            if len(seq) > 1:
                kwargs["initial_state"] = list(seq[1:])
                args = (seq[0],)
        return super().__call__(*args, **kwargs)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        timesteps = sequences.shape[1]
        if self.unroll and timesteps is None:
            raise ValueError(
                "Cannot unroll a RNN if the time dimension is undefined. \n- If using a "
                "Sequential model, specify the time dimension by passing an `Input()` as your "
                "first layer.\n- If using the functional API, specify the time dimension by "
                "passing a `shape` or `batch_shape` argument to your `Input()`."
            )
        if initial_state is None:
            if self.stateful:
                initial_state = [tf.identity(v) for v in self.states]
                if isinstance(self.cell, StackedRNNCells):
                    initial_state = _regroup(initial_state, self.cell.state_size)
            else:
                batch = sequences.shape[0]
                if batch is None:
                    batch = tf.shape(sequences)[0]
                initial_state = self.get_initial_state(batch)
        if not _is_nested(initial_state):
            initial_state = [initial_state]
        initial_state = [_as_state(s, self.compute_dtype) for s in _flatten(initial_state)]
        cell = self.cell
        try:
            last, outputs, states = self._run(sequences, initial_state, mask, training)
        finally:
            _reset_dropout(cell)
        if self.stateful:
            for v, s in zip(self.states, _flatten(states)):
                v.assign(s)
        output = outputs if self.return_sequences else last
        if self.return_state:
            return [output, *states]
        return output

    def _run(self, sequences, initial_state, mask, training):
        """Returns (last output, outputs or None, final states as the cell structures them)."""
        cell = self.cell
        stacked = isinstance(cell, StackedRNNCells)
        if isinstance(cell, _BaseCell) and cell._fast_ok(training):
            xs = cell._project(sequences, training)
            rdp = None
            if training and 0.0 < cell.recurrent_dropout < 1.0:
                rdp = cell.get_recurrent_dropout_mask(initial_state[0])

            def step(x_t, states):
                return cell._step(x_t, states, rdp)

        else:
            xs = sequences
            sizes = cell.state_size
            if stacked:
                _config_dropout(cell, sequences[:, 0], _regroup(initial_state, sizes), training)
            else:
                _config_dropout(cell, sequences[:, 0], initial_state, training)

            def step(x_t, st):
                if stacked:
                    out, new = _call_cell(cell, x_t, _regroup(st, sizes), training)
                    return out, _flatten(new)
                return _call_cell(cell, x_t, list(st), training)

        states = _flatten(initial_state)
        last, outputs, states = _time_loop(
            step, xs, states, mask, self.go_backwards, self.zero_output_for_mask,
            self.return_sequences, self.unroll, self._output_size(),
        )  # fmt: skip
        if stacked:
            listy = [isinstance(c, _BaseCell) or _is_nested(c.state_size) for c in cell.cells]
            states = _regroup(states, cell.state_size, listy)
        return last, outputs, states

    def get_config(self):
        config = {
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
        }
        config["cell"] = _ser(self.cell)
        base = super().get_config()
        return {**base, **config}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from arroyo.keras.saving.serialization import deserialize_keras_object

        config = dict(config)
        cell = deserialize_keras_object(config.pop("cell"), custom_objects)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = config["dtype"].get("config", {}).get("name")
        return cls(cell, **config)


def _as_state(s, dtype):
    if hasattr(s, "dtype") and hasattr(s, "shape") and not isinstance(s, np.ndarray):
        return s if s.dtype.name == dtype else tf.cast(s, dtype)
    return tf.convert_to_tensor(s, dtype)


def _flatten(x):
    out = []
    for v in x if _is_nested(x) else [x]:
        if _is_nested(v):
            out.extend(_flatten(v))
        else:
            out.append(v)
    return out


def _regroup(flat, sizes, listy=None):
    """Flat states back into one entry per cell (a list for cells with several states, and
    for those `listy` marks)."""
    flat = _flatten(flat)
    out, i = [], 0
    for j, s in enumerate(sizes):
        if _is_nested(s):
            out.append(list(flat[i : i + len(s)]))
            i += len(s)
        else:
            out.append([flat[i]] if listy is not None and listy[j] else flat[i])
            i += 1
    return out


def _config_dropout(cell, step_input, states, training):
    """Creates the dropout masks before the loop (so a while loop reuses them)."""
    if not training:
        return
    if isinstance(cell, DropoutRNNCell):
        st = states[0] if _is_nested(states) else states
        st = st[0] if _is_nested(st) else st
        cell.get_dropout_mask(step_input)
        cell.get_recurrent_dropout_mask(st)
    elif isinstance(cell, StackedRNNCells):
        x = step_input
        for c, s in zip(cell.cells, states):
            _config_dropout(c, x, s, training)
            s = list(s) if _is_nested(s) else [s]
            x, _ = _call_cell(c, x, s, False)


def _reset_dropout(cell):
    if isinstance(cell, DropoutRNNCell):
        cell.reset_dropout_mask()
        cell.reset_recurrent_dropout_mask()
    elif isinstance(cell, StackedRNNCells):
        for c in cell.cells:
            _reset_dropout(c)


class _RNNLayer(RNN):
    """SimpleRNN/LSTM/GRU: an RNN that owns one built-in cell named like Keras 3's."""

    _cell_class = None
    _cell_name = None
    _cell_args = ()

    def __init__(self, units, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, activity_regularizer=None, **kwargs):  # fmt: skip
        cell_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in self._cell_args}
        cell = self._cell_class(
            units, dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
            name=self._cell_name, **cell_kwargs,
        )  # fmt: skip
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)  # fmt: skip
        self.input_spec = InputSpec(ndim=3)

    def __getattr__(self, name):
        # units, activation, kernel_initializer, ...: the cell's (Keras exposes them)
        if name.startswith("_") or name == "cell":
            raise AttributeError(name)
        cell = self.__dict__.get("cell")
        if cell is not None and name in self._cell_args + ("units", "kernel", "bias",
                                                           "recurrent_kernel"):  # fmt: skip
            return getattr(cell, name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def call(self, sequences, initial_state=None, mask=None, training=False):
        return super().call(sequences, initial_state=initial_state, mask=mask,
                            training=training)  # fmt: skip

    def get_config(self):
        cell_cfg = self.cell.get_config()
        for k in ("name", "trainable", "dtype"):
            cell_cfg.pop(k, None)
        config = {
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
        }
        base = Layer.get_config(self)
        base.pop("activity_regularizer", None)
        out = {**base, **config}
        for k, v in cell_cfg.items():
            out[k] = v
        return self._order_config(out)

    def _order_config(self, config):
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = config["dtype"].get("config", {}).get("name")
        return cls(**config)


_COMMON = (
    "activation", "use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer",
    "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
    "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout", "seed",
    "implementation",
)  # fmt: skip


def _keras_order(config, keys):
    out = {k: config[k] for k in ("name", "trainable", "dtype") if k in config}
    for k in ("return_sequences", "return_state", "go_backwards", "stateful", "unroll",
              "zero_output_for_mask") + keys:  # fmt: skip
        if k in config:
            out[k] = config[k]
    for k, v in config.items():
        out.setdefault(k, v)
    return out


_TAIL = (
    "kernel_initializer",
    "recurrent_initializer",
    "bias_initializer",
)
_REGS = (
    "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
    "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
    "recurrent_dropout",
)  # fmt: skip


class SimpleRNN(_RNNLayer):
    """A fully connected RNN whose output feeds back as its state.

    >>> tf.keras.layers.SimpleRNN(4)(tf.zeros([2, 5, 3])).shape
    TensorShape([2, 4])
    """

    _cell_class = SimpleRNNCell
    _cell_name = "simple_rnn_cell"
    _cell_args = _COMMON

    def _order_config(self, config):
        config["activity_regularizer"] = _ser(self.activity_regularizer)
        config.pop("seed", None)
        return _keras_order(config, ("units", "activation", "use_bias") + _TAIL + _REGS)


class LSTM(_RNNLayer):
    """Long Short-Term Memory (Hochreiter 1997), Keras 3's defaults.

    >>> out, h, c = tf.keras.layers.LSTM(4, return_state=True)(tf.zeros([2, 5, 3]))
    >>> c.shape
    TensorShape([2, 4])
    """

    _cell_class = LSTMCell
    _cell_name = "lstm_cell"
    _cell_args = _COMMON + ("recurrent_activation", "unit_forget_bias")

    def _order_config(self, config):
        config["activity_regularizer"] = _ser(self.activity_regularizer)
        return _keras_order(config, ("units", "activation", "recurrent_activation", "use_bias")
                            + _TAIL + ("unit_forget_bias",) + _REGS + ("seed",))  # fmt: skip


class GRU(_RNNLayer):
    """Gated Recurrent Unit (Cho et al. 2014), Keras 3's defaults (`reset_after=True`).

    >>> tf.keras.layers.GRU(4, return_sequences=True)(tf.zeros([2, 5, 3])).shape
    TensorShape([2, 5, 4])
    """

    _cell_class = GRUCell
    _cell_name = "gru_cell"
    _cell_args = _COMMON + ("recurrent_activation", "reset_after")

    def _order_config(self, config):
        config["activity_regularizer"] = _ser(self.activity_regularizer)
        return _keras_order(config, ("units", "activation", "recurrent_activation", "use_bias")
                            + _TAIL + _REGS + ("reset_after", "seed"))  # fmt: skip


# -- wrappers -------------------------------------------------------------------------------


def _copy_layer(layer, name, **overrides):
    from arroyo.keras.saving.serialization import deserialize_keras_object

    config = _ser(layer)
    config["config"] = dict(config["config"])
    config["config"]["name"] = name
    config["config"].update(overrides)
    config.pop("build_config", None)
    return deserialize_keras_object(config)


def _strip(name, prefix):
    return name[len(prefix) :] if name.startswith(prefix) else name


class Bidirectional(Layer):
    """Runs a recurrent layer forwards and a copy backwards; merges their outputs.

    >>> layer = tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(3))
    >>> layer(tf.zeros([2, 5, 4])).shape
    TensorShape([2, 6])
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None,
                 **kwargs):  # fmt: skip
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `Bidirectional` layer with a `keras.layers.Layer` "
                f"instance. Received: {layer}"
            )
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(
                "`backward_layer` need to be a `keras.layers.Layer` instance. "
                f"Received: {backward_layer}"
            )
        if merge_mode not in ["sum", "mul", "ave", "concat", None]:
            raise ValueError(
                f"Invalid merge mode. Received: {merge_mode}. Merge mode should be one of "
                '{"sum", "mul", "ave", "concat", None}'
            )
        super().__init__(**kwargs)
        base = _strip(layer.name, "forward_")
        self.forward_layer = _copy_layer(layer, "forward_" + base)
        if backward_layer is None:
            self.backward_layer = _copy_layer(layer, "backward_" + base,
                                              go_backwards=not layer.go_backwards)  # fmt: skip
        else:
            self.backward_layer = backward_layer
        for attr in ("return_sequences", "return_state", "stateful"):
            if getattr(self.forward_layer, attr) != getattr(self.backward_layer, attr):
                raise ValueError(
                    "Forward layer and backward layer should have different `go_backwards` "
                    f"value. and the same `{attr}` value."
                )
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.stateful = layer.stateful
        self.forward_layer.zero_output_for_mask = self.return_sequences
        self.backward_layer.zero_output_for_mask = self.return_sequences
        self.supports_masking = True
        self.input_spec = layer.input_spec

    def build(self, sequences_shape, initial_state_shape=None):
        if not self.forward_layer.built:
            self.forward_layer._maybe_build(sequences_shape)
        if not self.backward_layer.built:
            self.backward_layer._maybe_build(sequences_shape)
        self.built = True

    def __call__(self, *args, **kwargs):
        if len(args) > 1 and "initial_state" not in kwargs:
            kwargs["initial_state"] = args[1]
            args = args[:1]
        return super().__call__(*args, **kwargs)

    def call(self, sequences, initial_state=None, mask=None, training=None):
        kw = {"training": training}
        if mask is not None:
            kw["mask"] = mask
        if initial_state is not None:
            half = len(initial_state) // 2
            fwd_state, bwd_state = initial_state[:half], initial_state[half:]
        else:
            fwd_state = bwd_state = None
        y = self.forward_layer(sequences, initial_state=fwd_state, **kw)
        y_rev = self.backward_layer(sequences, initial_state=bwd_state, **kw)
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = tf.reverse(y_rev, [1])
        if self.merge_mode == "concat":
            output = tf.concat([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = [y, y_rev]
        if self.return_state:
            if self.merge_mode is None:
                return output + list(states)
            return [output, *states]
        return output

    def compute_mask(self, _, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out_mask = mask if self.return_sequences else None
        if self.return_state:
            n = len(self.forward_layer.state_size)
            state_mask = [None] * (2 * n)
            if self.merge_mode is None:
                return [out_mask, out_mask] + state_mask
            return [out_mask] + state_mask
        if self.merge_mode is None:
            return [out_mask, out_mask]
        return out_mask

    def reset_states(self):
        self.reset_state()

    def reset_state(self):
        if self.stateful:
            self.forward_layer.reset_state()
            self.backward_layer.reset_state()

    def get_config(self):
        config = super().get_config()
        config["merge_mode"] = self.merge_mode
        config["layer"] = _ser(self.forward_layer)
        config["backward_layer"] = _ser(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from arroyo.keras.saving.serialization import deserialize_keras_object

        config = dict(config)
        layer = deserialize_keras_object(config.pop("layer"), custom_objects)
        back = config.pop("backward_layer", None)
        if back is not None:
            back = deserialize_keras_object(back, custom_objects)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = config["dtype"].get("config", {}).get("name")
        return cls(layer, backward_layer=back, **config)


class TimeDistributed(Layer):
    """Applies a layer to every timestep (axis 1) of its input.

    >>> td = tf.keras.layers.TimeDistributed(tf.keras.layers.Dense(2))
    >>> td(tf.zeros([4, 3, 5])).shape
    TensorShape([4, 3, 2])
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `TimeDistributed` layer with a `keras.layers.Layer` "
                f"instance. Received: {layer}"
            )
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = True

    def build(self, input_shape):
        shape = tuple(input_shape)
        if len(shape) < 3:
            raise ValueError(
                "`TimeDistributed` Layer should be passed an `input_shape` with at least 3 "
                f"dimensions, received: {shape}"
            )
        if not self.layer.built:
            self.layer._maybe_build((shape[0],) + shape[2:])
        self.built = True

    def call(self, inputs, training=None, mask=None):
        shape = inputs.shape.as_list()
        dyn = None
        if shape[0] is None or shape[1] is None:
            dyn = tf.shape(inputs)
        b = shape[0] if shape[0] is not None else dyn[0]
        t = shape[1] if shape[1] is not None else dyn[1]
        flat = tf.reshape(inputs, [-1] + shape[2:])
        kwargs = {}
        from arroyo.keras.layers.base import _call_spec

        if _call_spec(type(self.layer))[3]:
            kwargs["training"] = training
        y = self.layer(flat, **kwargs)
        out_shape = y.shape.as_list()[1:]
        return tf.reshape(y, [b, t] + out_shape)

    def compute_mask(self, inputs, mask=None):
        return mask

    def get_config(self):
        config = super().get_config()
        config["layer"] = _ser(self.layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from arroyo.keras.saving.serialization import deserialize_keras_object

        config = dict(config)
        layer = deserialize_keras_object(config.pop("layer"), custom_objects)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = config["dtype"].get("config", {}).get("name")
        return cls(layer, **config)
