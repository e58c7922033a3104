"""Domain errors. The CLI catches these once and maps them to exit codes.

`InputError` (exit 2) is anything the user can fix in what they typed or the file they gave;
`RuntimeFailure` (exit 1) is the environment: I/O, the database, the network.
"""

from __future__ import annotations


class NanxianError(Exception):
    """Base of every error the tool reports to the user as one clear message."""

    exit_code = 1

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details or [])


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

    def __init__(self, message: str, details: list[str] | None = None, existing: str = "") -> None:
        super().__init__(message, details)
        self.existing = existing


class RuntimeFailure(NanxianError):
    """The environment failed: file system, database or network."""

    exit_code = 1


class StoreError(RuntimeFailure):
    """The database cannot be opened or written (corrupt, read-only, newer schema, locked)."""


class DeliveryError(RuntimeFailure):
    """A digest could not be delivered (SMTP failure, unwritable output)."""
