"""Reference sets: schema, ids, levels, inheritance, own wording."""
from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from checker.errors import PlanError
from checker.mandates.load import (LEVELS, abbreviations, available_sets, load_set, nq57_group_of,
                                  schema_json)
from checker.normalize import squash
from checker.resources import read_text

from conftest import REFTEXTS

NQ57_GROUPS = ["III.1", "III.2", "III.3", "III.4", "III.5", "III.6", "III.7"]


def raw(set_id: str) -> dict:
    return yaml.safe_load(read_text("reference", f"{set_id}.yaml"))


def test_installed_sets():
    assert {"nq57", "nq03", "nq71"} <= set(available_sets())
    assert "abbreviations" not in available_sets()


@pytest.mark.parametrize("set_id", ["nq57", "nq03", "nq71"])
def test_every_set_validates_against_the_schema(set_id):
    schema = schema_json()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(raw(set_id), schema)


@pytest.mark.parametrize("set_id", ["nq57", "nq03", "nq71"])
def test_ids_unique_and_groups_declared(set_id):
    ms = load_set(set_id)
    ids = [m.id for m in ms.mandates]
    assert len(ids) == len(set(ids))
    assert all(i.startswith(set_id + ".") for i in ids)
    declared = {g["id"] for g in ms.groups}
    assert {m.group for m in ms.mandates} <= declared
    for m in ms.mandates:
        assert m.level and set(m.level) <= set(LEVELS)
        assert m.anchors, f"{m.id} has no keywords"
        assert m.source.get("document")


def test_nq57_has_the_seven_groups_with_items_and_targets():
    ms = load_set("nq57")
    assert [g["id"] for g in ms.groups][:7] == NQ57_GROUPS
    for g in NQ57_GROUPS:
        n = sum(m.group == g for m in ms.mandates)
        assert 4 <= n <= 14, (g, n)
    targets = ms.targets + [t for m in ms.mandates for t in m.targets]
    by_id = {t.get("id"): t for t in targets if t.get("id")}
    # facts from reference-facts §1.4–1.5
    assert by_id["nq57.II.1.07"]["value"] == 30 and by_id["nq57.II.1.07"]["year"] == 2030
    assert by_id["nq57.II.2.01"]["value"] == 50 and by_id["nq57.II.2.01"]["year"] == 2045
    assert by_id["nq57.II.1.13"]["value"] == 3
    assert by_id["nq57.II.1.08"]["value"] == 80
    assert by_id["nq57.II.1.14"]["unit"] == "người/vạn dân"
    for t in targets:
        assert t["comparator"] in (">=", ">", "<=", "<", "=", "~", "qualitative")


def test_communes_are_not_asked_to_amend_national_laws():
    ms = load_set("nq57")
    law = ms.mandate("nq57.III.2.01")
    assert "commune" not in law.level
    commune = [m for m in ms.mandates if "commune" in m.level]
    # the commune-relevant duties the plans should carry
    ids = {m.id for m in commune}
    for must in ("nq57.III.1.01", "nq57.III.1.02", "nq57.III.1.07", "nq57.III.5.04",
                 "nq57.III.5.05", "nq57.III.5.06", "nq57.III.5.10", "nq57.III.6.01",
                 "nq57.III.3.01", "nq57.IV.01"):
        assert must in ids


def test_nq71_says_what_is_unknown_and_carries_nq03_as_belief():
    data = raw("nq71")
    assert data["status"]["confidence"] == "belief"
    assert any("chưa được xác nhận" in u for u in data["status"]["unknown"])
    assert any("Bộ Khoa học và Công nghệ" in k for k in data["status"]["known"])
    ms = load_set("nq71")
    carried = [m for m in ms.mandates if "kế thừa" in (m.note or "")]
    assert len(carried) == len(load_set("nq03").mandates)
    assert all(m.confidence == "belief" for m in carried)
    assert all(m.id.startswith("nq71.") for m in ms.mandates)
    assert ms.mandate("nq71.A2.096").source["via"] == "71/NQ-CP@2025"


def test_nq03_locality_tasks_have_deadlines_from_annex2():
    ms = load_set("nq03")
    assert ms.mandate("nq03.A2.007").deadline == "01/2025"
    assert ms.mandate("nq03.A2.121").deadline == "03/2026"
    t = {x["id"]: x for x in ms.targets}
    assert t["nq03.A1.11.2"]["value"] == 90
    assert t["nq03.A1.11.3"]["confidence"] == "belief"  # cut-off row in the transcription


