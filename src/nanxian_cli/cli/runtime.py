"""What every command run shares: the global options of this run and the settings they select, the store,
and the county's date (computed once per run and passed down from here). Where every failure ends is
cli/failures.py; the Typer classes every command is built from are in cli/typer_classes.py.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from typing import Any

from nanxian_cli.errors import InputError


@dataclass
class State:
    """The global options of this run (`--db`, `--checklists`, `--lang`); settings are read on first use,
    the county's date on first use."""

    db: str | None = None
    checklists: str | None = None
    lang: str | None = None
    _settings: Any = None
    _today: dt.date | None = None

    @property
    def settings(self):
        if self._settings is None:
            from nanxian_cli.config import load_settings

            self._settings = load_settings(self.db, self.checklists, self.lang)
        return self._settings


state = State()


def apply_global_options(db: str | None, checklists: str | None, lang: str | None) -> None:
    """What the root command does before any command: keep the global options, read the settings they
    select (command line, then environment, then config file) and speak their language."""
    from nanxian_cli.files import outputs as output_guard
    from nanxian_cli.i18n import set_lang, set_zone

    output_guard.reset()  # a new run: the paths its outputs must not replace are collected afresh
    state.db, state.checklists, state.lang, state._settings, state._today = db, checklists, lang, None, None
    asked = (lang or "").lower()[:2]
    if asked in ("zh", "en"):  # before the settings are read: a broken config file is refused in that language
        set_lang(asked)
    output_guard.protect_database(state.settings.db_path)
    set_lang(state.settings.lang)
    set_zone(state.settings.timezone)


def settings():
    return state.settings


def open_db(create: bool = True):
    from nanxian_cli.services.upgrade import open_database

    return open_database(settings().db_path, create=create, on_upgrade=_say_upgrading)


def _say_upgrading(old: int, new: int) -> None:
    """One line on stderr before a database written by an older nanxian is upgraded (once per file)."""
    from nanxian_cli.i18n import tr

    path = settings().db_path
    sys.stderr.write(tr(f"正在把数据库 {path} 升级到新的结构（{old} → {new}，只做一次；数据多时可能需要一分钟）…",
                        f"Upgrading the database {path} to the new schema ({old} -> {new}, once; a large one "
                        f"can take a minute) …") + "\n")
    sys.stderr.flush()


def today() -> dt.date:
    """Today in the county's time zone: read from the clock once per run, so every check and default of
    one command uses the same day (a run across midnight does not see two)."""
    if state._today is None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            tz = ZoneInfo(settings().timezone)
        except (ZoneInfoNotFoundError, ValueError):
            from nanxian_cli.i18n import tr

            raise InputError(tr(f"timezone：未知时区 {settings().timezone!r}",
                                f"timezone: unknown time zone {settings().timezone!r}")) from None
        state._today = dt.datetime.now(tz).date()
    return state._today


def parse_date(text: str | None, what: str = "--date") -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        from nanxian_cli.i18n import tr

        raise InputError(tr(f"{what}：{text!r} 不是日期（应为 YYYY-MM-DD）",
                            f"{what}: {text!r} is not a date (YYYY-MM-DD)")) from None
