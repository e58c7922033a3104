"""The Chinese of help: every help text written in English beside an option or command (cli/*.py), by its English
text (whitespace folded), looked up paragraph by paragraph (cli/help.py); a text without a translation is shown in
English rather than not at all (tests/test_help.py lists any such text). And the panel titles in both languages."""

from __future__ import annotations

PANELS = {"Arguments": ("参数", "Arguments"), "Options": ("选项", "Options"), "Commands": ("命令", "Commands")}

ZH: dict[str, str] = {
    # the root and its options
    "Checklists, school visits, findings and reports for county school supervisors (责任督学).":
        "县级责任督学的检查表、督导记录、整改项与报告。",
    "Database file (env NANXIAN_DB; default in the user data dir)":
        "数据库文件（环境变量 NANXIAN_DB；默认在用户数据目录）",
    "Checklist folder (env NANXIAN_CHECKLISTS; default the bundled one)":
        "检查表文件夹（环境变量 NANXIAN_CHECKLISTS；默认用自带的）",
    "zh | en (env NANXIAN_LANG; default from the locale)": "zh | en（环境变量 NANXIAN_LANG；默认按系统语言）",
    "Show the version and exit": "显示版本号后退出",
    "Show this message and exit.": "显示本帮助后退出。",
    "Install completion for the current shell.": "为当前 shell 安装命令补全。",
    "Show completion for the current shell, to copy it or customize the installation.":
        "显示当前 shell 的命令补全脚本，可复制或自行安装。",
    # shared options
    "table | json | csv (default: from --output's extension, else table)":
        "table | json | csv（默认：按 --output 的扩展名，否则 table）",
    "Write to this file instead of the terminal (atomically)": "写入此文件而不是终端（整体写入，不会写一半）",
    "Show every row in a terminal (a terminal shows the first 50; a pipe or a file gets every row)":
        "在终端显示全部行（终端默认只显示前 50 行；输出到管道或文件时总是全部行）",
    "Show every row in a terminal (a terminal shows the worst 50 rows of each long table; a pipe or a file gets "
    "every row)": "在终端显示全部行（长表在终端默认只显示最差的 50 行；输出到管道或文件时总是全部行）",
    "table | json": "table | json",
    "table | json | csv | markdown | html | xlsx | docx (default: from --output's extension, else table)":
        "table | json | csv | markdown | html | xlsx | docx（默认：按 --output 的扩展名，否则 table）",
    "text | markdown | html | json (default: from --output's extension, else text)":
        "text | markdown | html | json（默认：按 --output 的扩展名，否则 text）",
    "YYYY-MM-DD (default: today, county time)": "YYYY-MM-DD（默认：今天，按本县时间）",
    "First day, YYYY-MM-DD": "起始日期，YYYY-MM-DD",
    "Last day, YYYY-MM-DD": "截止日期，YYYY-MM-DD",
    "Visit id, or its first 8 (or more) characters": "督导记录编号，或其前 8 位（或更多）",
    "Who makes the change (default: config `inspector`)": "经办人（默认：配置中的 `inspector`）",
    "Only schools in this town": "只看该乡镇的学校",
    "kindergarten | primary | junior | senior | vocational | special":
        "kindergarten（幼儿园）| primary（小学）| junior（初中）| senior（高中）| vocational（中职）| special（特教）",
    "One row per school | town | inspector | checklist | plan-item":
        "每行一个：school（学校）| town（乡镇）| inspector（督学）| checklist（检查表）| plan-item（工作要点）",
    # checklist
    "List, show, validate checklists; plan coverage": "检查表：列出、查看、校验；工作要点覆盖情况",
    "List the configured checklists.": "列出已配置的检查表。",
    "Show every point of a checklist: text, guidance, type and rule, severity, plan items, standard, sources.":
        "查看检查表的每个要点：内容、检查方法、题型与判定规则、严重程度、对应工作要点、标准和依据。",
    "Checklist id, e.g. routine-monthly": "检查表编号，例如 routine-monthly",
    "The version in force on this day, YYYY-MM-DD (default: today's, else the newest)":
        "该日有效的版本，YYYY-MM-DD（默认：今天有效的版本，否则最新版本）",
    "Check checklist files; print every problem with file and line. Exit 2 if any.":
        "校验检查表文件；逐条列出问题及其文件和行号。有问题时退出码为 2。",
    "Warnings (a vague point text, a point that can fail without `standard`) are listed and exit 0, unless --strict.":
        "警告（要点表述含糊、可判不合格的要点没有 `standard`）会列出，退出码仍为 0；加 --strict 时视为错误。",
    "Files or folders (default: the configured checklists)": "文件或文件夹（默认：已配置的检查表）",
    "Warnings (points no one can verify, no `standard`) are errors: exit 2":
        "把警告（无法核实的要点、缺少 `standard`）当作错误：退出码 2",
    "The plan's 21 items against the checklist points that check them (the versions in force on --date).":
        "工作计划 21 项分别由哪些检查要点检查（按 --date 当日有效的检查表版本）。",
    "Count the checklist versions in force on this day, YYYY-MM-DD (default: today)":
        "统计该日有效的检查表版本，YYYY-MM-DD（默认：今天）",
    # school
    "Import and look up the school roster": "导入和查询学校名册",
    "Import or update schools by code. Any bad row: every problem listed, nothing imported.":
        "按学校代码导入或更新学校。任一行有错：列出全部问题，一所也不导入。",
    "Roster file: .yaml/.yml (a list of schools), .csv (header row) or .xlsx (first sheet); headers in English or "
    "Chinese":
        "名册文件：.yaml/.yml（学校列表）、.csv（带表头）或 .xlsx（第一个工作表）；表头可用英文或中文",
    "List schools, by town.": "按乡镇列出学校。",
    "Show one school.": "查看一所学校。",
    "Code, exact name, a unique part of the name, or pinyin initials (nzsyxx)":
        "学校代码、全称、能唯一确定的部分名称，或拼音首字母（如 nzsyxx）",
    # inspector
    "Supervisors (责任督学) and their schools": "责任督学及其负责的学校",
    "Add a supervisor (责任督学); for a name already registered, update the details given.":
        "登记责任督学；已登记的姓名则更新所给的信息。",
    "The supervisor's name": "督学姓名",
    "Contact number shown on the school's sign": "挂牌公示的联系电话",
    "List supervisors and how many schools each answers for.": "列出督学及各自负责的学校数。",
    "Make NAME the responsible supervisor (责任督学) of the schools.": "指定 NAME 为这些学校的责任督学。",
    "Schools: code, name, part of the name or pinyin initials": "学校：代码、名称、部分名称或拼音首字母",
    "Register a supervisor under a new name; their schools follow. Past visits keep the name they were recorded "
    "under.":
        "为督学改登记姓名；其负责的学校随之更新。以往的督导记录仍记在原姓名下。",
    "The registered name": "已登记的姓名",
    "The new name": "新姓名",
    "Take a supervisor off the register; their past visits are kept under their name.":
        "从名册中删除督学；其以往的督导记录仍保留在其名下。",
    "Remove even if schools still have them as their responsible supervisor (they are left with none)":
        "即使仍有学校以其为责任督学也删除（这些学校暂无责任督学）",
    "End NAME's responsibility (责任督学) for the schools; they are left with no responsible supervisor.":
        "解除 NAME 对这些学校的责任督学职责；这些学校暂无责任督学。",
    "All of this supervisor's schools": "该督学负责的全部学校",
    # inspect
    "Record school visits (interactive or from an answers file); list, show, amend, void, discard a draft":
        "督导记录：录入（逐项问答或从回答文件）、列出、查看、更正、作废、放弃草稿",
    "Record a visit: interactively (one point at a time) or from --answers FILE.":
        "录入一次督导：逐项问答，或从 --answers 文件读取。",
    "School: code, name, part of the name or pinyin initials": "学校：代码、名称、部分名称或拼音首字母",
    "Supervisor's name (default: config, then the school's 责任督学)":
        "督学姓名（默认：配置中的督学，其次为学校的责任督学）",
    "Answers file (YAML); without it the visit is interactive": "回答文件（YAML）；不给则逐项问答",
    "Submit even if some points have no answer": "有要点未回答也提交",
    "Continue the latest draft (with answers) for this school and checklist":
        "继续该校该检查表最近的草稿（已有回答的）",
    "Continue this draft: its id or first 8+ characters (implies --resume)":
        "继续指定的草稿：编号或其前 8 位以上（含 --resume）",
    "Record it even if this supervisor already submitted a visit with this checklist to this school on that date":
        "即使该督学当天已用此检查表提交过该校的督导，也再记录一次",
    "List visits, newest first.": "列出督导记录，最新的在前。",
    "Only this school (code, name, initials)": "只看该学校（代码、名称、拼音首字母）",
    "Only this supervisor": "只看该督学",
    "Only this checklist id": "只看该检查表",
    "draft | submitted | void": "draft（草稿）| submitted（已提交）| void（已作废）",
    "One visit: every answer with outcome, note and revision history; its findings.":
        "查看一次督导：每个回答及其结果、备注和修订记录；以及由此产生的整改项。",
    "Correct one answer: a new revision; outcome, score and findings follow it.":
        "更正一个回答：新增一个修订版本；结果、得分和整改项随之更新。",
    "Point id": "要点编号",
    "The corrected answer: y | n | na | a number | a choice key | text":
        "更正后的回答：y | n | na | 数字 | 选项键 | 文字",
    "Why the answer is corrected (kept in the history)": "更正原因（记入修订记录）",
    "A new note for the point (default: keep the old one)": "该要点的新备注（默认：保留原备注）",
    "Mark a visit void: excluded from reports, never deleted; its findings are withdrawn.":
        "作废一次督导：不计入报告，但不删除；其整改项随之撤销。",
    "Why the visit is void (kept)": "作废原因（保留）",
    "Give up a draft: one with answers is kept as void with the reason; an empty one is removed.":
        "放弃草稿：已有回答的草稿连同原因作为作废记录保留；空草稿直接删除。",
    "Why the draft is given up (kept)": "放弃原因（保留）",
    "The month of 挂牌督导: per supervisor, the assigned schools not yet visited that month, days since the last "
    "visit, open findings waiting for a re-check and those due within 7 days.":
        "挂牌督导的当月情况：按督学列出本月尚未督导的负责学校、距上次督导的天数、待复查的整改项和 7 天内到期的整改项。",
    "Only this supervisor's schools": "只看该督学负责的学校",
    "YYYY-MM (default: this month, county time)": "YYYY-MM（默认：本月，按本县时间）",
    "A blank answers file for CHECKLIST: every (applicable) point with its text and accepted answers as comments. "
    "Fill it in and record it with `inspect visit --answers FILE`.":
        "生成 CHECKLIST 的空白回答文件：每个（适用的）要点及其内容和可填的回答写成注释。填好后用 "
        "`inspect visit --answers FILE` 录入。",
    "Only the points that apply to this school (code, name, initials); its code is filled in":
        "只列出适用于该学校的要点（代码、名称、拼音首字母）；并填好学校代码",
    "The visit's day, YYYY-MM-DD: the checklist version and seasonal points of that day (default: today)":
        "督导日期，YYYY-MM-DD：按该日有效的检查表版本和季节性要点（默认：今天）",
    # finding
    "Findings (整改项): list, show; record the 整改报告, resolve (销号), extend, escalate, withdraw, reopen":
        "整改项：列出、查看；登记整改报告、销号、延期、上报/交办、撤销、重新打开",
    "List findings, critical first; overdue = still open (or reported) after the due date.":
        "列出整改项，严重的在前；逾期 = 过了整改期限仍未整改（或待复查）。",
    "open (open or reported) | reported | overdue | resolved | withdrawn":
        "open（待整改或待复查）| reported（待复查）| overdue（逾期）| resolved（已整改）| withdrawn（已撤销）",
    "critical | major | minor": "critical（严重）| major（较重）| minor（一般）",
    "Overdue as of this day, YYYY-MM-DD (default: today)": "按该日计算是否逾期，YYYY-MM-DD（默认：今天）",
    "Only overdue findings (same as --status overdue)": "只看逾期的整改项（同 --status overdue）",
    "Only the schools this supervisor is responsible for (责任督学)": "只看该责任督学负责的学校",
    "Only findings in progress due in the next DAYS days (from --as-of; overdue ones are not)":
        "只看未来 DAYS 天内到期、仍在整改中的整改项（从 --as-of 起算；不含已逾期的）",
    "Only findings escalated to the bureau (上报/交办)": "只看已上报/交办教育局的整改项",
    "One finding: its point, deadline, state and flags, deadline changes and its whole history.":
        "查看一个整改项：要点、整改期限、状态与标记、期限变更及全部经过。",
    "Finding number (42 or #42), or 8 or more characters of its id": "整改项序号（42 或 #42），或其编号的前 8 位以上",
    "The school's 整改报告 received: the finding waits for its re-check (待复查).":
        "登记收到学校的整改报告：该整改项转为待复查。",
    "What the school did (its 整改报告), kept with the finding": "学校采取的整改措施（整改报告），随整改项保存",
    "When the 整改报告 came in, YYYY-MM-DD (default: today)": "收到整改报告的日期，YYYY-MM-DD（默认：今天）",
    "Resolve (销号) a finding checked outside a visit, or one fixed on site (--on-site).":
        "为督导之外复查合格的整改项销号，或登记立行立改（--on-site）。",
    "How it was fixed and checked (kept with the finding)": "如何整改、如何复查（随整改项保存）",
    "Fixed during the visit (立行立改): dated the visit's date": "督导时当场整改（立行立改）：日期记为督导当天",
    "Move a finding's due date later (the history of due dates is kept).": "推迟整改期限（保留期限变更记录）。",
    "The new due date, YYYY-MM-DD (after the current one)": "新的整改期限，YYYY-MM-DD（须晚于现有期限）",
    "Why the due date moves (kept in the due-date history)": "延期原因（记入期限变更记录）",
    "Escalate a finding the school cannot fix by itself to the bureau (上报/交办); it stays open.":
        "把学校自身无法解决的整改项上报/交办教育局；该整改项仍为待整改。",
    "Why it goes to the bureau (上报/交办)": "上报/交办的原因",
    "Withdraw a finding opened by mistake (kept, counted nowhere; `reopen` undoes it).":
        "撤销误开的整改项（保留记录，不计入任何统计；可用 `reopen` 恢复）。",
    "Why it is withdrawn (e.g. opened by mistake)": "撤销原因（例如误开）",
    "Reopen a resolved or withdrawn finding: open again, with its old due date (extend it if needed).":
        "重新打开已整改或已撤销的整改项：恢复为待整改，沿用原整改期限（需要时再延期）。",
    "Why it is reopened": "重新打开的原因",
    "A photo or document to keep with it (JPEG, PNG, WEBP, HEIC, PDF, DOCX); repeat for several":
        "随之保存的照片或文件（JPEG、PNG、WEBP、HEIC、PDF、DOCX）；多个文件时重复此选项",
    # evidence
    "Photos and documents: add to a point of a visit, list, export, verify":
        "佐证材料（照片和文件）：添加到督导要点、列出、导出、校验",
    "Attach photos or documents to a point of a visit (example: nanxian evidence add 5e09fa15 rm-safety-guard "
    "门卫室.jpg --caption \"门卫室无人值守\").":
        "为一次督导的某个要点添加照片或文件（例：nanxian evidence add 5e09fa15 rm-safety-guard 门卫室.jpg --caption "
        "门卫室无人值守）。",
    "The point's id in the visit's checklist": "该次督导所用检查表中的要点编号",
    "Photos (JPEG, PNG, WEBP, HEIC) or documents (PDF, DOCX)": "照片（JPEG、PNG、WEBP、HEIC）或文件（PDF、DOCX）",
    "What the photo or document shows": "照片或文件的说明",
    "List the photos and documents kept, with the points and findings they show (never where they were taken).":
        "列出已保存的照片和文件，以及它们对应的要点和整改项（不显示拍摄地点）。",
    "Only the files of this visit": "只看该次督导的材料",
    "Only the files of this finding (42, #42, id)": "只看该整改项的材料（42、#42 或编号）",
    "Copy files out, each named by its id and kind (<sha256>.jpg), never by the name it came with (example: "
    "nanxian evidence export --visit 5e09fa15 --output 佐证材料/).":
        "把材料复制出来，文件名为其编号和类型（<sha256>.jpg），不用原来的文件名（例：nanxian evidence export --visit "
        "5e09fa15 --output 佐证材料/）。",
    "The file's id: its sha256, or 8 or more of its first characters": "材料编号：其 sha256，或前 8 位以上",
    "The folder to copy the files into (made if missing)": "复制到的文件夹（不存在时自动创建）",
    "Every file of this visit": "该次督导的全部材料",
    "Hash every kept file again: missing or changed ones (exit 1) and files no record refers to are listed. Reads "
    "only.":
        "重新计算每个已保存文件的哈希：列出缺失或被改动的（退出码 1）以及没有记录引用的文件。只读不写。",
    # report
    "Compliance reports: summary, school, item, matrix, visit, notice, digest":
        "合格情况报告：汇总、学校、工作要点、矩阵、督导意见书、整改通知书、周报",
    "Totals and one row per group, worst first; schools not visited in the period are listed.":
        "合计及分组明细，最差的在前；并列出期间内未督导的学校。",
    "The period defaults to 1 September of the school year up to today (county time).":
        "期间默认为本学年 9 月 1 日至今天（按本县时间）。",
    "Only visits with this checklist id": "只看使用该检查表的督导",
    "Only the schools of this supervisor (责任督学)": "只看该责任督学负责的学校",
    "Heat map: schools (rows, by town) x the 21 plan items, each cell the compliance rate.":
        "热力图：学校（按乡镇分行）× 工作计划 21 项，每格为合格率。",
    "One school: compliance by month (bar chart), visits, open findings with days overdue, weakest plan items.":
        "一所学校：逐月合格率（条形图）、督导记录、待整改问题及逾期天数、最薄弱的工作要点。",
    "Code, exact name, a unique part of the name, or pinyin initials":
        "学校代码、全称、能唯一确定的部分名称，或拼音首字母",
    "One plan item across the county: the points that check it, pass rate by town and school, failing schools.":
        "全县的一项工作要点：检查它的要点、按乡镇和学校的合格率、不合格的学校。",
    "Work-plan item number, 1..21": "工作要点序号，1–21",
    "The 督导意见书 for one visit: the visit, what went well, problems, 整改 requirements, re-checks, signatures.":
        "一次督导的督导意见书：基本情况、主要成绩、存在问题、整改意见、复查情况和签名栏。",
    "The 整改通知书 for a visit's findings, numbered once when first issued (the same number on every reprint).":
        "一次督导所发现问题的整改通知书，首次印发时编号（以后每次重印编号不变）。",
    "Date of issue, YYYY-MM-DD (first print only; default: today, county time)":
        "印发日期，YYYY-MM-DD（仅首次印发时有效；默认：今天，按本县时间）",
    "table | json | markdown | html | docx (default: from --output's extension, else table)":
        "table | json | markdown | html | docx（默认：按 --output 的扩展名，否则 table）",
    "Weekly digest of one ISO week (Monday-Sunday, county time): to the terminal, a file, or e-mail.":
        "某一 ISO 周（周一至周日，按本县时间）的督导周报：输出到终端、文件或发送邮件。",
    "Deliveries are recorded once they succeed; running again for the same week does nothing unless --force.":
        "送达成功后才记录；同一周再次运行不会重复送达，除非加 --force。",
    "YYYY-Www, last (the week before today's) or this": "YYYY-Www、last（上一周）或 this（本周）",
    "Take this day as today, YYYY-MM-DD (catch-up runs)": "把该日当作今天，YYYY-MM-DD（补发时用）",
    "A folder (file digest-YYYY-Www.<ext>) or a file; written atomically, once per week":
        "文件夹（文件名 digest-YYYY-Www.<扩展名>）或文件；整体写入，每周一次",
    "Send by e-mail (NANXIAN_SMTP_* or the smtp table of config.toml), once per week and recipient":
        "发送邮件（NANXIAN_SMTP_* 或 config.toml 的 smtp 表），每周每个收件人一次",
    "Deliver again even if this week's digest was already delivered": "即使本周周报已送达，也再送一次",
    # sync
    "Bundles between laptops and the bureau: export, import, status, conflicts":
        "笔记本电脑与教育局之间交换数据包：导出、导入、状态、冲突",
    "Write the facts of this database to a bundle for another one (example: nanxian sync export -o week48.nxb).":
        "把本数据库的记录写成数据包，供另一个数据库导入（例：nanxian sync export -o week48.nxb）。",
    "The bundle file to write (FILE.nxb)": "要写入的数据包文件（FILE.nxb）",
    "last (default: everything since the last export) | all | a day YYYY-MM-DD":
        "last（默认：上次导出以来的全部）| all（全部）| 某一天 YYYY-MM-DD",
    "For laptops: the roster, supervisors, assignments and the open findings with their timelines":
        "供笔记本电脑使用：学校名册、督学、责任分配，以及待整改问题及其经过",
    "Apply bundles from other databases: each checked whole, then applied in one transaction (example: nanxian "
    "sync import week48-li.nxb week48-wang.nxb).":
        "导入其他数据库的数据包：每个先整体校验，再在一个事务中写入（例：nanxian sync import week48-li.nxb "
        "week48-wang.nxb）。",
    "Bundle files (.nxb), applied in the order given": "数据包文件（.nxb），按给出的顺序导入",
    "This database's device, its last export, the bundles it imported, held facts and open conflicts.":
        "本数据库的设备、上次导出、已导入的数据包、暂存的记录和未处理的冲突。",
    "Conflicts found while importing (open ones; --all for settled ones too).":
        "导入时发现的冲突（未处理的；加 --all 也列出已处理的）。",
    "Settled conflicts too": "也列出已处理的冲突",
    "Settle a parallel edit: the kept answer becomes a new revision that travels like any other (example: nanxian "
    "sync resolve 3 --keep 1a2b3c4d --reason \"confirmed with the school\").":
        "处理并行修改：保留的回答成为一个新的修订版本，像其他记录一样同步（例：nanxian sync resolve 3 --keep "
        "1a2b3c4d --reason 与学校核实）。",
    "Conflict number (from sync conflicts)": "冲突序号（见 sync conflicts）",
    "The revision to keep (its id, 8+ characters)": "要保留的修订版本（编号，8 位以上）",
    "Why this one is kept": "保留该版本的原因",
    "Who decides (default: config `inspector`)": "决定人（默认：配置中的 `inspector`）",
    # demo
    "Build a demo county (sample schools, supervisors, synthetic visits and findings) and show its reports.":
        "生成一个演示县（样本学校、督学、随机生成的督导记录和整改项）并显示其报告。",
    "Written to a separate demo database (`nanxian --db FILE demo`, or the default demo file; NANXIAN_DB and the "
    "config's `db` name the real database, which the demo never touches); an earlier demo database there is "
    "rebuilt from scratch. Deterministic for a given --seed.":
        "写入单独的演示数据库（`nanxian --db FILE demo`，或默认的演示文件；NANXIAN_DB 和配置中的 `db` 指的是正式"
        "数据库，演示从不改动它）；该位置原有的演示数据库会重新生成。同一 --seed 结果相同。",
    "Demo database file (same as the global --db; default: demo.db in the user data dir, never the real database)":
        "演示数据库文件（同全局 --db；默认：用户数据目录中的 demo.db，绝不是正式数据库）",
    "Number of schools (default: the sample roster; more are generated)": "学校数（默认：样本名册；更多的会自动生成）",
    "Years of visits ending at --end": "督导记录的年数，截至 --end",
    "Visits per school per year": "每校每年督导次数",
    "Random seed: the same seed gives the same county": "随机种子：相同的种子生成相同的县",
    "Last day of the visits, YYYY-MM-DD (default 2020-12-31, the plan year)":
        "督导记录的最后一天，YYYY-MM-DD（默认 2020-12-31，即工作计划年度）",
}
"""Chinese help, by the English text (whitespace folded)."""
