"""The document catalogue and the abolished-body data."""
from __future__ import annotations

import datetime as dt

import pytest
import yaml

from checker import resources
from checker.cite.catalog import LEVELS, bodies, catalog, province_map
from checker.normalize import norm

CONFIDENCE = {"verified", "seed", "belief"}
RELATIONS = {"amends", "supersedes", "replaced_by", "implements", "amended_by"}


def test_catalogue_loads_with_unique_ids_and_valid_fields():
    cat = catalog()
    assert len(cat) >= 60
    raw = yaml.safe_load(resources.read_text("reference", "documents.yaml"))
    ids = [d["id"] for d in raw["documents"]]
    assert len(ids) == len(set(ids))
    for doc in cat:
        assert doc.level in LEVELS, doc.id
        assert doc.confidence in CONFIDENCE, doc.id
        assert doc.source, doc.id
        assert doc.title or doc.subject, doc.id
        assert doc.id.split("@")[0] == doc.number, doc.id
        assert doc.year and str(doc.year) == doc.id.split("@")[1][:4], doc.id
        for r in doc.relations:
            assert r.type in RELATIONS and cat.get(r.target), (doc.id, r.target)
        for v in doc.facts.values():
            assert v in CONFIDENCE | {"unresolved"}, doc.id


def test_catalogue_is_cached_and_versioned():
    assert catalog() is catalog()
    assert len(catalog().version) == 16


def test_confidence_tags_are_kept():
    cat = catalog()
    nq11 = cat.get("11/NQ-CP@2026")
    assert nq11.confidence == "seed" and nq11.fact_confidence("date") == "seed"
    assert cat.get("11/NQ-CP@2022").fact_confidence("date") == "belief"
    assert cat.get("57-NQ/TW@2024").fact_confidence("date") == "verified"
    assert cat.get("04/2025/NQ-CP@2025").fact_confidence("date") == "seed"
    assert cat.get("51/KH-UBND@2025~quang-ngai").confidence == "seed"
    assert cat.get("469-KH/TU@2025~dong-nai").date == "2025-05-16"


def test_find_needs_year_for_homonyms():
    cat = catalog()
    assert {d.id for d in cat.find("Nghị quyết", "11/NQ-CP")} == {"11/NQ-CP@2022", "11/NQ-CP@2026"}
    assert [d.id for d in cat.find("Nghị quyết", "11/NQ-CP", 2026)] == ["11/NQ-CP@2026"]
    assert [d.id for d in cat.find(None, "3/NQ-CP", 2025)] == ["03/NQ-CP@2025"]  # leading zero
    assert cat.find("Nghị quyết", "999/NQ-CP") == []
    # issuer must agree for a provincial plan
    assert [d.id for d in cat.find("Kế hoạch", "92/KH-UBND", 2025, "Ủy ban nhân dân tỉnh Đồng Nai")] == \
        ["92/KH-UBND@2025~dong-nai"]
    assert cat.find("Kế hoạch", "92/KH-UBND", 2025, "UBND tỉnh Hà Tĩnh") == []


def test_aliases():
    cat = catalog()
    assert [d.id for d in cat.by_alias("Đề án 06")] == ["06/QĐ-TTg@2022"]
    assert [d.id for d in cat.by_alias("nghị quyết số 57")] == ["57-NQ/TW@2024"]
    assert [d.id for d in cat.by_alias("Luật Giao dịch điện tử")] == ["20/2023/QH15@2023"]
    assert cat.by_alias("Kế hoạch 02") == []


