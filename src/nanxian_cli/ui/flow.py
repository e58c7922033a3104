"""The interactive visit around the screen of questions: which draft to continue, one session per draft
(an OS lock), the duplicate check before the first question, and what is said when it ends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from nanxian_cli.errors import InputError
from nanxian_cli.i18n import tr
from nanxian_cli.store.visits import resumable_drafts

STATUS_WORDS = {"submitted": "已提交", "draft": "草稿", "void": "已作废"}


def chosen_draft(store: Any, ref: str, school_ref: str | None, checklist_id: str | None) -> tuple[Any, dict]:
    """`--draft ID`: the draft and its school; SCHOOL and --checklist, when given, must be the draft's."""
    from nanxian_cli.services.people import find_school
    from nanxian_cli.services.recording import find_visit

    row = find_visit(store, ref)
    if row["status"] != "draft":
        hint = tr("；更正答案请用 nanxian inspect amend", "; correct an answer with `nanxian inspect amend`") \
            if row["status"] == "submitted" else ""
        raise InputError(tr(f"--draft：督导记录 {row['id'][:8]} "
                            f"是{STATUS_WORDS.get(row['status'], row['status'])}状态，不是草稿{hint}",
                            f"--draft: visit {row['id'][:8]} is {row['status']}, not a draft{hint}"))
    found = find_school(store, row["school_code"])
    if school_ref is not None and find_school(store, school_ref)["code"] != row["school_code"]:
        raise InputError(tr(f"--draft：草稿 {row['id'][:8]} 属于 {found['name']}（{found['code']}），不是 {school_ref}",
                            f"--draft: draft {row['id'][:8]} is for {found['name']} ({found['code']}), "
                            f"not {school_ref}"))
    if checklist_id is not None and checklist_id != row["checklist_id"]:
        raise InputError(tr(f"--draft：草稿 {row['id'][:8]} 用的是检查表 {row['checklist_id']}，不是 {checklist_id}",
                            f"--draft: draft {row['id'][:8]} uses checklist {row['checklist_id']}, not {checklist_id}"))
    return row, found


def latest_draft(store: Any, school: dict, checklist_id: str, screen: Any) -> Any:
    """Plain `--resume`: the newest draft that holds answers (empty ones hold nothing to continue)."""
    drafts = resumable_drafts(store, school["code"], checklist_id)
    if not drafts:
        raise InputError(tr(f"{school['name']} 没有 {checklist_id} 的草稿可继续",
                            f"no draft of {checklist_id} for {school['name']} to resume"))
    if len(drafts) > 1:
        others = ", ".join(f"{d['id'][:8]} ({d['date']})" for d in drafts[1:])
        screen.print(tr(f"注意：继续最新的草稿 {drafts[0]['id'][:8]}（{drafts[0]['date']}）；另有草稿 {others}，"
                        "可用 --draft 编号 选择",
                        f"Note: continuing the newest draft {drafts[0]['id'][:8]} ({drafts[0]['date']}); other drafts: "
                        f"{others} (choose one with --draft ID)"),
                     style="yellow", markup=False, highlight=False, soft_wrap=True)
    return drafts[0]


@contextmanager
def holding_draft(store: Any, visit_id: str, what: str) -> Iterator[None]:
    """One session per draft (DESIGN, invariant 10): an OS lock beside the database, held for the whole
    session and dropped by the kernel however the process ends. A second session is refused at once."""
    from nanxian_cli.errors import StoreError
    from nanxian_cli.files.locks import LockBusy, draft_lock

    with ExitStack() as held:
        try:
            held.enter_context(draft_lock(store.path, visit_id))
        except LockBusy:
            raise InputError(tr(f"草稿 {visit_id[:8]}（{what}）正在另一个会话中编辑；请在那边完成或按 q 退出后再试",
                                f"draft {visit_id[:8]} ({what}) is being edited in another session; finish it "
                                f"there or quit it with q, then try again")) from None
        except OSError as exc:
            raise StoreError(tr(f"{store.path}：无法创建草稿锁文件：{exc.strerror or exc}",
                                f"{store.path}: cannot create the draft's lock file: {exc.strerror or exc}")) from None
        yield


