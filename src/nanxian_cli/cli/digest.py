"""`nanxian report digest`: the weekly digest for cron (files and e-mail, exactly once per week)."""

from __future__ import annotations

from nanxian_cli.cli.report import app  # noqa: F401  (commands attach to the report sub-app)
