"""The core calls a page makes, recorded while it runs, to be made again on their own.

A page's "data floor" is the time its calls into the core take without
Streamlit around them. Rather than a copy of each page's calls, which drifts
as pages change, ``record`` watches a real run of the page and keeps every
call that crosses from the page (or ``fieldkit.ui``) into the core, with its
arguments; ``replay`` makes the same calls again on a connection of its own.
Calls the core makes inside those are part of them and are not kept twice.
"""

from __future__ import annotations

import inspect
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from sqlite_utils import Database

from fieldkit.errors import FieldkitError

# Opening connections is the harness's own part of a replay (fieldkit.db);
# the rest of the core is what a page asks of it.
_NOT_RECORDED = ("fieldkit.db",)
_LAZY = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR


@dataclass(frozen=True)
class Call:
    """One call from a page into the core: the function and its arguments by name."""

    function: Callable
    arguments: dict

    @property
    def name(self) -> str:
        return f"{self.function.__module__.removeprefix('fieldkit.')}.{self.function.__name__}"


def _is_core(module: str) -> bool:
    return module.startswith("fieldkit.") and not module.startswith("fieldkit.ui")


def _function(frame: FrameType) -> Callable | None:
    """The module-level function running in ``frame``, as its callers name it."""
    code = frame.f_code
    found = frame.f_globals.get(code.co_name)
    inner = inspect.unwrap(found) if callable(found) else None
    return found if getattr(inner, "__code__", None) is code else None


def _arguments(function: Callable, frame: FrameType) -> dict:
    # At the "call" event the frame's locals are exactly the parameters.
    return {name: frame.f_locals[name]
            for name in inspect.signature(function).parameters if name in frame.f_locals}


@contextmanager
def record() -> Iterator[list[Call]]:
    """Every call into the core made by code outside it while the block runs, in order.

    Watches every thread started in the block too (AppTest runs a page in
    a thread of its own).
    """
    calls: list[Call] = []
    lock = threading.Lock()

    def watch(frame: FrameType, event: str, arg: object) -> None:
        if event != "call" or frame.f_code.co_flags & _LAZY:
            return
        module = frame.f_globals.get("__name__", "")
        if not _is_core(module) or module in _NOT_RECORDED:
            return
        caller = frame.f_back
        if caller is not None and _is_core(caller.f_globals.get("__name__", "")):
            return
        function = _function(frame)
        if function is not None:
            with lock:
                calls.append(Call(function, _arguments(function, frame)))

    sys.setprofile(watch)
    threading.setprofile(watch)
    try:
        yield calls
    finally:
        threading.setprofile(None)  # type: ignore[arg-type]
        sys.setprofile(None)


def replay(calls: list[Call], db: Database) -> list:
    """Make ``calls`` again in order, on ``db`` wherever they were given a database."""
    results = []
    for call in calls:
        parameters = inspect.signature(call.function).parameters
        args, kwargs = [], {}
        for name, value in call.arguments.items():
            value = db if isinstance(value, Database) else value
            kind = parameters[name].kind
            if kind is inspect.Parameter.POSITIONAL_ONLY:
                args.append(value)
            elif kind is inspect.Parameter.VAR_POSITIONAL:
                args.extend(value)
            elif kind is inspect.Parameter.VAR_KEYWORD:
                kwargs.update(value)
            else:
                kwargs[name] = value
        try:
            result = call.function(*args, **kwargs)
            if inspect.isgenerator(result):
                result = list(result)
        except FieldkitError as exc:  # refused for the page too, which showed it
            result = exc
        results.append(result)
    return results


def floor(calls: list[Call], path: Path) -> Callable[[], list]:
    """A function that replays ``calls`` on a fresh connection to ``path``, as a page run would."""
    from fieldkit import db

    def run() -> list:
        with db.connect(path, migrate=False) as conn:
            return replay(calls, conn)
    return run
