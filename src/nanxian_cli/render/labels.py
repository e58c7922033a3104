"""Closed-vocabulary values as people read them, in the current language (the pairs live in core/vocab.py)."""

from __future__ import annotations

from typing import Any

from nanxian_cli.core.vocab import FINDING_STATUS_LABELS, OUTCOME_LABELS, SEVERITY_LABELS, VISIT_STATUS_LABELS
from nanxian_cli.i18n import answer_text, pick

_WORDS = {**SEVERITY_LABELS, **VISIT_STATUS_LABELS, **FINDING_STATUS_LABELS, **OUTCOME_LABELS}


def word(key: str) -> str:
    """A severity, visit status, finding status or outcome in the current language (JSON keeps the key)."""
    pair = _WORDS.get(key)
    return pick(pair) if pair else key


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def answer(value: Any) -> str:
    """A recorded answer for a table cell: yes/no in the current language, — when there is none."""
    return answer_text(value, "—")
