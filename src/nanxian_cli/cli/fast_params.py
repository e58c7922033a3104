"""Start-up: coerce plain command-line values without building a pydantic TypeAdapter.

Typer 0.29 coerces every parameter through a pydantic `TypeAdapter`, built lazily the first time a
command runs, so any command at all imports pydantic (~80-400 ms on a loaded machine) even when it
only reads the database. Strings, whole numbers without bounds, `Literal` choices and plain paths are
coerced here with Typer's own helpers (the same checks and error messages); anything else — and any
value these fast paths do not accept — falls through to Typer's pydantic path unchanged. Text that is
not valid UTF-8 (undecodable bytes on the command line) is refused here as a usage error (exit 2): it could
never match anything and SQLite cannot take it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

_INT = re.compile(r"[+-]?\d+\Z")
_MISS = object()


def install() -> None:
    """Patch typer's lazy runtime-parameter factory; safe to call more than once."""
    try:
        from typer import core
        from typer._coercion import RuntimeParam, build_runtime_param
        from typer._param_types import coerce_cli_choice, coerce_cli_path, routes_to_path
        from typer._typing import is_literal_type, literal_values
    except ImportError:  # a Typer without these internals: keep its own behaviour
        return
    param_class = getattr(core, "_TyperParameter", None)
    if param_class is None or getattr(param_class, "_nanxian_fast", False):
        return
    original = param_class.get_runtime_param

    @dataclass(frozen=True)
    class FastRuntimeParam(RuntimeParam):
        descriptor: Any = None

        def _fast(self, value: Any, param: Any, ctx: Any) -> Any:
            annotation, info = self.annotation, self.parameter_info
            if annotation is str:
                if not isinstance(value, str):
                    return _MISS
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:  # bytes that are not UTF-8 on the command line
                    from typer._click.exceptions import BadParameter

                    from nanxian_cli.i18n import tr

                    raise BadParameter(tr("不是有效的 UTF-8 文本", "not valid UTF-8 text"), ctx=ctx, param=param) from None
                return value
            if annotation is int and info.min is None and info.max is None:
                if isinstance(value, int) and not isinstance(value, bool):
                    return value
                if isinstance(value, str) and _INT.match(value.strip()):
                    return int(value.strip())
                return _MISS
            if is_literal_type(annotation):
                return coerce_cli_choice(value, choices=literal_values(annotation),
                                         case_sensitive=info.case_sensitive, ctx=ctx)
            if routes_to_path(annotation, info) and isinstance(value, str):
                path_type = info.path_type or (annotation if isinstance(annotation, type) else None)
                if isinstance(path_type, type) and issubclass(path_type, PurePath) and value:
                    # already a Path: Typer then skips building a pydantic TypeAdapter(Path) (~100 ms)
                    value = path_type(value)
                return coerce_cli_path(value, info, path_type=path_type, param=param, ctx=ctx)
            return _MISS

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                result = self._fast(value, param, ctx)
            except ValueError:  # rejected: let Typer's own path raise its usual usage error
                result = _MISS
            if result is _MISS:
                return build_runtime_param(self.descriptor)._coerce_value(value, param=param, ctx=ctx)
            return result

    def get_runtime_param(self):
        if self._runtime_param is None:
            d = self.type_descriptor
            if d.file_annotation is None and d.parameter_info.parser is None and not d.is_list and not d.is_tuple:
                self._runtime_param = FastRuntimeParam(parameter_info=d.parameter_info, annotation=d.annotation,
                                                       descriptor=d)
        return original(self)

    param_class.get_runtime_param = get_runtime_param
    param_class._nanxian_fast = True
