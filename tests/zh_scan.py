"""The scan for English sentences under `--lang zh` (issue 17, "Done when"): every refused command of the test
suite is run once more in Chinese (see the `cli` fixture in conftest.py) and what it prints on stderr must hold no
English sentence. Ids, codes, file paths, options, commands to type and the names of formats and standards are
allowed; two English words in a row are a sentence."""

from __future__ import annotations

import re

# What a Chinese message may show in Latin letters: names of formats, standards and protocols; units.
ALLOWED = {
    "YAML", "JSON", "CSV", "UTF", "BOM", "SMTP", "XLSX", "xlsx", "HTML", "html", "Markdown", "markdown", "Excel",
    "WPS", "Word", "SQLite", "WAL", "TLS", "STARTTLS", "SSL", "starttls", "ssl", "none", "ISO", "EXIF", "PDF", "JPEG",
    "PNG", "WEBP", "DOCX", "docx", "pdf", "csv", "json", "yaml", "yml", "table", "text", "id", "ids", "MB", "KB",
    "GB", "UUID", "OS", "URL", "Ctrl", "Enter", "Tab", "PATH", "NAME", "SCHOOL", "SCHOOLS", "VISIT", "ITEM",
    "VALUE", "OLD", "NEW", "FILE", "DIR", "CHECKLIST", "ID", "DATE", "WEEK", "N", "YYYY", "MM", "DD", "Www",
    "true", "false", "yes", "no", "na", "y", "n", "q", "b", "s", "p", "null", "Asia", "Shanghai", "pinyin", "zh", "en",
}

_PATH = re.compile(r"(?:[A-Za-z]:)?[^\s'\"，。；：（）()、]*[/\\][^\s'\"，。；：（）()、]*")
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|`[^`\n]*`|《[^》\n]*》")
_COMMAND = re.compile(r"\bnanxian\b(?=[ \t]+(?:-|[a-z]))[^\n，。；）)'\"`]*")  # not `nanxian 数据包`
_OPTION = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*(?:\.\w+)*")
_TOKEN_ID = re.compile(r"[\w.@+]*[\d_.\-@+][\w.@+\-]*")  # NX-001, routine-monthly, t_class, a.b, 0x1f, 3.5
_ENV = re.compile(r"\b[A-Z][A-Z0-9_]{2,}\b")
_SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ \t]+[A-Za-z]{2,})+")


def english_sentences(text: str) -> list[str]:
    """The English sentences (two or more English words in a row) left once allowed text is taken out."""
    found: list[str] = []
    for line in text.splitlines():
        line = _COMMAND.sub(" ", line)
        line = _QUOTED.sub(" ", line)
        line = _PATH.sub(" ", line)
        line = _OPTION.sub(" ", line)
        line = _ENV.sub(" ", line)
        words = []
        for token in re.split(r"(\s+)", line):
            bare = token.strip(",.;:!?()[]{}<>|=“”‘’…（）【】，。；：、")
            if _TOKEN_ID.fullmatch(bare or "-") or bare in ALLOWED:
                words.append(" · ")
            else:
                words.append(token)
        found += [" ".join(m.split()) for m in _SENTENCE.findall("".join(words))]
    return found
