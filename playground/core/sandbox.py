"""The Jinja2 sandbox that every prompt template renders in.

Templates come from files other people wrote, so they are untrusted. On top
of Jinja2's ``ImmutableSandboxedEnvironment`` (no unsafe attributes, no
mutation of lists and dicts, no loader, so no include/import/extends) this
adds resource limits: text, lists and numbers that a template builds are
capped, checked *before* the allocation where the size can be predicted
(``'a' * n``, ``x ** n``, ``'a'.ljust(n)``, ``'%*s'``, ``replace``) and after
every sandboxed call otherwise.

It also supplies the undefined type that lets ``templates.render`` collect
every missing variable in one pass (see :class:`RecordingUndefined`).

CPU time is capped too: :func:`time_limit` traces template code (only
frames compiled from templates; a line event costs little) and stops a
render that runs longer than :data:`MAX_RENDER_SECONDS`, so nested loops
over large ranges end with a clear message instead of hanging.
"""

from __future__ import annotations

import contextlib
import contextvars
import operator
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NoReturn

import jinja2
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing

__all__ = [
    "ENV",
    "MAX_INT_BITS",
    "MAX_RENDER_SECONDS",
    "MAX_SIZE",
    "TEMPLATE_FILENAME",
    "RecordingState",
    "recording",
    "time_limit",
]

#: Longest text or list a template may build, and widest number, before it is refused.
MAX_SIZE = 2_000_000
MAX_INT_BITS = 20_000
#: Longest a template may run. A prompt renders in milliseconds.
MAX_RENDER_SECONDS = 2.0
#: What Jinja2 names code compiled by ``from_string``.
TEMPLATE_FILENAME = "<template>"
_WIDE_FORMAT = re.compile(r"\d{7,}")  # a field width of a million or more
_WIDTH_METHODS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})


@dataclass
class RecordingState:
    """Missing top-level names met while rendering, in the order met."""

    missing: dict[str, None] = field(default_factory=dict)


_state: contextvars.ContextVar[RecordingState | None] = contextvars.ContextVar(
    "playground_recording_state", default=None
)


class recording:
    """``with recording() as state:`` collects missing names instead of failing on them."""

    def __init__(self) -> None:
        self.state = RecordingState()
        self._token: contextvars.Token[RecordingState | None] | None = None

    def __enter__(self) -> RecordingState:
        self._token = _state.set(self.state)
        return self.state

    def __exit__(self, *_exc: object) -> None:
        assert self._token is not None
        _state.reset(self._token)


@contextlib.contextmanager
def time_limit(seconds: float = MAX_RENDER_SECONDS) -> Iterator[None]:
    """Stop template code that runs longer than ``seconds`` with a SecurityError.

    Only frames of template code are traced, and the clock is read every 1,000
    lines, so the cost is small. Any tracer already installed (a debugger,
    coverage) is put back afterwards.
    """
    deadline = time.monotonic() + seconds
    lines = 0

    def trace_lines(frame: Any, event: str, arg: Any) -> Any:
        nonlocal lines
        lines += 1
        if lines % 1000 == 0 and time.monotonic() > deadline:
            _refuse(f"running for more than {seconds:g} s")
        return trace_lines

    def trace_calls(frame: Any, event: Any, arg: Any) -> Any:
        if frame.f_code.co_filename == TEMPLATE_FILENAME:
            return trace_lines
        return previous(frame, event, arg) if previous is not None else None

    previous = sys.gettrace()
    sys.settrace(trace_calls)
    try:
        yield
    finally:
        sys.settrace(previous)


def _refuse(what: str) -> NoReturn:
    raise SecurityError(f"{what} is not allowed in templates")


class RecordingUndefined(jinja2.StrictUndefined):
    """StrictUndefined that, while recording, notes a missing name and carries on.

    A render that notes anything is never returned: ``templates.render``
    turns it into a ``MissingVariablesError`` listing every missing name at
    once. Any use of a missing top-level name (printing, iterating, an
    attribute, a call, arithmetic) records it and yields another undefined,
    so the rest of the template is still searched. Attributes missing on real
    values, and unsafe attributes, fail as in ``StrictUndefined``. Outside
    :class:`recording`, it *is* ``StrictUndefined``.
    """

    __slots__ = ()

    def _record(self) -> bool:
        state = _state.get()
        if (
            state is None
            or self._undefined_obj is not missing
            or self._undefined_exception is not UndefinedError
            or not isinstance(self._undefined_name, str)
        ):
            return False
        state.missing.setdefault(self._undefined_name, None)
        return True

    def _chain(self, *_args: Any, **_kwargs: Any) -> Any:
        if not self._record():
            self._fail_with_undefined_error()
        return self

    def __getattr__(self, name: str) -> Any:
        if name[:2] == "__" and name[-2:] == "__":
            raise AttributeError(name)
        return self._chain()

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _chain
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = _chain
    __mod__ = __rmod__ = __pos__ = __neg__ = __pow__ = __rpow__ = _chain
    __call__ = __getitem__ = _chain
    __lt__ = __le__ = __gt__ = __ge__ = _chain

    def __eq__(self, other: object) -> bool:  # type: ignore[override]
        self._chain()
        return type(self) is type(other)

    def __ne__(self, other: object) -> bool:  # type: ignore[override]
        return not self.__eq__(other)

    def __hash__(self) -> int:  # type: ignore[override]
        self._chain()
        return id(type(self))

    def __str__(self) -> str:  # type: ignore[override]
        self._chain()
        return ""

    def __iter__(self) -> Iterator[Any]:  # type: ignore[override]
        self._chain()
        return iter(())

    def __len__(self) -> int:  # type: ignore[override]
        self._chain()
        return 0

    def __bool__(self) -> bool:  # type: ignore[override]
        self._chain()
        return False

    def __int__(self) -> int:  # type: ignore[override]
        self._chain()
        return 0

    def __float__(self) -> float:  # type: ignore[override]
        self._chain()
        return 0.0


