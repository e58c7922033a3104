"""The repository itself: no file left with a merge's conflict markers."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("*.py", "*.md", "*.yaml", "*.toml", "*.txt", "*.html", "*.json")


def test_no_conflict_markers_anywhere():
    found = []
    for folder in ("src", "tests", "docs", "checklists", "data", "benchmarks"):
        for pattern in KINDS:
            for path in (ROOT / folder).rglob(pattern):
                if ".venv" in path.parts or "out" in path.relative_to(ROOT).parts[:2]:
                    continue
                found += [f"{path.relative_to(ROOT)}:{n}" for n, line in
                          enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1)
                          if line.startswith(("<<<<<<< ", ">>>>>>> "))]
    for path in (ROOT / "README.md", ROOT / "pyproject.toml"):
        found += [f"{path.name}:{n}" for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                  if line.startswith(("<<<<<<< ", ">>>>>>> "))]
    assert found == []
