"""``plancheck reference …`` (import / list / show) and ``plancheck explain``.

Registered lazily by checker/cli.py: ``reference`` → :data:`command`,
``explain`` → :data:`explain_command`.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

HELP = {"help_option_names": ["-h", "--help"]}  # as every plancheck command

from checker.errors import PlanError

LANG = click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
                    help="Ngôn ngữ thông báo / message language.")


def _fail(err: PlanError, lang: str) -> None:
    click.echo(("Lỗi: " if lang == "vi" else "Error: ") + err.message(lang), err=True)
    sys.exit(2)


def _t(lang: str, vi: str, en: str) -> str:
    return en if lang == "en" else vi


@click.group(name="reference", context_settings=HELP, help="Bộ nhiệm vụ tham chiếu (NQ 57, NQ 03/71, kế hoạch của tỉnh) / "
                                    "reference mandate sets.")
def command() -> None:
    pass


@command.command(name="import", context_settings=HELP, help="Nhập một văn bản giao nhiệm vụ thành bộ tham chiếu / "
                                      "import a mandate document as a reference set.")
@click.argument("doc", type=click.Path(dir_okay=True))
@click.option("--id", "set_id", required=True, help="Mã bộ mới, ví dụ dongnai-92-2025 / new set id.")
@click.option("--title", default=None, help="Tiêu đề bộ / set title.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Ghi YAML ra tệp (mặc định: in ra màn hình) / write YAML to FILE.")
@LANG
def import_cmd(doc: str, set_id: str, title: str | None, output: str | None, lang: str) -> None:
    from checker.mandates.importer import dump_set
    from checker.pipeline import import_reference

    try:
        data = import_reference(doc, set_id, title=title)
    except PlanError as e:
        _fail(e, lang)
        return
    text = dump_set(data)
    for line in data.get("status", {}).get("unknown", []):
        if line.startswith("Không xếp được"):  # rows the importer could not place
            click.echo(_t(lang, line, line.replace("Không xếp được dòng", "Could not place line", 1)), err=True)
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as e:
            _fail(PlanError("write", f"Không ghi được tệp {output}: {e}", f"Cannot write {output}: {e}"), lang)
        click.echo(_t(lang, f"Đã ghi bộ '{set_id}': {len(data['mandates'])} nhiệm vụ, "
                            f"{len(data['targets'])} chỉ tiêu → {output}",
                      f"Wrote set '{set_id}': {len(data['mandates'])} mandates, "
                      f"{len(data['targets'])} targets → {output}"), err=True)
    else:
        click.echo(text, nl=False)


@command.command(name="list", context_settings=HELP, help="Liệt kê các bộ tham chiếu / list the reference sets.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@LANG
def list_cmd(fmt: str, lang: str) -> None:
    from checker.mandates.load import available_sets, load_set

    rows = [load_set(s).summary() for s in available_sets()]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    head = _t(lang, "mã      nhóm  nhiệm vụ  chỉ tiêu  độ tin cậy  tiêu đề",
              "id      groups  mandates  targets  confidence  title")
    click.echo(head)
    for r in rows:
        click.echo(f"{r['id']:7} {r['groups']:5} {r['mandates']:9} {r['targets']:8}  {r['confidence']:10}  "
                   f"{r['title']}")


@command.command(name="show", context_settings=HELP, help="Xem một bộ tham chiếu / show one reference set.")
@click.argument("set_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@LANG
def show_cmd(set_id: str, fmt: str, lang: str) -> None:
    from checker.mandates.load import load_set

    try:
        ms = load_set(set_id)
    except PlanError as e:
        _fail(e, lang)
        return
    if fmt == "json":
        out = ms.summary()
        out["status"] = ms.status
        out["groups"] = ms.groups
        out["mandates"] = [{"id": m.id, "group": m.group, "title": m.title, "title_en": m.title_en or None,
                            "level": m.level,
                            "required": m.required, "confidence": m.confidence,
                            "source": m.source, "targets": m.targets} for m in ms.mandates]
        out["targets"] = ms.targets
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    click.echo(f"{ms.id}: {ms.title}")
    click.echo(_t(lang, "Văn bản: ", "Documents: ") + ", ".join(ms.documents))
    for k in ("known", "unknown"):
        label = {"known": _t(lang, "Đã biết", "Known"), "unknown": _t(lang, "Chưa rõ", "Unknown")}[k]
        for line in ms.status.get(k, []):
            click.echo(f"  {label}: {line}")
    for g in ms.groups:
        ms_g = [m for m in ms.mandates if m.group == g["id"]]
        gt = (g.get("title_en") or f"(Vietnamese title) {g['title']}") if lang == "en" else g["title"]
        click.echo(f"\n{g['id']}  {gt}  ({len(ms_g)})")
        for m in ms_g:
            flags = "" if m.required else _t(lang, " [không bắt buộc]", " [optional]")
            conf = "" if m.confidence == "verified" else f" [{m.confidence}]"
            click.echo(f"  {m.id:22} {m.title_in(lang)}{flags}{conf}  — {', '.join(m.level)}")


@click.command(name="explain", context_settings=HELP, help="Bằng chứng cho một nhiệm vụ tham chiếu trong kế hoạch (--mandate), "
                                    "hoặc các nhiệm vụ tham chiếu một nhiệm vụ của kế hoạch thực hiện (--task) / "
                                    "evidence for one mandate in a plan, or the mandates one task carries out.")
@click.argument("plan", type=click.Path(dir_okay=True))
@click.option("--mandate", "mandate_id", default=None, help="Mã nhiệm vụ tham chiếu, ví dụ nq57.III.5.04.")
@click.option("--task", "task_id", default=None,
              help="Mã hoặc số dòng của nhiệm vụ trong kế hoạch, ví dụ T012 hoặc 52 / a plan task's id or line.")
@click.option("--reference", default=None,
              help="Các bộ tham chiếu, cách nhau bởi dấu phẩy (mặc định: bộ của mã nhiệm vụ; "
                   "với --task: nq57 và chương trình đang có hiệu lực).")
@click.option("--level", type=click.Choice(["commune", "province", "ministry", "central"]),
              default="commune", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@LANG
def explain_command(plan: str, mandate_id: str | None, task_id: str | None, reference: str | None,
                    level: str, fmt: str, lang: str) -> None:
    from checker.apps import explain_links as XL

    try:
        if bool(mandate_id) == bool(task_id):
            raise PlanError("explain-usage", "Cần đúng một trong hai tùy chọn --mandate hoặc --task",
                            "Give exactly one of --mandate or --task")
        data = explain(plan, mandate_id, reference, level) if mandate_id else \
            XL.explain_task(plan, task_id, reference, level)
    except PlanError as e:
        _fail(e, lang)
        return
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(render_explain(data, lang) if mandate_id else XL.render_task(data, lang))


def explain(plan: str, mandate_id: str, reference: str | None = None,
            level: str = "commune") -> dict:
    """Status, evidence and near misses of one mandate in one plan."""
    from checker.mandates.load import load_set
    from checker.match.matcher import COVERED, PARTIAL, match, score_pairs
    from checker.pipeline import extract

    refs = [r.strip() for r in (reference or mandate_id.split(".")[0]).split(",") if r.strip()]
    sets = [load_set(r) for r in refs]
    owner = next((s for s in sets if s.mandate(mandate_id)), None)
    if owner is None:
        raise PlanError("mandate-unknown",
                        f"Không có nhiệm vụ '{mandate_id}' trong bộ tham chiếu {', '.join(refs)}",
                        f"No mandate '{mandate_id}' in reference set(s) {', '.join(refs)}")
    p = extract(plan)
    cov = match(p.tasks, sets, level=level, indicators=p.indicators, statements=p.statements)
    st = next(x for x in cov.mandates if x.mandate.id == mandate_id)
    m = st.mandate
    # near misses: the best tasks under the partial threshold, with their evidence
    from checker.apps import explain_links as XL
    from checker.match.links import is_curated

    if is_curated(owner):
        mds, preps, pairs = score_pairs(p.tasks, tuple(s.id if (s.source_file or "").startswith("reference/")
                                                        else s.source_file for s in sets), None)
        mi = next(i for i, md in enumerate(mds) if md.mandate.id == mandate_id)
        ranked = sorted(((pr.score, ti, pr) for (ti, j), pr in pairs.items() if j == mi),
                        key=lambda x: -x[0])
        near = [{"line": preps[ti].task.loc.line, "location": preps[ti].task.loc.human,
                 "task": preps[ti].task.text[:220], "score": round(sc, 1),
                 "keywords": pr.anchors + pr.context}
                for sc, ti, pr in ranked if sc < PARTIAL][:3]
    else:
        near = XL.near_tasks(p.tasks, owner, mandate_id, level)
    links = [XL.link_view(lk, p.tasks) for lk in cov.links if lk.mandate == mandate_id]
    return {
        "plan": str(plan), "mandate": {
            "id": m.id, "reference": m.reference, "group": m.group,
            "group_title": owner.group_title(m.group), "title": m.title,
            "title_en": m.title_en or None,
            "description": m.description, "level": m.level, "required": m.required,
            "confidence": getattr(m, "confidence", "verified"), "source": m.source,
            "keywords": list(m.keywords) + list(getattr(m, "synonyms", [])), "targets": m.targets},
        "status": st.status, "score": round(st.score, 1), "reason": st.reason,
        "thresholds": {"covered": COVERED, "partial": PARTIAL},
        "evidence": [e.to_dict() for e in st.evidence], "near_misses": near, "links": links,
        "mentions": [e.to_dict() for e in st.mentions],
    }


_STATUS = {
    "covered": ("ĐÃ CÓ", "COVERED"), "partial": ("CÓ MỘT PHẦN", "PARTIAL"),
    "missing": ("CHƯA CÓ", "MISSING"), "not-applicable": ("KHÔNG ÁP DỤNG", "NOT APPLICABLE"),
    "waived": ("ĐƯỢC MIỄN", "WAIVED"),
}


def render_explain(d: dict, lang: str = "vi") -> str:
    m = d["mandate"]
    vi = lang != "en"
    st = _STATUS.get(d["status"], (d["status"], d["status"]))[0 if vi else 1]
    out = [f"{m['id']} — {m['title']}",
           f"  {'Nhóm' if vi else 'Group'}: {m['group']} {m['group_title']}",
           f"  {'Nội dung' if vi else 'Content'}: {m['description']}",
           f"  {'Nguồn' if vi else 'Source'}: {m['source'].get('document', '')} {m['source'].get('section', '')}",
           f"  {'Cấp áp dụng' if vi else 'Levels'}: {', '.join(m['level'])}"
           f"   {'Độ tin cậy' if vi else 'Confidence'}: {m['confidence']}"
           f"   {'Bắt buộc' if vi else 'Required'}: {('có' if vi else 'yes') if m['required'] else ('không' if vi else 'no')}",
           "",
           f"{'Kết quả' if vi else 'Result'}: {st}  ({'điểm' if vi else 'score'} {d['score']}; "
           f"{'ngưỡng' if vi else 'thresholds'} {d['thresholds']['covered']:.0f}/{d['thresholds']['partial']:.0f})"]
    if d.get("reason"):
        out.append(f"  {d['reason']}")
    if d.get("links"):
        out.append("")
        out.append("Nhiệm vụ của kế hoạch thực hiện nhiệm vụ này:" if vi else "Plan tasks that carry it out:")
        for lk in d["links"]:
            out.append(f"  - {lk['task']} {lk['location']} [{lk['strength']}, {lk['score']}]: {lk['text'][:160]}")
    if d["evidence"]:
        out.append("")
        out.append("Bằng chứng:" if vi else "Evidence:")
        for e in d["evidence"]:
            out.append(f"  - {e['location']} ({'điểm' if vi else 'score'} {e['score']}): {e['task']}")
            if e["keywords"]:
                out.append(f"      {'từ khóa chung' if vi else 'shared keywords'}: {', '.join(e['keywords'])}")
    if d["near_misses"] and d["status"] in ("missing", "partial"):
        out.append("")
        out.append("Gần nhất nhưng chưa đủ:" if vi else "Closest, not enough:")
        for e in d["near_misses"]:
            kw = f" [{', '.join(e['keywords'])}]" if e["keywords"] else ""
            out.append(f"  - {e['location']} ({e['score']}): {e['task'][:160]}{kw}")
    if d.get("mentions"):
        out.append("")
        out.append("Nêu ở mục đích, mục tiêu nhưng chưa giao thành nhiệm vụ:" if vi else
                   "Named in the purpose or objectives, but no task for it:")
        for e in d["mentions"]:
            out.append(f"  - {e['location']} ({e['score']}): {e['task'][:160]}")
    if d["status"] == "missing":
        out.append("")
        out.append(("Gợi ý: bổ sung nhiệm vụ có các nội dung: " if vi else "Suggestion: add a task on: ")
                   + ", ".join(m["keywords"][:6]))
    return "\n".join(out)
