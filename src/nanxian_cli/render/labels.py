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


def stages(keys: Any) -> str:
    """School stages as people read them: 小学 初中 in Chinese; in English the keys `--stage` takes."""
    from nanxian_cli.core.vocab import STAGE_LABELS
    from nanxian_cli.i18n import get_lang

    if isinstance(keys, str):
        keys = keys.split()
    if get_lang() != "zh":
        return " ".join(keys or [])
    return " ".join(STAGE_LABELS[k][0] if k in STAGE_LABELS else k for k in keys or [])


def shown_filters(filters: dict) -> dict:
    """A report's filters with their values in words (the stage); the JSON keeps the keys."""
    if filters.get("stage"):
        return {**filters, "stage": stages(filters["stage"])}
    return filters