def test_current_version_follows_dated_relations():
    cat = catalog()
    assert cat.current_version("03/NQ-CP@2025", dt.date(2025, 3, 31)) == "03/NQ-CP@2025"
    assert cat.current_version("03/NQ-CP@2025", dt.date(2025, 4, 1)) == "71/NQ-CP@2025"
    assert cat.current_version("04/2025/NQ-CP@2025", dt.date(2026, 2, 28)) == "04/2025/NQ-CP@2025"
    assert cat.current_version("04/2025/NQ-CP@2025", dt.date(2026, 3, 1)) == "45/2026/NĐ-CP@2026"
    assert cat.current_version("04/2025/NQ-CP@2025", dt.date(2026, 7, 1)) == "224/2026/NĐ-CP@2026"
    assert cat.current_version("598/QĐ-TTg@2025", dt.date(2025, 6, 1)) == "929/QĐ-TTg@2025"
    assert cat.current_version("57-NQ/TW@2024", dt.date(2026, 7, 1)) == "57-NQ/TW@2024"
    chain = cat.replacement_chain("71/NQ-CP@2025", dt.date(2026, 2, 1))
    assert chain[0][0] == "11/NQ-CP@2026" and chain[0][1].confidence == "seed"
    incoming = {(s, r.type) for s, r in cat.incoming("03/NQ-CP@2025")}
    assert ("71/NQ-CP@2025", "amends") in incoming
    assert ("51/KH-UBND@2025~quang-ngai", "implements") in incoming


def test_symbol_codes():
    cat = catalog()
    assert "Kế hoạch" in cat.types_for_code("KH")
    assert "Nghị quyết" in cat.types_for_code("NQ")
    assert cat.types_for_code("XYZ") is None


# ------------------------------------------------------------------ bodies
def _hits(text: str) -> set[str]:
    n = norm(text)
    return {b.id for b in bodies() if b.search(n)}


@pytest.mark.parametrize("text,rule", [
    ("Kế hoạch số 44/KH-UBND của UBND huyện Tư Nghĩa", "district-people-committee"),
    ("Ủy ban nhân dân huyện Nhơn Trạch", "district-people-committee"),
    ("Huyện ủy Tư Nghĩa", "district-party-committee"),
    ("Phòng Văn hoá và Thông tin huyện", "district-office"),  # old tone style
    ("Phòng Văn hóa và Thông tin huyện", "district-office"),  # new tone style
    ("Thị trấn La Hà", "township"),
    ("gửi Sở Thông tin và Truyền thông", "department-ict"),
    ("Sở TT&TT tỉnh", "department-ict"),
    ("Bộ Kế hoạch và Đầu tư", "ministry-mpi"),
    ("Sở Tài nguyên và Môi trường", "department-nre-ard"),
    ("Bộ Lao động - Thương binh và Xã hội", "ministry-molisa"),
    ("UBND tỉnh Kon Tum", "province-kon-tum"),
    ("tỉnh Đăk Nông", "province-dak-nong"),
    ("UBND tỉnh Đồng Nai", "dong-nai-city"),
])
def test_body_patterns_hit(text, rule):
    assert rule in _hits(text)


@pytest.mark.parametrize("text", [
    "Ủy ban nhân dân xã Phước An",
    "Sở Khoa học và Công nghệ",
    "UBND tỉnh Lạng Sơn",
    "Phòng Văn hóa – Xã hội xã",
    "Bộ Khoa học và Công nghệ",
])
def test_body_patterns_miss(text):
    assert _hits(text) == set()


def test_body_rules_have_dates_basis_and_confidence():
    cat = catalog()
    for b in bodies():
        assert b.kind in {"district", "ministry", "department", "province", "party-body"}
        assert b.abolished_date >= dt.date(2025, 1, 1)
        assert cat.get(b.basis), b.id
        assert b.confidence in CONFIDENCE
        assert b.replacement["vi"] and b.replacement["en"]
    district = [b for b in bodies() if b.id == "district-people-committee"][0]
    assert not district.applies(dt.date(2025, 3, 31)) and district.applies(dt.date(2025, 7, 1))


def test_province_names_come_from_underthesea():
    pytest.importorskip("underthesea")
    m = province_map()
    assert m["Kon Tum"] == "Quảng Ngãi"
    assert m["Bình Phước"] == "Đồng Nai"
    assert m["Quảng Nam"] == "Đà Nẵng"
    assert "Lạng Sơn" not in m  # unchanged provinces are not rules
    assert len(m) == 29  # 63 - 34 provinces disappeared
    rules = [b for b in bodies() if b.kind == "province" and b.old_name]
    assert len(rules) == len(m)
