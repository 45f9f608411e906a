"""`tf.dtypes`."""

from arroyo.framework.dtypes import *  # noqa: F401,F403
from arroyo.framework.dtypes import DType, as_dtype  # noqa: F401
from arroyo.ops.complex_ops import complex  # noqa: F401,A004
from arroyo.ops.math_extra_ops import saturate_cast  # noqa: F401
from arroyo.ops.math_ops import cast  # noqa: F401
