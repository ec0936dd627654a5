"""plancheck diff: a seed against an edited copy (a section removed, outdated
citations added) reports exactly those changes.  Full pipeline: these
tests fail, not skip, while a pipeline module is missing."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from checker.apps.diff import citation_key, diff_files, diff_results, render
from checker.model import (CheckResult, Coverage, Finding, Location, Mandate, MandateStatus, Plan,
                           Section)
from checker.pipeline import extract

NQ03 = ("Căn cứ Nghị quyết số 03/NQ-CP ngày 09/01/2025 của Chính phủ ban hành Chương trình hành động "
        "của Chính phủ thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị;")
QD598 = ("Căn cứ Quyết định số 598/QĐ-TTg của Thủ tướng Chính phủ về việc thành lập Ban Chỉ đạo của "
         "Chính phủ về phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số;")


def _edit(seed_path: Path, tmp_path: Path, section_id: str):
    """Copy of a seed without one section and with two outdated citations
    added after its last "Căn cứ" line.  Returns (path, removed line range
    in the old file, new line numbers of the added citations)."""
    plan = extract(seed_path)
    order = sorted(plan.sections, key=lambda s: s.loc.line)
    sec = next(s for s in order if s.id == section_id)
    nxt = next(s for s in order if s.loc.line > sec.loc.line and s.level <= sec.level)
    first, stop = sec.loc.line, nxt.loc.line  # 1-based, [first, stop)
    lines = seed_path.read_text(encoding="utf-8").split("\n")
    kept = lines[:first - 1] + lines[stop - 1:]
    first_section = order[0].loc.line
    last_basis = max(i for i, t in enumerate(kept[:first_section - 1]) if t.strip().startswith("Căn cứ"))
    kept[last_basis + 1:last_basis + 1] = ["", NQ03, "", QD598]
    new = tmp_path / ("edited_" + seed_path.name)
    new.write_text("\n".join(kept), encoding="utf-8")
    added_lines = {last_basis + 3, last_basis + 5}
    return new, range(first, stop), added_lines, plan


def test_diff_seed_against_edited_copy(seed, tmp_path):
    old_path = seed("001")  # a 2026 plan
    new_path, removed, added_lines, old_plan = _edit(old_path, tmp_path, "III.7")
    d = diff_files(old_path, new_path)

    # sections: exactly the removed one
    assert [s["id"] for s in d.sections_removed] == ["III.7"]
    assert d.sections_added == []
    # tasks: exactly those of the removed section
    assert {t["text"] for t in d.tasks_removed} == {t.text for t in old_plan.tasks
                                                     if t.loc.line in removed}
    assert d.tasks_removed and d.tasks_added == []
    # citations: the two added documents; the removed section cited nothing
    # that is not cited elsewhere
    keys = {c["key"] for c in d.citations_added}
    assert any(k.startswith("03/NQ-CP") for k in keys) and any(k.startswith("598/QĐ-TTg") for k in keys)
    assert len(keys) == 2 and {c["line"] for c in d.citations_added} == added_lines
    elsewhere = {citation_key(c) for c in old_plan.citations if c.loc.line not in removed}
    assert {c["key"] for c in d.citations_removed} == {
        citation_key(c) for c in old_plan.citations if c.loc.line in removed} - elsewhere
    # findings introduced: the outdated QĐ 598 on its line, or "missing task"
    # for a mandate this version lost; findings fixed: only from the removed text
    lost = {m["id"] for m in d.mandates_lost}
    assert any(f["category"] == "outdated-reference" and f["line"] in added_lines
               for f in d.findings_introduced)
    for f in d.findings_introduced:
        # (mandate ids are kept in the finding's data since issue 14, not in its sentence)
        # a duty now missing or only partial (issue 14 names partial duties too)
        weaker = lost | {m["id"] for m in d.mandates_changed}
        assert f["line"] in added_lines or (f["category"] == "missing-task" and any(
            m in f["mandates"].split(", ") for m in weaker)), f
    for f in d.findings_fixed:
        assert f["line"] in removed, f
    # mandates: the international cooperation group (III.7) loses coverage;
    # nothing is gained; every lost or weakened mandate had its best evidence
    # in the removed section
    assert lost and d.mandates_gained == []
    assert any(m["group"] == "III.7" for m in d.mandates_lost)
    for m in d.mandates_lost:
        assert m["evidence"] and m["evidence"][0]["line"] in removed, m
    # the three renderings
    text = render(d, "text", "vi")
    assert "III.7" in text and "598/QĐ-TTg" in text
    md = render(d, "md", "en")
    assert md.startswith("## Plan diff") and "### Sections removed (1)" in md
    data = json.loads(render(d, "json"))
    assert data["summary"]["sections_removed"] == 1 and data["summary"]["citations_added"] == 2


def test_diff_identical_copy_is_empty(seed, tmp_path):
    old_path = seed("003")
    copy = tmp_path / "copy.txt"
    # the same plan with two blank lines inserted at the top: lines shift,
    # fingerprints do not
    copy.write_text("\n\n" + old_path.read_text(encoding="utf-8"), encoding="utf-8")
    d = diff_files(old_path, copy)
    assert d.findings_fixed == [] and d.findings_introduced == []
    assert d.empty, d.to_dict()["summary"]
    assert "Không có thay đổi" in render(d, "text", "vi")


def test_diff_command(seed, tmp_path):
    from checker.apps.cmd_audit import diff_command

    old_path = seed("001")
    new_path, *_ = _edit(old_path, tmp_path, "III.7")
    r = CliRunner().invoke(diff_command, [str(old_path), str(new_path), "--format", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["summary"]["sections_removed"] == 1
    r = CliRunner().invoke(diff_command, [str(old_path), str(tmp_path / "absent.txt")])
    assert r.exit_code == 2


def test_diff_fail_on_introduced_findings(seed, tmp_path):
    """--fail-on gates a pull request on what the new version introduces;
    without it diff exits 0 whatever changed."""
    from checker.apps.cmd_audit import diff_command

    old_path = seed("001")
    new_path, *_ = _edit(old_path, tmp_path, "III.7")
    args = [str(old_path), str(new_path), "--as-of", "2026-01-01", "--format", "json"]
    r = CliRunner().invoke(diff_command, args)
    assert r.exit_code == 0, r.output
    introduced = json.loads(r.output)["findings_introduced"]
    sevs = {f["severity"] for f in introduced}
    assert "warning" in sevs  # the outdated citations added
    assert CliRunner().invoke(diff_command, args + ["--fail-on", "warning"]).exit_code == 1
    want = 1 if "error" in sevs else 0
    assert CliRunner().invoke(diff_command, args + ["--fail-on", "error"]).exit_code == want
    # nothing introduced: nothing fails
    r = CliRunner().invoke(diff_command, [str(old_path), str(old_path), "--fail-on", "info"])
    assert r.exit_code == 0, r.output


# ---------------------------------------------------------------- hand-made results

def _result(statuses: dict[str, str], fps: list[str]) -> CheckResult:
    loc = Location(1, "dòng 1")
    plan = Plan(source="p.txt", format="txt", units=[],
                sections=[Section("I", "I", "Mục đích", 1, 0, loc)])
    ms = [MandateStatus(Mandate(id=k, reference="nq57", group="III.1", title=k), v, 80.0)
          for k, v in statuses.items()]
    fs = [Finding(rule="R1", category="structure", severity="warning", message=fp, fingerprint=fp)
          for fp in fps]
    return CheckResult(plan=plan, as_of="2026-01-01", as_of_basis="header",
                       coverage=Coverage(groups=[], mandates=ms), findings=fs)


def test_diff_results_classifies_mandates_and_findings():
    old = _result({"a": "covered", "b": "missing", "c": "covered", "d": "partial"}, ["f1", "f2"])
    new = _result({"a": "covered", "b": "partial", "c": "missing", "d": "covered"}, ["f2", "f3"])
    d = diff_results(old, new)
    assert [m["id"] for m in d.mandates_gained] == ["b"]
    assert [m["id"] for m in d.mandates_lost] == ["c"]
    assert [m["id"] for m in d.mandates_changed] == ["d"]
    assert [f["fingerprint"] for f in d.findings_fixed] == ["f1"]
    assert [f["fingerprint"] for f in d.findings_introduced] == ["f3"]
