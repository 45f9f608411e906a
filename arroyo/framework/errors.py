"""The `tf.errors` hierarchy: TensorFlow's status codes as Python exceptions.

    try:
        tf.constant(1) + tf.constant(1.0)
    except tf.errors.InvalidArgumentError as e:
        print(e.error_code, e.message)

As in TF, `OpError(node_def, op, message, error_code)` keeps its message out of
`args` (so `repr(e)` is `InvalidArgumentError()`), subclasses take
`(node_def, op, message, *args)`, and errors pickle with their class and fields.
"""

OK = 0
CANCELLED = 1
UNKNOWN = 2
INVALID_ARGUMENT = 3
DEADLINE_EXCEEDED = 4
NOT_FOUND = 5
ALREADY_EXISTS = 6
PERMISSION_DENIED = 7
RESOURCE_EXHAUSTED = 8
FAILED_PRECONDITION = 9
ABORTED = 10
OUT_OF_RANGE = 11
UNIMPLEMENTED = 12
INTERNAL = 13
UNAVAILABLE = 14
DATA_LOSS = 15
UNAUTHENTICATED = 16


class OpError(Exception):
    """The base of every error an op raises at run time (`tf.errors.OpError`).

    >>> tf.errors.OpError(None, None, "boom", tf.errors.INTERNAL).error_code
    13
    """

    def __init__(self, node_def, op, message, error_code, *args):
        super().__init__()
        self._node_def = node_def
        self._op = op
        self._message = message
        self._error_code = error_code
        self._experimental_payloads = args[0] if args and isinstance(args[0], dict) else {}

    @property
    def message(self) -> str:
        """The error message that describes the error."""
        return self._message

    @property
    def op(self):
        """The operation that failed (None in eager execution)."""
        return self._op

    @property
    def node_def(self):
        return self._node_def

    @property
    def error_code(self) -> int:
        return self._error_code

    @property
    def experimental_payloads(self) -> dict:
        return self._experimental_payloads

    def __str__(self):
        return self._message

    def __reduce__(self):
        return OpError, (self._node_def, self._op, self._message, self._error_code)


def _make(name, code, doc):
    def __init__(self, node_def, op, message, *args):
        OpError.__init__(self, node_def, op, message, code, *args)

    def __reduce__(self):
        return type(self), (self._node_def, self._op, self._message)

    cls = type(name, (OpError,), {"__init__": __init__, "__reduce__": __reduce__, "__doc__": doc})
    cls.__init__.__qualname__ = f"{name}.__init__"
    return cls


CancelledError = _make("CancelledError", CANCELLED, "An operation or step was cancelled.")
UnknownError = _make("UnknownError", UNKNOWN, "An unknown error occurred.")
InvalidArgumentError = _make(
    "InvalidArgumentError",
    INVALID_ARGUMENT,
    "An op received an invalid argument (shape, value or dtype).",
)
DeadlineExceededError = _make(
    "DeadlineExceededError",
    DEADLINE_EXCEEDED,
    "A deadline expired before the operation could complete.",
)
NotFoundError = _make(
    "NotFoundError", NOT_FOUND, "A requested entity (file, key, ...) was not found."
)
AlreadyExistsError = _make(
    "AlreadyExistsError",
    ALREADY_EXISTS,
    "An entity that an operation tried to create already exists.",
)
PermissionDeniedError = _make(
    "PermissionDeniedError",
    PERMISSION_DENIED,
    "The caller does not have permission to run an operation.",
)
ResourceExhaustedError = _make(
    "ResourceExhaustedError",
    RESOURCE_EXHAUSTED,
    "Some resource (memory, quota) has been exhausted.",
)
FailedPreconditionError = _make(
    "FailedPreconditionError",
    FAILED_PRECONDITION,
    "The system is not in a state to run an operation (e.g. uninitialized).",
)
AbortedError = _make(
    "AbortedError", ABORTED, "An operation was aborted, typically by a concurrency conflict."
)
OutOfRangeError = _make(
    "OutOfRangeError",
    OUT_OF_RANGE,
    "An operation iterated past the valid input range (e.g. end of data).",
)
UnimplementedError = _make(
    "UnimplementedError",
    UNIMPLEMENTED,
    "An operation has not been implemented or is not supported.",
)
InternalError = _make("InternalError", INTERNAL, "The system experienced an internal error.")
UnavailableError = _make("UnavailableError", UNAVAILABLE, "The runtime is currently unavailable.")
DataLossError = _make(
    "DataLossError", DATA_LOSS, "Unrecoverable data loss or corruption was encountered."
)
UnauthenticatedError = _make(
    "UnauthenticatedError",
    UNAUTHENTICATED,
    "The request does not have valid authentication credentials.",
)


class OperatorNotAllowedInGraphError(TypeError):
    """A Python operation (bool(), iteration) is not allowed on a symbolic tensor."""


_CODE_TO_CLASS = {
    CANCELLED: CancelledError, UNKNOWN: UnknownError, INVALID_ARGUMENT: InvalidArgumentError,
    DEADLINE_EXCEEDED: DeadlineExceededError, NOT_FOUND: NotFoundError,
    ALREADY_EXISTS: AlreadyExistsError, PERMISSION_DENIED: PermissionDeniedError,
    RESOURCE_EXHAUSTED: ResourceExhaustedError, FAILED_PRECONDITION: FailedPreconditionError,
    ABORTED: AbortedError, OUT_OF_RANGE: OutOfRangeError, UNIMPLEMENTED: UnimplementedError,
    INTERNAL: InternalError, UNAVAILABLE: UnavailableError, DATA_LOSS: DataLossError,
    UNAUTHENTICATED: UnauthenticatedError,
}  # fmt: skip
_CLASS_TO_CODE = {cls: code for code, cls in _CODE_TO_CLASS.items()}


def exception_type_from_error_code(error_code):
    """The OpError subclass of a status code (TF's errors_impl helper)."""
    return _CODE_TO_CLASS[error_code]


def error_code_from_exception_type(cls):
    try:
        return _CLASS_TO_CODE[cls]
    except KeyError:
        return UNKNOWN


def op_error(cls, op_name: str, message: str):
    """An OpError of class `cls` whose text names the op, as TF's eager messages do."""
    return cls(None, None, f"{message} [Op:{op_name}]" if op_name else message)


_PUBLIC = sorted(
    [n for n, v in globals().items() if isinstance(v, type) and issubclass(v, Exception)]
    + [n for n, v in globals().items() if n.isupper() and isinstance(v, int)]
)


def __dir__():
    # `dir(tf.errors)` lists what TF's module does; the helpers stay importable.
    return _PUBLIC
