"""What the interactive visit shows (ui/entry.py): the header, one point, its guidance and earlier answer, what a
fail does, and the review of every answer before submitting. A mixin of `Session` (ui/entry_session.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from nanxian_cli.core.answers import hint
from nanxian_cli.i18n import answer_text, get_lang, pick, tr


def _severity(key: str) -> str:
    from nanxian_cli.core.vocab import SEVERITY_LABELS
    from nanxian_cli.i18n import label

    return label(SEVERITY_LABELS.get(key), key)


def _show_value(value: Any) -> str:
    return answer_text(value)


class Screens:
    """The screens of a `Session`: it holds the state they show (`console`, `checklist`, `latest` …)."""

    # -- output helpers ------------------------------------------------------------------------------
    def say(self, text: str, style: str = "") -> None:
        from rich.text import Text

        self.console.print(Text(text, style=style), highlight=False)

    def text_of(self, local: Any) -> str:
        return "" if local is None else local.get(get_lang())

    # -- screens ---------------------------------------------------------------------------------------
    def header(self) -> None:
        from rich.panel import Panel
        from rich.table import Table
        from rich.text import Text

        cl = self.checklist
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column()
        grid.add_row(Text(tr("学校", "School")), Text(f"{self.school['name']} ({self.school['code']})"))
        grid.add_row(Text(tr("检查表", "Checklist")), Text(f"{self.text_of(cl.title)} [{cl.id} v{cl.version}]"))
        grid.add_row(Text(tr("督学", "Inspector")), Text(self.inspector))
        grid.add_row(Text(tr("日期", "Date")), Text(self.date.isoformat()))
        grid.add_row(Text(tr("进度", "Progress")), Text(f"{self.progress()}/{len(cl.items)}"))
        grid.add_row(Text(tr("按键", "Keys")), Text(tr("? 指引 · b 返回上一项 · s 暂时跳过 · q 保存并退出 · "
                                                      "p 文件 添加照片或文档 · "
                                                      "回答后空一格可写备注（n 消防通道堆放杂物）",
                                                      "? guidance · b back · s skip for now · q save and quit · "
                                                      "p FILE attach a photo or document · a note may follow the "
                                                      "answer (n exit blocked)")))
        self.console.print(Panel(grid, title=Text(tr("督导检查", "School visit")), title_align="left"))

    def progress(self) -> int:
        return sum(1 for item in self.checklist.items if item.id in self.latest)

    def accepted(self, item: Any) -> str:
        return pick(hint(item))

    def show_point(self, item: Any, position: int) -> None:
        from rich.text import Text

        total = len(self.checklist.items)
        sev_style = "bold red" if item.severity == "critical" else ""
        title = Text(f"{position}/{total} · {item.id} · ")
        title.append(_severity(item.severity), style=sev_style)
        finding = self.rechecks.get(item.id)
        if finding is not None:  # this answer re-checks an open finding
            title.append(" · " + tr(f"复查 #{finding['id']}", f"re-check #{finding['id']}"), style="bold yellow")
        title.append(tr(f" · 已答 {self.progress()}/{total}", f" · answered {self.progress()}/{total}"), style="dim")
        self.console.rule(title, align="left")
        self.say(self.text_of(item.text), "bold")
        if item.guidance is not None:
            self.say(self.text_of(item.guidance), "dim")
        self.say(tr("工作要点：", "Plan items: ") + ", ".join(str(n) for n in item.plan), "dim")
        self.say(tr("回答：", "Answer: ") + self.accepted(item))

    def show_guidance(self, item: Any) -> None:
        self.say(tr("指引：", "Guidance: ") + (self.text_of(item.guidance) or tr("（无）", "(none)")))
        if item.evidence is not None:
            self.say(tr("佐证材料：", "Evidence: ") + self.text_of(item.evidence))
        self.say(tr("回答：", "Answer: ") + self.accepted(item))

    def earlier_answer(self, item: Any) -> tuple[Any, str, str | None] | None:
        """(value, outcome, note) of the point's answer given by the supervisor earlier (not an automatic na)."""
        got = self.latest.get(item.id)
        if got is None or (got[1] or "").startswith("auto:"):
            return None
        return self.values[item.id].value, got[0], self.notes.get(item.id)

    def show_earlier(self, earlier: tuple[Any, str, str | None]) -> None:
        value, outcome, note = earlier
        words = {"pass": tr("合格", "pass"), "fail": tr("不合格", "fail"), "na": tr("不适用", "n/a"),
                 "info": tr("记录", "recorded")}
        line = tr("原回答：", "Earlier answer: ") + f"{_show_value(value)} ({words.get(outcome, outcome)})"
        line += " · " + tr("备注：", "note: ") + (note if note else tr("（无）", "(none)"))
        self.say(line, "cyan")

    def say_deadline(self, item: Any) -> None:
        """What a fail does: opens a finding due visit date + rectify days, or (re-check) keeps the open one."""
        finding = self.rechecks.get(item.id)
        if finding is not None:
            self.say(tr(f"复查未通过：整改项 #{finding['id']} 仍待整改（期限 {finding['due']}）",
                        f"Re-check failed: finding #{finding['id']} stays open (due {finding['due']})"), "yellow")
            return
        days = getattr(self.checklist.rectify_days, item.severity)
        due = self.date + dt.timedelta(days=days)
        self.say(tr(f"提交后开出整改项，整改期限 {due.isoformat()}（{_severity(item.severity)}：{days} 天）",
                    f"Opens a finding when submitted, due {due.isoformat()} ({item.severity}: {days} days)"), "yellow")

    # -- the review before submitting ---------------------------------------------------------------------
    def review(self, detail: dict) -> None:
        """Every point with its answer, outcome and note (an automatic n/a shown as such)."""
        from rich.table import Table
        from rich.text import Text

        from nanxian_cli.core.answers import show
        from nanxian_cli.render.labels import word

        self.console.rule(Text(tr("检查结束", "End of the checklist")), align="left")
        table = Table(title=Text(tr("回答一览（提交前可返回修改）", "Your answers (go back to any before submitting)")),
                      title_justify="left", header_style="bold")
        for col in ("#", tr("要点", "point"), tr("回答", "answer"), tr("结果", "outcome"), tr("备注", "note")):
            table.add_column(col, overflow="fold")
        answers = {a["item"]: a for a in detail["answers"]}
        for n, item in enumerate(self.checklist.items, start=1):
            got = answers.get(item.id)
            if got is None:
                table.add_row(Text(str(n)), Text(item.id), Text("—"), Text(tr("未回答", "no answer"), style="yellow"),
                              Text(""))
                continue
            automatic = (self.latest.get(item.id, ("", ""))[1] or "").startswith("auto:")
            outcome = tr("不适用（自动）", "n/a (auto)") if automatic else word(got["outcome"])
            style = "red" if got["outcome"] == "fail" else "dim" if automatic else ""
            shown = pick(show(item, got.get("value"))) if got.get("value") is not None else "—"
            table.add_row(Text(str(n)), Text(item.id), Text(shown),
                          Text(outcome, style=style), Text(got.get("note") or ""))
        self.console.print(table)
