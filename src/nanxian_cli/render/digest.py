"""The weekly digest as plain text, Markdown or HTML (JSON is `render.json_text(digest_json(d))`).

The digest is first laid out once as sections (a title, lines, an optional table), in the current
language; each format then renders the same sections. School names, inspector names and point
texts are user data: control characters are removed everywhere, Markdown is escaped, HTML is escaped.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from nanxian_cli.core.scoring import rate as _rate_of
from nanxian_cli.core.vocab import ESCALATED_LABEL, FINDING_STATUS_LABELS, SEVERITY_LABELS
from nanxian_cli.i18n import get_lang, label, tr
from nanxian_cli.render.wrap import cells
from nanxian_cli.reports.digest import SEVERITIES, UNVISITED_DAYS, Digest

MAX_ROWS = 50  # long lists (overdue findings, unvisited schools) are cut in the digest; JSON has them all


@dataclass
class Section:
    title: str
    lines: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    numeric: set[int] = field(default_factory=set)  # right-aligned columns
    more: int = 0  # rows left out


def clean(value: Any) -> str:
    """One line of printable text: control characters (ESC, CR, NUL…) become spaces or are dropped."""
    if value is None:
        return "—"
    text = str(value)
    if text.isprintable():  # no control, format or unassigned character, nor tab or line break: as it is
        return text
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "\t\n\r":
            out.append(" ")
        elif cat in ("Cc", "Cf", "Cs", "Co", "Cn") and ch not in "\u200d":
            continue
        else:
            out.append(ch)
    return "".join(out)


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def title(d: Digest) -> str:
    return tr(
        f"南县责任督学督导周报 {d.week.label}（{d.start.isoformat()} 至 {d.end.isoformat()}）",
        f"Nanxian supervision digest {d.week.label} ({d.start.isoformat()} to {d.end.isoformat()})",
    )


def subject(d: Digest) -> str:
    return title(d)


def _severity(sev: str) -> str:
    return label(SEVERITY_LABELS.get(sev), sev)


def _point(row: dict[str, Any]) -> str:
    text = row.get("text_zh") if get_lang() == "zh" else row.get("text_en")
    return f"{row['item_id']} {text}" if text else str(row["item_id"])


def _school(code: str, name: str | None) -> str:
    return f"{name}（{code}）" if get_lang() == "zh" else f"{name} ({code})"


def sections(d: Digest) -> list[Section]:
    out: list[Section] = []
    prev = d.previous
    rate = d.compliance_rate

    s = Section(tr("一、督导到校", "1. Visits"))
    if not d.complete:
        s.lines.append(tr(f"注意：本周尚未结束，数据截至 {d.as_of.isoformat()}。",
                          f"Note: the week is not over yet; figures as of {d.as_of.isoformat()}."))
    s.lines.append(tr(
        f"到校督导 {d.visits} 次，涉及 {d.schools_visited} 所学校；检查点合格率 {pct(rate)}"
        f"（合格 {d.n_pass}，不合格 {d.n_fail}）。",
        f"{d.visits} visit(s) to {d.schools_visited} school(s); compliance rate {pct(rate)} "
        f"({d.n_pass} passed, {d.n_fail} failed).",
    ))
    if rate is not None and prev["compliance_rate"] is not None:
        delta = (rate - prev["compliance_rate"]) * 100
        rate_change = tr(f"{delta:+.1f} 个百分点", f"{delta:+.1f} points")
    else:
        rate_change = "—"
    s.lines.append(tr(
        f"与上周（{prev['week']}）相比：到校 {prev['visits']} 次 → {d.visits} 次"
        f"（{signed(d.visits - prev['visits'])}），"
        f"合格率 {pct(prev['compliance_rate'])} → {pct(rate)}（{rate_change}），"
        f"新发现问题 {prev['new_findings']} → {d.new_total}（{signed(d.new_total - prev['new_findings'])}）。",
        f"Against the week before ({prev['week']}): visits {prev['visits']} → {d.visits} "
        f"({signed(d.visits - prev['visits'])}), compliance {pct(prev['compliance_rate'])} → {pct(rate)} "
        f"({rate_change}), new findings {prev['new_findings']} → {d.new_total} "
        f"({signed(d.new_total - prev['new_findings'])}).",
    ))
    out.append(s)

    if d.by_inspector:
        out.append(Section(
            tr("按督学", "By inspector"),
            columns=[tr("督学", "Inspector"), tr("到校次数", "Visits"), tr("学校数", "Schools"),
                     tr("合格率", "Compliance")],
            rows=[[clean(r["inspector"]), str(r["visits"]), str(r["schools"]), pct(_rate(r))] for r in d.by_inspector],
            numeric={1, 2, 3},
        ))
    if d.by_checklist:
        out.append(Section(
            tr("按检查表", "By checklist"),
            columns=[tr("检查表", "Checklist"), tr("到校次数", "Visits"), tr("合格率", "Compliance")],
            rows=[[clean(label((r["title_zh"], r["title_en"]), r["checklist_id"]) if r["title_zh"]
                         else r["checklist_id"]),
                   str(r["visits"]), pct(_rate(r))] for r in d.by_checklist],
            numeric={1, 2},
        ))

    sev = "，".join(f"{_severity(k)} {d.new_findings[k]}" for k in SEVERITIES) if get_lang() == "zh" else \
        ", ".join(f"{_severity(k)} {d.new_findings[k]}" for k in SEVERITIES)
    s = Section(tr("二、新发现问题", "2. New findings"))
    s.lines.append(tr(f"本周新发现问题 {d.new_total} 项（{sev}）。",
                      f"{d.new_total} new finding(s) this week ({sev})."))
    if d.critical_findings:
        s.lines.append(tr("严重问题：", "Critical findings:"))
        s.columns = [tr("学校", "School"), tr("检查点", "Point"), tr("发现日期", "Opened"), tr("整改期限", "Due")]
        s.rows = [[clean(_school(r["school_code"], r["school_name"])), clean(_point(r)), r["opened"], r["due"]]
                  for r in d.critical_findings]
    out.append(s)

    rsev = "，".join(f"{_severity(k)} {d.resolved_findings[k]}" for k in SEVERITIES) if get_lang() == "zh" else \
        ", ".join(f"{_severity(k)} {d.resolved_findings[k]}" for k in SEVERITIES)
    out.append(Section(tr("三、整改完成", "3. Findings resolved"), lines=[
        tr(f"本周整改完成 {d.resolved_total} 项（{rsev}），其中立行立改 {d.fixed_on_site} 项。",
           f"{d.resolved_total} finding(s) resolved this week ({rsev}), {d.fixed_on_site} of them fixed on site."),
        tr(f"本周收到整改报告 {d.reported} 项（待复查），上报/交办 {d.escalated} 项。",
           f"{d.reported} rectification report(s) received this week (awaiting re-check); "
           f"{d.escalated} finding(s) escalated to the bureau."),
    ]))

    s = Section(tr("四、逾期待整改", "4. Overdue findings"))
    s.lines.append(tr(f"截至 {d.end.isoformat()}，逾期待整改 {len(d.overdue)} 项（最早到期的在前）。",
                      f"{len(d.overdue)} finding(s) overdue as of {d.end.isoformat()} (oldest deadline first)."))
    if d.overdue:
        s.columns = [tr("学校", "School"), tr("检查点", "Point"), tr("严重程度", "Severity"), tr("整改期限", "Due"),
                     tr("逾期天数", "Days overdue")]
        s.numeric = {4}
        s.rows = [[clean(_school(r["school_code"], r["school_name"])), clean(_point(r)), _severity(r["severity"]),
                   r["due"], str(r["days_overdue"])] for r in d.overdue[:MAX_ROWS]]
        s.more = max(0, len(d.overdue) - MAX_ROWS)
    out.append(s)

    s = Section(tr("五、合格率最低的学校", "5. Weakest schools"))
    if d.weakest_schools:
        s.columns = [tr("学校", "School"), tr("到校次数", "Visits"), tr("合格", "Passed"), tr("不合格", "Failed"),
                     tr("合格率", "Compliance")]
        s.numeric = {1, 2, 3, 4}
        s.rows = [[clean(_school(r["code"], r["name"])), str(r["visits"]), str(r["n_pass"]), str(r["n_fail"]),
                   pct(r["rate"])] for r in d.weakest_schools]
    else:
        s.lines.append(tr("本周没有检查结果。", "No checked points this week."))
    out.append(s)

    s = Section(tr("六、合格率最低的工作要点", "6. Weakest work-plan items"))
    if d.weakest_plan_items:
        s.columns = [tr("工作要点", "Plan item"), tr("合格", "Passed"), tr("不合格", "Failed"),
                     tr("合格率", "Compliance")]
        s.numeric = {1, 2, 3}
        s.rows = [[clean(f"{r['number']}. {label((r['title_zh'], r['title_en']))}" if r["title_zh"]
                         else tr(f"第 {r['number']} 项", f"Item {r['number']}")),
                   str(r["n_pass"]), str(r["n_fail"]), pct(r["rate"])] for r in d.weakest_plan_items]
    else:
        s.lines.append(tr("本周没有检查结果。", "No checked points this week."))
    out.append(s)

    s = Section(tr(f"七、近 {UNVISITED_DAYS} 天未督导的学校", f"7. Schools not visited in {UNVISITED_DAYS} days"))
    s.lines.append(tr(
        f"{d.unvisited_since.isoformat()} 至 {d.end.isoformat()} 无督导记录的学校 {len(d.unvisited)} 所。",
        f"{len(d.unvisited)} school(s) with no visit from {d.unvisited_since.isoformat()} to {d.end.isoformat()}.",
    ))
    if d.unvisited:
        s.columns = [tr("学校", "School"), tr("乡镇", "Town"), tr("责任督学", "Inspector"),
                     tr("最近一次督导", "Last visit")]
        s.rows = [[clean(_school(r["code"], r["name"])), clean(r["town"]),
                   clean(r["inspector"]) if r["inspector"] else tr("未挂牌", "none assigned"),
                   r["last_visit"] or tr("从未", "never")] for r in d.unvisited[:MAX_ROWS]]
        s.more = max(0, len(d.unvisited) - MAX_ROWS)
    out.append(s)

    nxt = d.next_week
    s = Section(tr("八、下周到期", "8. Due next week"))
    s.lines.append(tr(
        f"下周（{nxt.monday.isoformat()} 至 {nxt.sunday.isoformat()}）到期的整改项 {len(d.due_next_week)} 项"
        "（最早到期的在前）。",
        f"{len(d.due_next_week)} finding(s) due next week ({nxt.monday.isoformat()} to {nxt.sunday.isoformat()}), "
        "soonest first.",
    ))
    if d.due_next_week:
        s.columns = [tr("学校", "School"), tr("检查点", "Point"), tr("严重程度", "Severity"), tr("整改期限", "Due"),
                     tr("状态", "Status")]
        s.rows = [[clean(_school(r["school_code"], r["school_name"])), clean(_point(r)), _severity(r["severity"]),
                   r["due"], _state(r)] for r in d.due_next_week[:MAX_ROWS]]
        s.more = max(0, len(d.due_next_week) - MAX_ROWS)
    out.append(s)
    return out


def _state(row: dict[str, Any]) -> str:
    """A finding's state at the end of the week in the digest's words (待整改 / 待复查), with 已上报 when escalated."""
    if "reported_then" in row:
        status = "reported" if row["reported_then"] else "open"
    else:  # resolved after the week: in progress then
        status = row["status"] if row["status"] in ("open", "reported") else "open"
    text = label(FINDING_STATUS_LABELS.get(status), status)
    if row.get("escalated_then", row["escalated"]):
        text += tr("，", ", ") + label(ESCALATED_LABEL)
    return text


def _rate(row: dict[str, Any]) -> float | None:
    return _rate_of(row["n_pass"], row["n_fail"])


def _more(n: int) -> str:
    return tr(f"……另有 {n} 项未列出（见 JSON 输出或 `nanxian finding list`）",
              f"… and {n} more (see the JSON output or `nanxian finding list`)")


# -- plain text ---------------------------------------------------------------------------------------

def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(0, width - cells(text))
    return gap + text if right else text + gap


def render_text(d: Digest) -> str:
    head = title(d)
    lines = [head, "=" * cells(head), ""]
    for s in sections(d):
        lines.append(s.title)
        lines.append("-" * cells(s.title))
        lines.extend(s.lines)
        if s.columns:
            widths = [max(cells(c) for c in [col, *(row[i] for row in s.rows)]) for i, col in enumerate(s.columns)]
            lines.append("  ".join(_pad(c, widths[i], i in s.numeric) for i, c in enumerate(s.columns)).rstrip())
            lines.append("  ".join("-" * w for w in widths))
            for row in s.rows:
                lines.append("  ".join(_pad(v, widths[i], i in s.numeric) for i, v in enumerate(row)).rstrip())
            if s.more:
                lines.append(_more(s.more))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


MAIL_WIDTH = 78
"""The plain-text part of the digest mail: mail clients show lines up to 78 characters (RFC 5322)."""


def render_mail_text(d: Digest, width: int = MAIL_WIDTH) -> str:
    """The digest as the plain-text part of the mail: the same text in lines of at most `width` columns
    (a wide character counts two). Sentences wrap; a table wider than that lists each row as a short block of
    `header: value`: the first cell, then the others indented (a long one on a line of its own)."""
    from nanxian_cli.render.wrap import wrap

    def para(text: str, first: str = "", indent: str = "") -> list[str]:
        return wrap(text, width, indent, first) or [""]

    head = title(d)
    lines = para(head)
    lines += ["=" * min(width, max(cells(line) for line in lines)), ""]
    sep, colon = tr("；", "; "), tr("：", ": ")
    for s in sections(d):
        lines += para(s.title)
        lines.append("-" * min(width, cells(s.title)))
        for text in s.lines:
            lines += para(text)
        if s.columns:
            widths = [max(cells(c) for c in [col, *(row[i] for row in s.rows)]) for i, col in enumerate(s.columns)]
            if sum(widths) + 2 * (len(widths) - 1) <= width:
                lines.append("  ".join(_pad(c, widths[i], i in s.numeric) for i, c in enumerate(s.columns)).rstrip())
                lines.append("  ".join("-" * w for w in widths))
                lines += ["  ".join(_pad(v, widths[i], i in s.numeric) for i, v in enumerate(row)).rstrip()
                          for row in s.rows]
            else:
                for row in s.rows:
                    lines += para(f"{s.columns[0]}{colon}{row[0]}", "", "  ")
                    line = ""
                    for field in (f"{c}{colon}{v}" for c, v in zip(s.columns[1:], row[1:], strict=True)):
                        if line and cells("  " + line + sep + field) <= width:
                            line += sep + field
                            continue
                        if line:
                            lines += para(line, "  ", "    ")
                        line = field
                    if line:
                        lines += para(line, "  ", "    ")
            if s.more:
                lines += para(_more(s.more))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# -- Markdown -----------------------------------------------------------------------------------------

def render_markdown(d: Digest) -> str:
    from nanxian_cli.render import escape_markdown as esc

    lines = [f"# {esc(title(d))}", ""]
    for s in sections(d):
        lines.append(f"## {esc(s.title)}")
        lines.append("")
        for line in s.lines:
            lines.append(esc(line))
            lines.append("")
        if s.columns:
            lines.append("| " + " | ".join(esc(c) for c in s.columns) + " |")
            lines.append("|" + "|".join("---:" if i in s.numeric else "---" for i in range(len(s.columns))) + "|")
            for row in s.rows:
                lines.append("| " + " | ".join(esc(v) for v in row) + " |")
            lines.append("")
            if s.more:
                lines.append(esc(_more(s.more)))
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# -- HTML ---------------------------------------------------------------------------------------------

_CSS = (
    "body{font-family:-apple-system,'Microsoft YaHei','PingFang SC',sans-serif;color:#222;max-width:60em}"
    "table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #ccc;padding:.2em .6em;text-align:left}"
    "th{background:#f2f2f2}td.n{text-align:right}h2{font-size:1.1em;margin-top:1.4em}"
)


def render_html(d: Digest) -> str:
    import html

    e = html.escape
    lang = tr("zh-CN", "en")
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8"><title>{e(title(d))}</title>',
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{e(title(d))}</h1>",
    ]
    for s in sections(d):
        parts.append(f"<h2>{e(s.title)}</h2>")
        parts.extend(f"<p>{e(line)}</p>" for line in s.lines)
        if s.columns:
            parts.append("<table><thead><tr>" + "".join(f"<th>{e(c)}</th>" for c in s.columns) + "</tr></thead><tbody>")
            for row in s.rows:
                cells = "".join(f'<td class="n">{e(v)}</td>' if i in s.numeric else f"<td>{e(v)}</td>"
                                for i, v in enumerate(row))
                parts.append(f"<tr>{cells}</tr>")
            parts.append("</tbody></table>")
            if s.more:
                parts.append(f"<p>{e(_more(s.more))}</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def render(d: Digest, fmt: str) -> str:
    if fmt == "json":
        from nanxian_cli.render import json_text
        from nanxian_cli.reports.digest import digest_json

        return json_text(digest_json(d))
    if fmt == "markdown":
        return render_markdown(d)
    if fmt == "html":
        return render_html(d)
    return render_text(d)
