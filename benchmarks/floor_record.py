"""Floor for `inspect visit --answers`: a minimal Typer app that validates the same answers file with pydantic
and inserts the same rows.

The rows are the INSERT/UPDATE statements `nanxian inspect visit` ran for this file on a copy of the same
database (run.py records them with sqlite3's trace callback before timing), one JSON list in SQL_FILE;
they go in one transaction, as nanxian writes a visit.
"""

import datetime as dt
import json
import sqlite3
from pathlib import Path

import typer
import yaml
from pydantic import BaseModel, ConfigDict

app = typer.Typer()


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: bool | int | float | str | None = None
    note: str | None = None


class AnswersFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    school: str
    checklist: str
    date: dt.date
    inspector: str | None = None
    answers: dict[str, bool | int | float | str | Entry | None]


@app.command()
def record(db: Path, answers: Path, sql_file: Path) -> None:
    """Validate the answers file, insert the visit's rows, print what was recorded."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    doc = AnswersFile.model_validate(yaml.load(answers.read_text(encoding="utf-8"), Loader=loader))
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = NORMAL")  # nanxian's setting in WAL mode
        conn.execute("BEGIN IMMEDIATE")
        for sql in json.loads(sql_file.read_text(encoding="utf-8")):
            conn.execute(sql)
        conn.execute("COMMIT")
    finally:
        conn.close()
    print(json.dumps({"school": doc.school, "checklist": doc.checklist, "date": doc.date.isoformat(),
                      "answers": len(doc.answers)}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    app()