def test_abbreviations_cover_the_common_ones():
    ab = abbreviations()
    for k in ("CĐS", "KHCN", "KH&CN", "ĐMST", "DVCTT", "TTHC", "CSDL", "CBCCVC", "IOC", "AI"):
        assert k in ab


def test_unknown_set_is_a_plan_error():
    with pytest.raises(PlanError) as e:
        load_set("nq999")
    assert "nq57" in e.value.en


VN_ONLY = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)


@pytest.mark.parametrize("set_id", ["nq57", "nq03", "nq71"])
def test_every_shipped_mandate_and_group_has_an_english_title(set_id):
    """English reports are English throughout: every mandate (inherited ones
    too) and every group of the shipped sets has an English title, and the
    English title is English (no Vietnamese-only letter; an item label such
    as "II.1.đ" is not part of a title)."""
    ms = load_set(set_id)
    for m in ms.mandates:
        assert m.title_en, f"{m.id} has no title_en"
        assert not VN_ONLY.search(m.title_en), (m.id, m.title_en)
        assert m.title_in("en") == m.title_en and m.title_in("vi") == m.title
    for g in ms.groups:
        assert g.get("title_en") and g.get("short_en"), (set_id, g["id"])
        assert not VN_ONLY.search(g["title_en"] + g["short_en"]), (set_id, g["id"])
    # the crosswalk's duties too
    from checker.judge.crosswalk import crosswalk

    for duty in set(crosswalk().values()):
        assert duty.title_en and not VN_ONLY.search(duty.title_en), duty.id


def test_a_set_without_english_titles_says_so_in_english(tmp_path):
    """An imported set has Vietnamese titles only: an English report marks
    them "(Vietnamese title) …" rather than pretending they are English."""
    p = tmp_path / "tinh-2-2026.yaml"
    data = raw("nq03")
    data["id"] = "tinh-2-2026"
    data.pop("targets")
    for m in data["mandates"]:
        m["id"] = m["id"].replace("nq03.", "tinh-2-2026.")
        m.pop("title_en", None)
    for g in data["groups"]:
        g.pop("title_en", None)
        g.pop("short_en", None)
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    ms = load_set(str(p))
    m = ms.mandates[0]
    assert m.title_en == "" and m.title_in("en") == "(Vietnamese title) " + m.title
    from checker.judge.config import Config
    from checker.pipeline import check

    plan = tmp_path / "plan.txt"
    plan.write_text("ỦY BAN NHÂN DÂN XÃ AN BÌNH\nSố: 12/KH-UBND\nAn Bình, ngày 20 tháng 02 năm 2026\n"
                    "KẾ HOẠCH\nThực hiện Nghị quyết số 57-NQ/TW trên địa bàn xã An Bình năm 2026\n"
                    "I. NHIỆM VỤ, GIẢI PHÁP\n- Tổ chức quán triệt Nghị quyết số 57-NQ/TW cho cán bộ, công chức.\n",
                    encoding="utf-8")
    res = check(str(plan), references=[str(p)], config=Config())
    mis = [f for f in res.findings if f.rule == "MIS001" and not f.data.get("duty")]
    assert mis
    from checker.render.report import render

    en = render(res, "text", color=False, lang="en")
    assert "(Vietnamese title) " in en
    # its groups in the coverage table too
    from checker.render.templates import _group_rows

    rows = [r for r in _group_rows(res, "en") if r.get("reference") == "tinh-2-2026"]
    assert rows and all(r["title"].startswith("(Vietnamese title) ") for r in rows)
    assert all(not r["title"].startswith("(") for r in _group_rows(res, "vi"))


def test_set_file_path_is_accepted(tmp_path):
    p = tmp_path / "tinh-1-2026.yaml"
    data = raw("nq03")
    data["id"] = "tinh-1-2026"
    data.pop("targets")
    for m in data["mandates"]:
        m["id"] = m["id"].replace("nq03.", "tinh-1-2026.")
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    ms = load_set(str(p))
    assert ms.id == "tinh-1-2026" and len(ms.mandates) == len(data["mandates"])


