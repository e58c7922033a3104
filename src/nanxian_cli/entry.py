"""The `nanxian` console script and `python -m nanxian_cli`: a fast path for cron's weekly digest, Typer
for everything else.

Why: cron runs `nanxian report digest` every week, and the digest of a week should take at most twice as
long as the `sqlite3` shell computing the same numbers (issue 7; `benchmarks/run.py` measures it). The
digest itself reads a few hundred rows; importing Typer and building its command tree takes longer than
that. So this module, which imports nothing heavy (no typer, rich, pydantic, yaml or sqlite_utils),
recognises one exact, simple shape of command line and runs the digest's body directly:

    nanxian [--db V] [--checklists V] [--lang V] report digest
            [--week V] [--as-of V] [--format|-f V] [--output|-o V] [--email] [--force]

Each option at most once, in any order within its group, its value the next word or, for a long option,
after `=`. Anything else goes to the Typer command line (`nanxian_cli.cli.main`) unchanged, which gives
its usual help, messages and exit codes: `--help`, `--version`, an unknown word or option, a repeated
option, a missing value or a value that starts with `-`, a `--format` other than text, markdown, html or
json, `--`, a word that is not valid UTF-8.

The values themselves are not judged here. The fast path applies the global options the way the root
command does (`runtime.apply_global_options`), calls the same body as the Typer command
(`digest_command.run`) and maps a failure to its message and exit code with the same function
(`runtime.failure_exit_code`), so a bad week or date, a missing database or an SMTP problem reads and
exits the same on both paths (tests/test_entry.py runs both and compares).
"""

from __future__ import annotations

import sys

# The options the fast path takes: option -> the parameter of the Typer command (and of digest_command.run).
GLOBAL_VALUES = {"--db": "db", "--checklists": "checklists", "--lang": "lang"}
DIGEST_VALUES = {"--week": "week", "--as-of": "as_of", "--format": "fmt", "-f": "fmt", "--output": "output", "-o": "output"}
DIGEST_FLAGS = {"--email": "email", "--force": "force"}


def main() -> None:
    """The console script: the digest's fast path when the command line is one it takes, else Typer."""
    parsed = digest_command_line(sys.argv[1:])
    if parsed is None:
        from nanxian_cli.cli import main as typer_main

        typer_main()
        return
    sys.exit(run_digest(*parsed))


def run_digest(global_options: dict[str, str], options: dict) -> int:
    """Run `report digest` as the Typer command would; returns the exit code."""
    from nanxian_cli.runtime import apply_global_options, failure_exit_code

    try:
        apply_global_options(global_options.get("db"), global_options.get("checklists"), global_options.get("lang"))
        from nanxian_cli.digest_command import run

        run(**options)
    except (Exception, KeyboardInterrupt) as exc:
        return failure_exit_code(exc)
    return 0


def digest_command_line(argv: list[str]) -> tuple[dict[str, str], dict] | None:
    """The global options and the digest's options of `[global options] report digest [options]`, or None
    when `argv` is any other command line or not one of the simple shapes this module takes."""
    for word in argv:
        try:
            word.encode("utf-8")
        except UnicodeEncodeError:  # undecodable bytes: Typer refuses them as a usage error
            return None
    taken = _options(argv, 0, GLOBAL_VALUES, {})
    if taken is None:
        return None
    global_options, i = taken
    if argv[i:i + 2] != ["report", "digest"]:
        return None
    taken = _options(argv, i + 2, DIGEST_VALUES, DIGEST_FLAGS)
    if taken is None:
        return None
    options, i = taken
    if i != len(argv):  # a word that is not an option
        return None
    from nanxian_cli.digest_command import FORMATS

    if "fmt" in options and options["fmt"] not in FORMATS:
        return None
    return global_options, options


def _options(argv: list[str], i: int, values: dict[str, str], flags: dict[str, str]) -> tuple[dict, int] | None:
    """The options from argv[i] up to the first word that is not an option, and where that word is;
    None for anything unknown, repeated, missing its value or taking a value that starts with '-'."""
    found: dict = {}
    while i < len(argv) and argv[i].startswith("-"):
        word = argv[i]
        name, given = word.split("=", 1) if word.startswith("--") and "=" in word else (word, None)
        if name in flags and given is None:
            key, value, i = flags[name], True, i + 1
        elif name in values:
            if given is None:
                if i + 1 == len(argv):
                    return None
                given, i = argv[i + 1], i + 2
            else:
                i += 1
            if given.startswith("-"):
                return None
            key, value = values[name], given
        else:
            return None
        if key in found:
            return None
        found[key] = value
    return found, i