def _check_result(value: Any) -> Any:
    if isinstance(value, str | list | tuple | dict | set) and len(value) > MAX_SIZE:
        _refuse(f"building more than {MAX_SIZE:,} characters or items")
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and (value.bit_length() > MAX_INT_BITS)
    ):
        _refuse("a number that large")
    return value


def _check_width_args(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    values = list(args) + list(kwargs.values())
    for value in values:
        if isinstance(value, tuple | list):
            values.extend(value)
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SIZE:
            _refuse(f"a width or count above {MAX_SIZE:,}")
        elif (
            isinstance(value, str)
            and ("{" in value or "%" in value)
            and (_WIDE_FORMAT.search(value))
        ):
            _refuse(f"a format width above {MAX_SIZE:,}")


def _check_replace(text: Any, old: Any, new: Any, count: Any = -1) -> None:
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        hits = text.count(old) if old else len(text) + 1
        if isinstance(count, int) and count >= 0:
            hits = min(hits, count)
        if len(text) + hits * (len(new) - len(old)) > MAX_SIZE:
            _refuse(f"building more than {MAX_SIZE:,} characters")


def _guarded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if name == "replace":
            # The filter is (eval_ctx, s, old, new, count=None).
            rest = [a for a in args if not isinstance(a, jinja2.nodes.EvalContext)]
            _check_replace(*rest[:3], *(rest[3:4] or [-1]))
        _check_width_args(args, kwargs)
        return _check_result(func(*args, **kwargs))

    for attr in ("jinja_pass_arg",):  # keep how Jinja passes context to the filter
        if hasattr(func, attr):
            setattr(guarded, attr, getattr(func, attr))
    return guarded


class PromptSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox plus the size limits described in the module docstring."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        for name in ("center", "indent", "format", "replace", "wordwrap", "truncate", "join"):
            self.filters[name] = _guarded_filter(name, self.filters[name])

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "*":
            for seq, times in ((left, right), (right, left)):
                if (
                    isinstance(seq, str | list | tuple)
                    and isinstance(times, int)
                    and len(seq) * times > MAX_SIZE
                ):
                    _refuse(f"building more than {MAX_SIZE:,} characters or items")
            if (
                isinstance(left, int)
                and isinstance(right, int)
                and (left.bit_length() + right.bit_length() > MAX_INT_BITS)
            ):
                _refuse("a number that large")
            return _check_result(operator.mul(left, right))
        if operator_ == "**":
            if (
                isinstance(left, int)
                and isinstance(right, int)
                and right > 0
                and (max(left.bit_length(), 1) * right > MAX_INT_BITS)
            ):
                _refuse("a number that large")
            if isinstance(right, float) and abs(right) > MAX_INT_BITS:
                _refuse("a power that large")
            return _check_result(operator.pow(left, right))
        if operator_ == "%" and isinstance(left, str):
            _check_width_args((left, right), {})
            return _check_result(operator.mod(left, right))
        return _check_result(super().call_binop(context, operator_, left, right))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        owner = getattr(value, "__self__", None)
        if isinstance(owner, str) and _WIDE_FORMAT.search(owner):

            def refuse(*_args: Any, **_kwargs: Any) -> str:
                _refuse(f"a format width above {MAX_SIZE:,}")

            return refuse
        return super().wrap_str_format(value)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        name = getattr(__obj, "__name__", "")
        if isinstance(getattr(__obj, "__self__", None), str):
            if name in _WIDTH_METHODS or name in ("format", "format_map"):
                _check_width_args(args, kwargs)
            if name == "replace":
                _check_replace(__obj.__self__, *args[:3])
        if name == "format" or name == "format_map":
            _check_width_args(args, kwargs)
        return _check_result(super().call(__context, __obj, *args, **kwargs))


ENV = PromptSandbox(undefined=RecordingUndefined, autoescape=False, keep_trailing_newline=True)
