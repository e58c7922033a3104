"""Settings: command-line options beat the environment, which beats the config file.

Kept free of heavy imports: every command reads settings at start-up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from nanxian_cli.errors import InputError, NanxianError
from nanxian_cli.i18n import tr

APP_NAME = "nanxian"
DEFAULT_TIMEZONE = "Asia/Shanghai"
PACKAGE_DIR = Path(__file__).resolve().parent
MAX_CONFIG_BYTES = 1024 * 1024
"""A config file is a few lines; anything larger is a mistake (or a device) and is refused."""


def _resource_dir(name: str) -> Path:
    """A bundled folder (`checklists`, `data`): inside the installed package, or at the repository top in a checkout."""
    inside = PACKAGE_DIR / name
    if inside.is_dir():
        return inside
    return PACKAGE_DIR.parent.parent / name


def bundled_checklists_dir() -> Path:
    return _resource_dir("checklists")


def bundled_data_dir() -> Path:
    return _resource_dir("data")


def _user_dir(kind: str) -> Path:
    import platformdirs  # only when no explicit path was given

    if kind == "data":
        return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def default_demo_db() -> Path:
    """Where `nanxian demo` builds its database: beside, never instead of, the real one."""
    return _user_dir("data") / "demo.db"


def locale_lang() -> str:
    """`zh` or `en` from the locale variables; a county tool defaults to Chinese when the locale says nothing."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return "zh" if value.lower().startswith("zh") else "en"
    return "zh"


def _language(value: str) -> str | None:
    value = value.lower()
    return "zh" if value.startswith("zh") else "en" if value.startswith("en") else None


def help_language(option: str | None) -> str:
    """The language of the root's help, before the settings are read: `--lang`, NANXIAN_LANG, the config
    file's `lang`, the locale, as for every command. Help is shown whatever is wrong: a bad value or a config
    file that cannot be read is skipped here (the command itself reports it)."""
    for value in (option, os.environ.get("NANXIAN_LANG")):
        if value and _language(value):
            return _language(value) or "zh"
    try:
        configured = read_config(_config_file()).get("lang")
    except (NanxianError, OSError, ValueError):
        configured = None
    if isinstance(configured, str) and _language(configured):
        return _language(configured) or "zh"
    return locale_lang()


@dataclass
class Settings:
    db_path: Path
    checklists_dir: Path
    lang: str
    timezone: str
    inspector: str | None
    config_path: Path | None
    raw_config: dict = field(default_factory=dict)
    db_is_default: bool = False
    inspector_source: str | None = None
    """Where `inspector` came from, for messages: `NANXIAN_INSPECTOR` or `<config file>: inspector`."""
    usual_lang: str = "zh"
    """The language without `--lang` (NANXIAN_LANG, the config file, the locale): the digest in another language,
    asked for with --lang, is another file and another delivery."""


def _config_file() -> Path | None:
    named = os.environ.get("NANXIAN_CONFIG")
    if named:
        return Path(named).expanduser()
    try:
        candidate = _user_dir("config") / "config.toml"
    except Exception:  # no home directory at all (cron under env -i): no config file
        return None
    return candidate if candidate.is_file() else None


def read_config(path: Path | None) -> dict:
    if path is None:
        return {}
    if not path.exists():
        if os.environ.get("NANXIAN_CONFIG"):
            raise InputError(tr(f"{path}：配置文件不存在", f"{path}: config file not found"))
        return {}
    from nanxian_cli.files.inputs import read_bytes  # the bounded reader: a device or a pipe cannot fill memory
    from nanxian_cli.files.outputs import protect_input

    protect_input(path)  # read by every command: no output may replace it
    raw = read_bytes(path, MAX_CONFIG_BYTES)
    if not raw:  # an empty file holds no settings: no need to import the TOML parser
        return {}
    import tomllib

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        import re

        at = re.search(r"at line (\d+), column (\d+)", str(exc))
        where = f"（第 {at.group(1)} 行第 {at.group(2)} 列）" if at else ""
        raise InputError(tr(f"{path}：配置文件不是有效的 TOML{where}", f"{path}: {exc}")) from None
    except UnicodeDecodeError as exc:
        raise InputError(tr(f"{path}：配置文件不是 UTF-8 编码，无法读取",
                            f"{path}: cannot read config file: {exc}")) from None
    return data


def _check_config_types(cfg: dict, path: Path | None) -> None:
    """Top-level settings are text; a number or a list there is a mistake to report, not to guess at."""
    for key in ("db", "checklists", "lang", "timezone", "inspector", "device"):
        value = cfg.get(key)
        if value is not None and not isinstance(value, str):
            raise InputError(tr(f"{path}：`{key}` 应为带引号的字符串，而不是 {value!r}",
                                f"{path}: `{key}` must be a quoted string, got {value!r}"))


def load_settings(
    db: str | None = None,
    checklists: str | None = None,
    lang: str | None = None,
) -> Settings:
    cfg_path = _config_file()
    cfg = read_config(cfg_path)
    _check_config_types(cfg, cfg_path)
    env = os.environ

    db_is_default = False
    db_text = db or env.get("NANXIAN_DB") or cfg.get("db")
    if db_text:
        db_path = Path(str(db_text)).expanduser()
    else:
        db_path = _user_dir("data") / "nanxian.db"
        db_is_default = True

    cl_text = checklists or env.get("NANXIAN_CHECKLISTS") or cfg.get("checklists")
    checklists_dir = Path(str(cl_text)).expanduser() if cl_text else bundled_checklists_dir()

    lang_value = (lang or env.get("NANXIAN_LANG") or cfg.get("lang") or locale_lang()).lower()
    if lang_value.startswith("zh"):
        lang_value = "zh"
    elif lang_value.startswith("en"):
        lang_value = "en"
    else:
        # the language is what is wrong: said in both
        raise InputError(f"--lang / NANXIAN_LANG: expected zh or en, got {lang_value!r}（应为 zh 或 en）")

    usual = _language(str(env.get("NANXIAN_LANG") or cfg.get("lang") or locale_lang())) or lang_value

    timezone = str(env.get("NANXIAN_TIMEZONE") or cfg.get("timezone") or DEFAULT_TIMEZONE)
    inspector = env.get("NANXIAN_INSPECTOR") or cfg.get("inspector")
    inspector_source = "NANXIAN_INSPECTOR" if env.get("NANXIAN_INSPECTOR") else f"{cfg_path}: inspector"
    return Settings(
        db_path=db_path,
        checklists_dir=checklists_dir,
        lang=lang_value,
        timezone=timezone,
        inspector=str(inspector) if inspector else None,
        config_path=cfg_path,
        raw_config=cfg,
        db_is_default=db_is_default,
        inspector_source=inspector_source if inspector else None,
        usual_lang=usual,
    )
