"""Floor for a report: a minimal Typer app that runs the report's own SQL through sqlite3 and prints it as JSON
(or, with `--output DIR`, writes it to a file in DIR the way nanxian writes an output: a temporary file, fsync,
rename, fsync the folder).

The statements are the ones nanxian ran for the same command on the same database (run.py records them with
sqlite3's trace callback just before timing), one JSON list in SQL_FILE.
"""

import json
import os
import sqlite3
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer()


@app.command()
def report(db: Path, sql_file: Path, output: Annotated[Path | None, typer.Option("--output")] = None) -> None:
    """Run every statement and print (or write) the rows of each as JSON."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        results = [[dict(row) for row in conn.execute(sql)] for sql in json.loads(sql_file.read_text(encoding="utf-8"))]
    finally:
        conn.close()
    text = json.dumps(results, ensure_ascii=False, indent=2)
    if output is None:
        print(text)
        return
    target = output / "report.json"
    temporary = output / ".report.json.tmp"
    with open(temporary, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temporary, target)
    folder = os.open(output, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


if __name__ == "__main__":
    app()
