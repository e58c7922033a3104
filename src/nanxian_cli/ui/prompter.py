"""Reading one answer: a Rich prompt on a terminal, a line from stdin otherwise (so a visit can be scripted),
with terminal control characters dropped; and the command that continues a draft."""

from __future__ import annotations

import re
import sys
from typing import Any


def resume_command(school_code: str, checklist_id: str, visit_id: str | None = None) -> str:
    """What to type to continue a draft (`--draft` names exactly this one when there are several)."""
    exact = f" --draft {visit_id[:8]}" if visit_id else ""
    return f"nanxian inspect visit {school_code} --checklist {checklist_id} --resume{exact}"


_CONTROLS = re.compile(r"\x1b\[[0-9;?]*[A-Za-z~]|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _without_controls(text: str) -> str:
    """Typed text is stored and shown again: terminal escape sequences and control characters are dropped."""
    return _CONTROLS.sub("", text)


class Prompter:
    """Reads one answer: a Rich prompt on a terminal, a line from stdin otherwise (echoed for the transcript)."""

    def __init__(self, console: Any, tty: bool | None = None) -> None:
        self.console = console
        self.tty = sys.stdin.isatty() if tty is None else tty

    def ask(self, prompt: str) -> str:
        from rich.text import Text

        if self.tty:
            # EOFError / KeyboardInterrupt pass through; stray arrow keys leave ESC sequences: drop them
            return _without_controls(self.console.input(Text(prompt, style="bold")))
        self.console.print(Text(prompt, style="bold"), end="")
        try:
            line = sys.stdin.readline()
        except UnicodeDecodeError:
            self.console.print()
            return "\ufffd"  # judged as an invalid answer
        if line == "":
            self.console.print()
            raise EOFError
        line = _without_controls(line.rstrip("\r\n"))
        self.console.print(Text(line), highlight=False)
        return line