def run_interactive(store: Any, school: dict, checklist_id: str, who: str | None, visit_date: Any, *, screen: Any,
                    on_submitted: Callable[[str], None], loaded: Any = None, resume: bool = False, chosen: Any = None,
                    again: bool = False, evidence_limit: int | None = None) -> str:
    """A new visit, or a draft continued, under its lock. Returns how it ended: 'submitted' (then
    `on_submitted(visit_id)` shows it), 'kept' / 'quit' / 'eof' (the draft kept, or removed when it held nothing),
    'interrupt', 'invalid'."""
    import uuid

    from nanxian_cli.errors import DuplicateVisit
    from nanxian_cli.services.catalog import snapshot
    from nanxian_cli.services.recording import refuse_duplicate, remove_empty_draft, start_draft
    from nanxian_cli.ui.entry import run_visit
    from nanxian_cli.ui.prompter import resume_command

    if resume:
        draft = chosen if chosen is not None else latest_draft(store, school, checklist_id, screen)
        visit_id = draft["id"]
        what = f"{school['name']}, {draft['checklist_id']}, {draft['date']}"
    else:
        visit_id = str(uuid.uuid4())
        what = f"{school['name']}, {checklist_id}, {visit_date}"
    with holding_draft(store, visit_id, what):
        if resume:
            import datetime as dt

            draft = store.one("SELECT * FROM visits WHERE id = ?", (visit_id,))  # again, now that it is ours
            if draft is None or draft["status"] != "draft":
                raise InputError(tr(f"草稿 {visit_id[:8]} 刚在另一个会话中提交或放弃了",
                                    f"draft {visit_id[:8]} was just submitted or given up in another session"))
            loaded = snapshot(store.conn, draft["checklist_hash"])
            kept_date, kept_who = dt.date.fromisoformat(draft["date"]), draft["inspector"]
            if (who and who.strip() != kept_who) or (visit_date and visit_date != kept_date):
                screen.print(tr(f"注意：继续草稿时沿用草稿的日期 {kept_date} 和督学 {kept_who}",
                                f"Note: a resumed draft keeps its date {kept_date} and inspector {kept_who}"),
                             style="yellow", markup=False, highlight=False)
            visit_date, who = kept_date, kept_who
            if not again:  # before the first question: the same refusal as at submit
                refuse_duplicate(store.conn, school["code"], draft["checklist_id"], kept_date.isoformat(), kept_who,
                                 exclude=visit_id)
        else:
            if not again:  # before the first question (and before any draft is made): see record_visit
                refuse_duplicate(store.conn, school["code"], loaded.checklist.id, visit_date.isoformat(), who)
            drafts = resumable_drafts(store, school["code"], checklist_id)
            earlier = drafts[0] if drafts else None
            if earlier is not None:
                screen.print(tr(f"注意：已有 {earlier['date']} 的草稿 {earlier['id'][:8]}；要继续它请用 --resume。"
                                "现在开始新的检查。",
                                f"Note: there is a draft from {earlier['date']} ({earlier['id'][:8]}); "
                                "use --resume to continue it. "
                                f"Starting a new visit."), style="yellow", markup=False, highlight=False)
            start_draft(store, school, loaded, visit_date, who, visit_id=visit_id)
        try:
            ended = run_visit(store, school=school, loaded=loaded, date=visit_date, inspector=who, visit_id=visit_id,
                              console=screen, again=again, evidence_limit=evidence_limit)
        except DuplicateVisit:
            # another session submitted the same visit while this one was being answered: keep this draft
            screen.print(tr("草稿已保存（未提交）。确需提交为第二次督导：",
                            "Draft saved (not submitted). To submit it as a second visit:"),
                         style="bold yellow", markup=False, highlight=False)
            screen.print(f"  {resume_command(school['code'], loaded.checklist.id, visit_id)} --again", markup=False,
                         highlight=False, soft_wrap=True)
            raise
        # A draft with no answer holds no fact: it is not kept (removed while it is still ours).
        removed = ended != "submitted" and remove_empty_draft(store, visit_id)
    if ended == "submitted":
        on_submitted(visit_id)
        return ended
    if ended == "interrupt":
        screen.print()
    if removed:
        screen.print(tr("未回答任何要点，未保留草稿。", "Nothing was answered, so no draft was kept."),
                     style="bold yellow", markup=False, highlight=False)
    else:
        saved = tr("草稿已保存（未提交）。继续录入：", "Draft saved (not submitted). To continue:")
        screen.print(saved, style="bold yellow", markup=False, highlight=False)
        screen.print(f"  {resume_command(school['code'], loaded.checklist.id, visit_id)}", markup=False,
                     highlight=False, soft_wrap=True)
    return ended