def test_malformed_set_file_is_a_plan_error(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("id: bad\ntitle: x\nmandates: [{id: 1}]\n", encoding="utf-8")
    with pytest.raises(PlanError):
        load_set(str(p))


def _own_set(tmp_path, set_id: str, **change) -> str:
    """A copy of the nq03 set under another id, as a file, with ``change`` applied to its
    second mandate."""
    data = raw("nq03")
    data["id"] = set_id
    data.pop("targets")
    for m in data["mandates"]:
        m["id"] = m["id"].replace("nq03.", f"{set_id}.")
    data["mandates"][1].update(change)
    p = tmp_path / f"{set_id}.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(p)


def test_set_that_breaks_the_schema_is_a_plan_error_naming_the_set_and_the_json_path(tmp_path):
    from click.testing import CliRunner

    from checker.apps.cli import main

    bad = _own_set(tmp_path, "tinh-sai", level=["village"])
    with pytest.raises(PlanError) as e:
        load_set(bad)
    assert e.value.code == "reference-schema"
    for msg in (e.value.vi, e.value.en):
        assert "'tinh-sai'" in msg and bad in msg and "$.mandates[1].level[0]" in msg
        assert "reference/mandate-set.schema.json" in msg and "'village' is not one of" in msg
    assert "sai cấu trúc" in e.value.vi and "does not match" in e.value.en
    # through the CLI: the message and exit 2, never a traceback
    plan = Path(__file__).resolve().parent.parent / "examples" / "ke-hoach-mau.md"
    for lang, words in (("vi", "sai cấu trúc"), ("en", "does not match")):
        r = CliRunner().invoke(main, ["check", str(plan), "-r", bad, "--lang", lang, "--no-color"])
        assert r.exit_code == 2, r.output
        assert words in r.output and "$.mandates[1].level[0]" in r.output and "Traceback" not in r.output


def test_sets_are_validated_once_per_process_and_always(tmp_path, monkeypatch):
    import sys

    from checker.mandates import load as L

    good = _own_set(tmp_path, "tinh-dung")
    load_set(good)
    assert any(origin == good for origin, _ in L._VALID)
    # loaded again (cache cleared): not validated again
    load_set.cache_clear()
    monkeypatch.setattr(L, "_validator", lambda: pytest.fail("validated twice"))
    assert load_set(good).id == "tinh-dung"
    monkeypatch.undo()
    # never skipped: without jsonschema a set is refused, with a clear message
    load_set.cache_clear()
    L._validator.cache_clear()
    monkeypatch.setitem(sys.modules, "jsonschema", None)
    with pytest.raises(PlanError) as e:
        load_set(_own_set(tmp_path, "tinh-khac"))
    assert e.value.code == "jsonschema-missing" and "jsonschema>=4.20" in e.value.en
    monkeypatch.undo()
    L._validator.cache_clear()
    load_set.cache_clear()


def test_group_mapping_of_section_titles():
    assert nq57_group_of("7. Tăng cường hợp tác trong phát triển khoa học, công nghệ, đổi mới sáng tạo") == "III.7"
    assert nq57_group_of("Phát triển, trọng dụng nhân lực chất lượng cao đáp ứng yêu cầu") == "III.4"
    assert nq57_group_of("Khẩn trương, quyết liệt hoàn thiện thể chế; xoá bỏ mọi tư tưởng") == "III.2"
    assert nq57_group_of("Danh sách khen thưởng cuối năm") is None


def _ngrams(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


# the official name of the field is a term, not a sentence
FIELD = "khoa hoc cong nghe doi moi sang tao va chuyen doi so"


def test_descriptions_are_in_our_own_words():
    """No description repeats 12 words in a row from the transcriptions
    (the field's official name counts as one word)."""
    if not REFTEXTS.is_dir():
        pytest.skip("../shared/reference-texts/ is absent")
    ref = set()
    for f in REFTEXTS.glob("*.md"):
        ref |= _ngrams(squash(f.read_text(encoding="utf-8")).replace(FIELD, "FIELD").split(), 12)
    for sid in ("nq57", "nq03", "nq71"):
        for m in load_set(sid).mandates:
            grams = _ngrams(squash(m.description).replace(FIELD, "FIELD").split(), 12)
            assert not (grams & ref), f"{m.id} copies the source text"
