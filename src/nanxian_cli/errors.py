"""Domain errors. The CLI catches these once and maps them to exit codes.

`InputError` (exit 2) is anything the user can fix in what they typed or the file they gave;
`RuntimeFailure` (exit 1) is the environment: I/O, the database, the network.

A message is text, or `Words` (both languages) from code that must not choose the user's language (core,
store, services): `message` and `details` are read at the boundary, in the language chosen there.
"""

from __future__ import annotations

from typing import Any


def _say(text: Any) -> str:
    if isinstance(text, tuple) or hasattr(text, "zh"):  # core.words.Words, core.words.Said
        from nanxian_cli.i18n import pick

        return pick(text)
    return str(text)


class NanxianError(Exception):
    """Base of every error the tool reports to the user as one clear message."""

    exit_code = 1

    def __init__(self, message: Any, details: list[Any] | None = None) -> None:
        super().__init__(message[1] if isinstance(message, tuple) else str(message))
        self._message = message
        self._details = list(details or [])

    @property
    def message(self) -> str:
        return _say(self._message)

    @property
    def details(self) -> list[str]:
        return [_say(d) for d in self._details]


class InputError(NanxianError):
    """Bad usage or invalid input: a file, an option or a value the user can correct."""

    exit_code = 2


class ValidationFailed(InputError):
    """A file failed validation; `details` holds one `path:line: field: message` line per problem."""


class NotFound(InputError):
    """A school, checklist, visit, finding or inspector named by the user does not exist."""


class Ambiguous(InputError):
    """A name matched more than one record; `details` lists the candidates."""


class DuplicateVisit(InputError):
    """A submitted visit with the same school, checklist, date and supervisor exists (`--again` records another)."""

    def __init__(self, message: Any, details: list[Any] | None = None, existing: str = "") -> None:
        super().__init__(message, details)
        self.existing = existing


class RuntimeFailure(NanxianError):
    """The environment failed: file system, database or network."""

    exit_code = 1


class StoreError(RuntimeFailure):
    """The database cannot be opened or written (corrupt, read-only, newer schema, locked)."""


class DeliveryError(RuntimeFailure):
    """A digest could not be delivered (SMTP failure, unwritable output)."""
