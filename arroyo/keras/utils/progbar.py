"""`tf.keras.utils.Progbar`: Keras 3's progress bar, character for character.

verbose=1 redraws one line (`\\r`, after backspacing over the previous one) at most every
`interval` seconds and on the final update:

    7/7 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - accuracy: 0.7500 - loss: 0.5000

with the counter in bold, the done part of the 20-character bar in green and the rest in
grey (ANSI escapes). verbose=2 prints only the final line, `7/7 - 0s - 2ms/step - loss: ...`.
Keras redraws in place when stdout is a TTY, in IPython, or on any POSIX system (so always
on Linux); otherwise each update starts a new line.

    >>> bar = tf.keras.utils.Progbar(3, verbose=2)
    >>> bar.update(3, [("loss", 0.5)])  # doctest: +SKIP
    3/3 - 0s - 1ms/step - loss: 0.5000
"""

from __future__ import annotations

import math
import os
import sys
import time

import numpy as np

__all__ = ["Progbar", "print_msg", "dynamic_display"]

GREEN = "\x1b[32m"
GREY = "\x1b[37m"
BOLD = "\x1b[1m"
RESET = "\x1b[0m"
BAR = "\u2501"  # ━


def dynamic_display():
    """Whether Keras redraws the bar in place (`\\r`) rather than printing new lines."""
    out = sys.stdout
    return (
        (hasattr(out, "isatty") and out.isatty())
        or "ipykernel" in sys.modules
        or "posix" in sys.modules
        or "PYCHARM_HOSTED" in os.environ
    )


def print_msg(message, line_break=True, stream=None):
    """Writes to stdout as Keras' `io_utils.print_msg` does (`━` becomes `=` where the
    stream's encoding cannot show it)."""
    message = str(message)
    if line_break:
        message += "\n"
    out = sys.stdout if stream is None else stream
    try:
        out.write(message)
    except UnicodeEncodeError:
        enc = getattr(out, "encoding", None) or "utf-8"
        out.write(message.replace(BAR, "=").encode(enc, errors="ignore").decode(enc))
    out.flush()


def _format_time(per_unit, unit_name):
    if per_unit >= 1 or per_unit == 0:
        return f" {per_unit:.0f}s/{unit_name}"
    if per_unit >= 1e-3:
        return f" {per_unit * 1000.0:.0f}ms/{unit_name}"
    return f" {per_unit * 1000000.0:.0f}us/{unit_name}"


def _format_eta(eta):
    if eta > 3600:
        return f"{int(eta // 3600)}:{int((eta % 3600) // 60):02d}:{int(eta % 60):02d}"
    if eta > 60:
        return f"{int(eta // 60)}:{int(eta % 60):02d}"
    return f"{int(eta)}s"


class Progbar:
    """Displays a progress bar (Keras 3's).

    Args: `target` (total steps, None if unknown), `width` (bar characters), `verbose`
    (0 silent, 1 bar, 2 final line only), `interval` (minimum seconds between redraws),
    `stateful_metrics` / `stateless_metrics` (names shown as given / averaged over the
    steps; by default every metric is averaged), `unit_name`.
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 stateless_metrics=None, unit_name="step"):  # fmt: skip
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError(
                "Only one of `stateful_metrics` or `stateless_metrics` can be provided. "
                "`stateful_metrics` is used to make metrics stateless by default (with an "
                "exclusion list), while `stateless_metrics` is used to make metrics stateful "
                "by default (with an exclusion list)."
            )
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        if stateful_metrics is not None:
            self.stateful_metrics = set(stateful_metrics)
            self.stateless_metrics = None
        elif stateless_metrics is not None:
            self.stateful_metrics = None
            self.stateless_metrics = set(stateless_metrics)
        else:
            self.stateful_metrics = set()
            self.stateless_metrics = None
        self._dynamic_display = dynamic_display()
        self._seen_so_far = 0
        self._values = {}
        self._values_order = []
        self._start = time.time()
        self._last_update = 0
        self._time_after_first_step = None
        self._prev_total_width = 0
        self._stream = None  # None: sys.stdout at the time of each write

    def _record(self, current, values, finalize):
        for k, v in values:
            if k not in self._values_order:
                self._values_order.append(k)
            if self.stateful_metrics is not None:
                averaged = k not in self.stateful_metrics
            else:
                averaged = k in self.stateless_metrics
            if not averaged or finalize:
                self._values[k] = [v, 1]
            else:
                n = max(current - self._seen_so_far, 1)
                acc = self._values.get(k)
                if acc is None:
                    self._values[k] = [v * n, n]
                else:
                    acc[0] += v * n
                    acc[1] += n
        self._seen_so_far = current

    def _metrics_text(self, signed):
        info = ""
        for k in self._values_order:
            info += f" - {k}:"
            total, count = self._values[k]
            if not isinstance(total, float):
                total = np.mean(total)
            avg = total / max(1, count)
            # verbose=1 compares |avg|, verbose=2 the signed value (as Keras does)
            big = abs(avg) > 1e-3 if signed else avg > 1e-3
            info += f" {avg:.4f}" if big else f" {avg:.4e}"
        return info

    def update(self, current, values=None, finalize=None):
        """Moves the bar to step `current`; `values` is a list of `(name, value)`."""
        if finalize is None:
            finalize = False if self.target is None else current >= self.target
        self._record(current, values or [], finalize)
        now = time.time()
        per_unit = self._step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            message = ("\b" * self._prev_total_width + "\r") if self._dynamic_display else "\n"
            special = 0
            if self.target is not None and self.target > 0:
                digits = int(math.log10(self.target)) + 1
                bar = f"{BOLD}{current:{digits}d}/{self.target}{RESET} "
                special += 8
                done = int(self.width * float(current) / self.target)
                if done > 0:
                    bar += f"{GREEN}{BAR * done}{RESET}"
                    special += 9
                bar += f"{GREY}{BAR * (self.width - done)}{RESET}"
                special += 9
            else:
                bar = f"{int(current):7d}/Unknown"
            message += bar
            if self.target is not None and self.target > 0 and not finalize:
                info = f" {BOLD}{_format_eta(per_unit * (self.target - current))}{RESET}"
            else:
                info = f" {BOLD}{now - self._start:.0f}s{RESET}"
            special += 8
            info += _format_time(per_unit, self.unit_name)
            info += self._metrics_text(signed=True)
            message += info
            total_width = len(bar) + len(info) - special
            if self._prev_total_width > total_width:
                message += " " * (self._prev_total_width - total_width)
            if finalize:
                message += "\n"
            print_msg(message, line_break=False, stream=self._stream)
            self._prev_total_width = total_width
        elif self.verbose == 2:
            if finalize and self.target is not None and self.target > 0:
                digits = int(math.log10(self.target)) + 1
                info = f"{current:{digits}d}/{self.target} - {now - self._start:.0f}s"
                info += " -" + _format_time(per_unit, self.unit_name)
                info += self._metrics_text(signed=False)
                print_msg(info + "\n", line_break=False, stream=self._stream)
        self._last_update = now

    def add(self, n, values=None):
        self.update(self._seen_so_far + n, values)

    def _step_duration(self, current, now):
        # the first step (tracing, warm-up) is left out of the average once there are more
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_unit
