"""Counting outcomes: compliance rate, weighted score, per-plan-item counts. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def rate(passed: float, failed: float) -> float | None:
    """pass / (pass + fail); None when nothing was checked. The only definition of a rate in the project."""
    total = passed + failed
    return None if total == 0 else passed / total


_INDEX = {"pass": 0, "fail": 1, "na": 2, "info": 3}


@dataclass
class Tally:
    n_pass: int = 0
    n_fail: int = 0
    n_na: int = 0
    n_info: int = 0
    w_pass: float = 0.0
    w_fail: float = 0.0
    n_critical_fail: int = 0
    n_items: int = 0
    by_plan: dict[int, list] = field(default_factory=dict)
    """plan item -> [pass, fail, na, info, w_pass, w_fail, critical fails]"""

    def add(self, item: Any, outcome: str) -> None:
        self.n_items += 1
        w = float(item.weight)
        critical_fail = outcome == "fail" and item.severity == "critical"
        if outcome == "pass":
            self.n_pass += 1
            self.w_pass += w
        elif outcome == "fail":
            self.n_fail += 1
            self.w_fail += w
            if critical_fail:
                self.n_critical_fail += 1
        elif outcome == "na":
            self.n_na += 1
        else:
            self.n_info += 1
        idx = _INDEX[outcome]
        for number in item.plan:
            row = self.by_plan.setdefault(number, [0, 0, 0, 0, 0.0, 0.0, 0])
            row[idx] += 1
            if outcome == "pass":
                row[4] += w
            elif outcome == "fail":
                row[5] += w
                if critical_fail:
                    row[6] += 1

    @property
    def compliance_rate(self) -> float | None:
        return rate(self.n_pass, self.n_fail)

    @property
    def score(self) -> float | None:
        return rate(self.w_pass, self.w_fail)


def tally(items_by_id: dict[str, Any], outcomes: dict[str, str]) -> Tally:
    t = Tally()
    for item_id, outcome in outcomes.items():
        item = items_by_id.get(item_id)
        if item is not None:
            t.add(item, outcome)
    return t
