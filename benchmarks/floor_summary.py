"""Floor for `report summary`: a minimal Typer app that runs the same SQL through sqlite3 and prints JSON.

The statements are the ones `nanxian report summary` ran on the same database and period (run.py records
them with sqlite3's trace callback just before timing), one JSON list in SQL_FILE.
"""

import json
import sqlite3
from pathlib import Path

import typer

app = typer.Typer()


@app.command()
def summary(db: Path, sql_file: Path) -> None:
    """Run every statement and print the rows of each as JSON."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        results = [[dict(row) for row in conn.execute(sql)] for sql in json.loads(sql_file.read_text(encoding="utf-8"))]
    finally:
        conn.close()
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    app()
