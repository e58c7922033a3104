"""The interactive visit: one point at a time, every answer written the moment it is given.

Works on a terminal (Rich prompts) and on piped input (one answer per line), so a visit can be
scripted. Keys at any point: `?` guidance, `b` back, `s` skip for now, `q` save and quit; a note may follow the
answer on the same line (`n 消防通道堆放杂物`). A fail says the deadline of the finding it opens; a point that
re-checks an open finding is labelled 复查. At the end a review of every answer: `b` or a point's number goes
back to it before submitting.
The session never loses an answer: each one is a transaction of its own (`record_draft_answer`). A fail whose
note was being typed when the session ended (Ctrl-C, end of input) is kept, marked, and `--resume` asks for the
note again.

`run_visit` here runs it; the session's state and its walk through the points are in ui/entry_session.py,
what it shows in ui/entry_screens.py and what it asks in ui/entry_prompts.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from nanxian_cli.i18n import get_lang, tr
from nanxian_cli.ui.entry_prompts import _Quit, _TooManyInvalid
from nanxian_cli.ui.entry_screens import _severity, _show_value
from nanxian_cli.ui.entry_session import Session
from nanxian_cli.ui.prompter import Prompter


def run_visit(store: Any, *, school: dict, loaded: Any, date: dt.date, inspector: str, visit_id: str,
              console: Any, tty: bool | None = None, again: bool = False, evidence_limit: int | None = None) -> str:
    """Run the interactive visit on an existing draft.

    Submitting is refused (DuplicateVisit, the draft kept) when a submitted twin exists, unless `again`.

    Returns how it ended: 'submitted', 'kept' (not submitted), 'quit', 'eof', 'interrupt' or 'invalid'.
    Every answer given before the end is already in the database.
    """
    from rich.table import Table
    from rich.text import Text

    from nanxian_cli.reports.findings import findings_list
    from nanxian_cli.reports.visits import visit_detail
    from nanxian_cli.services.recording import submit_draft

    session = Session(store, visit_id, school, loaded, date, inspector, console, Prompter(console, tty),
                      evidence_limit=evidence_limit)
    try:
        session.load()
        session.header()
        open_findings = [f for f in findings_list(store, school=school["code"], status="open", as_of=date,
                                                  lang=get_lang())
                         if f["visit"] != visit_id and f["opened"] <= date.isoformat()]
        item_ids = {item.id for item in loaded.checklist.items}
        if open_findings:
            table = Table(title=Text(tr("本次需复查的整改项", "Open findings to re-check")), title_justify="left")
            for col in ("#", tr("程度", "severity"), tr("要点", "point"), tr("原回答", "answer"), tr("备注", "note"),
                        tr("发现于", "opened"), tr("期限", "due"), tr("逾期天数", "days overdue")):
                table.add_column(col, overflow="fold")
            for f in open_findings:
                late = (date - dt.date.fromisoformat(f["due"])).days
                style = "bold red" if f["severity"] == "critical" else ""
                table.add_row(Text(str(f["id"]), style=style), Text(_severity(f["severity"]), style=style),
                              Text(f["item_text"] or f["item"]), Text(_show_value(f["answer"])),
                              Text(f["note"] or ""), Text(f["opened"]), Text(f["due"]),
                              Text(str(late) if late > 0 else ""))
            console.print(table)
            session.recheck_other_findings([f for f in open_findings if f["item"] not in item_ids])
        session.rechecks = {f["item"]: f for f in open_findings if f["item"] in item_ids}
        session.ask_pending_notes()
        queue = session.order([f["item"] for f in open_findings if f["item"] in item_ids])
        missing = session.walk(queue)
        while True:
            detail = visit_detail(store, visit_id, as_of=date, lang=get_lang())
            session.review(detail)
            failed = [a for a in detail["answers"] if a["outcome"] == "fail"]
            for a in failed:
                style = "bold red" if a["severity"] == "critical" else "red"
                console.print(Text(f"✗ {a['item']}  {a['text']}  ({_severity(a['severity'])})", style=style))
            rate, score = detail["compliance_rate"], detail["score"]
            session.say(tr("合格率 ", "Compliance ") + ("—" if rate is None else f"{rate * 100:.1f}%") + " · "
                        + tr("得分 ", "score ") + ("—" if score is None else f"{score * 100:.1f}%"), "bold")
            if missing:
                session.say(tr(f"{len(missing)} 项未回答：",
                               f"{len(missing)} point(s) not answered: ") + ", ".join(missing),
                            "yellow")
                prompt = tr("仍然提交？[y/N；b 或要点编号：返回修改] ",
                            "Submit anyway? [y/N] (b or a point's number: go back to it) ")
            else:
                prompt = tr("提交本次督导？[y/N；b 或要点编号：返回修改] ",
                            "Submit the visit? [y/N] (b or a point's number: go back to it) ")
            decided = session.ask_submit(prompt)
            if decided is True:
                submit_draft(store, visit_id, inspector, again=again)
                return "submitted"
            if decided is False:
                return "kept"
            session.reask.add(decided.id)  # go back to that point, then review again
            missing = session.walk([decided])
    except _Quit:
        return "quit"
    except EOFError:
        return "eof"
    except KeyboardInterrupt:
        return "interrupt"
    except _TooManyInvalid:
        return "invalid"
