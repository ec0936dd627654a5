"""Matching imported mandate documents without hand keywords (checker.match.lexical),
the task-centric links the statuses derive from (checker.match.links), the links in
the JSON report and ``plancheck explain --task``.  Seeds 000 and 004 are the blind
test of matching and are not used here."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.match.matcher import match
from checker.model import Location, Task

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
ANNEX = SHARED / "reference-texts" / "nq03-nq-cp-2025-annex2-tasks.md"
DN179 = SHARED / "corpus" / "05_dongnai-179-kh-ubnd-2025-kinh-te-so-xa-hoi-so.txt"


def _imported(src: Path, set_id: str, tmp_path_factory):
    from checker import pipeline
    from checker.mandates.importer import dump_set
    from checker.mandates.load import load_set

    if not src.exists():
        pytest.skip(f"{src} is absent")
    f = tmp_path_factory.mktemp(set_id) / f"{set_id}.yaml"
    f.write_text(dump_set(pipeline.import_reference(src, set_id)), encoding="utf-8")
    return load_set(str(f))


@pytest.fixture(scope="module")
def annex(tmp_path_factory):
    return _imported(ANNEX, "nq03a2", tmp_path_factory)


@pytest.fixture(scope="module")
def dn179(tmp_path_factory):
    return _imported(DN179, "dn179", tmp_path_factory)


def task(text, line=1, section_title=None):
    return Task(id=f"T{line:03d}", text=text, section=None, unit=0,
                loc=Location(line=line, human=f"dòng {line}"), section_title=section_title)


# ------------------------------------------------------------ the statistics

def test_action_and_object_are_compared_separately():
    from checker.match import lexical as L

    idx = L.build_index(["m.1", "m.2"], ["Xây dựng kế hoạch chuyển đổi số của xã",
                                         "Tuyên truyền về chuyển đổi số cho người dân"])
    f = L.features(idx, ["Xây dựng kế hoạch chuyển đổi số năm 2026", "Tuyên truyền chuyển đổi số trên loa"])
    act = L.FEATURES.index("act")
    assert f[0, 0, act] == 1.0 and f[0, 1, act] == 0.0
    assert f[1, 1, act] == 1.0 and f[1, 0, act] == 0.0
    p = L.probability(f)
    assert p[0, 0] > p[0, 1] and p[1, 1] > p[1, 0]
    terms, obj, acts = L.analyse("Xây dựng kế hoạch chuyển đổi số")
    assert acts == {"xay dung"} and "ke_hoach" in obj and "xay_dung" not in obj


def test_words_every_text_repeats_weigh_little():
    """The same shared word counts for less when every mandate and task has it."""
    from checker.match import lexical as L

    mandates = ["Ứng dụng chuyển đổi số trong nông nghiệp", "Chuyển đổi số trong y tế cơ sở",
                "Chuyển đổi số trong giáo dục", "Phát triển thương mại điện tử cho hộ kinh doanh"]
    idx = L.build_index([f"m.{i}" for i in range(4)], mandates)
    f = L.features(idx, ["Chuyển đổi số cho hộ kinh doanh"])
    cos = f[0, :, L.FEATURES.index("cos")]
    assert cos.argmax() == 3  # "hộ kinh doanh" is rarer than "chuyển đổi số"


def test_set_index_is_built_once_per_process(annex):
    from checker.match.links import set_index

    assert set_index(annex) is set_index(annex)


# ------------------------------------------------------------ links and statuses

def test_links_shape_and_statuses_derive_from_links(annex, seed):
    from checker.pipeline import extract

    plan = extract(seed("001"))
    cov = match(plan.tasks, [annex], indicators=plan.indicators)
    assert cov.links
    ids = {t.id for t in plan.tasks} | {f"I{i:03d}" for i in range(1, 200)}
    for lk in cov.links:
        d = lk.to_dict()
        assert set(d) == {"task", "line", "mandate", "set", "score", "strength", "evidence"}
        assert d["task"] in ids and d["set"] == "nq03a2" and d["strength"] in ("exact", "close", "loose")
        assert 0 <= d["score"] <= 100 and isinstance(d["line"], int)
    by: dict[str, set] = {}
    for lk in cov.links:
        by.setdefault(lk.mandate, set()).add(lk.strength)
    for st in cov.mandates:
        s = by.get(st.mandate.id, set())
        if st.status == "not-applicable":
            assert "commune" not in st.mandate.level and not s
        elif st.status == "covered":
            assert s & {"exact", "close"}
        elif st.status == "partial":
            assert s == {"loose"}
        else:
            assert st.status == "missing" and not s
    # a reviewer's links for this seed (tests/data/match_pairs): the digital-learning
    # movement task (line 75) restates annex task 3
    assert any(lk.line == 75 and lk.mandate == "nq03a2.3" and lk.strength in ("exact", "close")
               for lk in cov.links)
    # the curated sets give links too, with the same fields
    cov57 = match(plan.tasks, ["nq57"])
    assert cov57.links and all(lk.set == "nq57" for lk in cov57.links)
    for st in cov57.mandates:
        strong = [lk for lk in cov57.links if lk.mandate == st.mandate.id and lk.strength != "loose"]
        assert (st.status == "covered") == bool(strong) or st.status in ("waived", "not-applicable")


def test_json_report_has_links(annex, seed, tmp_path):
    from checker.judge.config import Config
    from checker.pipeline import check
    from checker.render.data import report_data

    res = check(str(seed("003")), references=["nq57", annex.source_file], config=Config())
    d = json.loads(json.dumps(report_data(res)))
    assert d["links"] and {"nq57", "nq03a2"} >= {lk["set"] for lk in d["links"]}
    covered = {m["id"] for m in d["coverage"]["mandates"] if m["status"] == "covered"}
    strong = {lk["mandate"] for lk in d["links"] if lk["strength"] in ("exact", "close")}
    assert covered == strong


def test_offtopic_plan_links_to_nothing_strongly(annex):
    from checker.pipeline import extract

    off = extract(ROOT / "tests" / "data" / "offtopic_plan.txt")
    cov = match(off.tasks, [annex])
    assert not [lk for lk in cov.links if lk.strength != "loose"]
    assert not [s for s in cov.mandates if s.status == "covered"]


def test_a_commune_plan_against_a_provincial_plan(dn179, seed):
    """A province imports its own plan (Đồng Nai KH 179) and checks a commune of
    Đồng Nai (seed 002) against it: a table by the plan's own sections, with the
    commune's tasks named on each row it carries out."""
    from checker.pipeline import extract

    plan = extract(seed("002"))
    cov = match(plan.tasks, [dn179], indicators=plan.indicators)
    rows = {g["group"]: g for g in cov.groups}
    assert list(rows)[:3] == ["A.I", "A.II", "A.III"] and "C.VI" in rows
    assert "VII. Phát triển kỹ năng số" in rows["A.VII"]["title"]  # part and section, as printed
    for g in rows.values():
        assert g["total"] == g["covered"] + g["partial"] + g["missing"]
    covered = [s for s in cov.mandates if s.status == "covered"]
    missing = [s for s in cov.mandates if s.status == "missing"]
    assert covered and missing  # neither everything nor nothing
    for s in covered:
        assert s.evidence and s.evidence[0].line and s.evidence[0].task
    # rows only the province's departments carry out are not asked of a commune
    na = [s for s in cov.mandates if s.status == "not-applicable"]
    assert all("commune" not in s.mandate.level for s in na)


def test_commune_plans_against_the_provincial_plan_agree_with_a_reviewer(dn179, seed):
    """The exact+close links to Đồng Nai KH 179 of the four labelled commune plans,
    against the reviewer's (tests/data/match_pairs/pairs.csv): most links found are
    right; many of the reviewer's are still missed (measured: 11 of 17 right, 40 in all)."""
    from checker.pipeline import extract

    tp = fp = 0
    for name, path in (("001_30f6003b53efe500.txt", seed("001")), ("002_af8008956ab8b7d3.txt", seed("002")),
                       ("003_dca197c9b0492ba3.txt", seed("003")),
                       ("ke-hoach-mau.md", ROOT / "examples" / "ke-hoach-mau.md")):
        plan = extract(path)
        cov = match(plan.tasks, [dn179], indicators=plan.indicators)
        gold = _gold(name, "dn179")
        judged = _judged(name, "dn179")
        pred = {(lk.line, lk.mandate) for lk in cov.links if lk.strength != "loose" and lk.line in judged}
        tp, fp = tp + len(pred & gold), fp + len(pred - gold)
    assert tp >= 8 and tp / (tp + fp) >= 0.55, (tp, fp)


def _judged(plan: str, set_id: str) -> set:
    import csv

    with open(ROOT / "tests" / "data" / "match_pairs" / "pairs.csv", encoding="utf-8") as f:
        return {int(r["line"]) for r in csv.DictReader(f) if r["plan"] == plan and r["set"] == set_id}


def _gold(plan: str, set_id: str) -> set:
    import csv

    with open(ROOT / "tests" / "data" / "match_pairs" / "pairs.csv", encoding="utf-8") as f:
        return {(int(r["line"]), r["mandate"]) for r in csv.DictReader(f)
                if r["plan"] == plan and r["set"] == set_id and r["label"] in ("exact", "close")}


# ------------------------------------------------------------ calibration and speed

@pytest.fixture(scope="module")
def cv():
    if not (SHARED / "seeds").is_dir() or not ANNEX.exists() or not DN179.exists():
        pytest.skip("../shared/ (seeds, corpus, reference texts) is absent")
    sys.path.insert(0, str(ROOT / "bench"))
    import match_eval as E
    import match_fit as MF

    return MF.cross_validate(E.blocks(), beta="target")


def test_cross_validated_precision_and_recall(cv):
    """Folds grouped by plan (bench/calibrate_match.py --links prints the same).
    Floors a little under the measured values in README.md.  The latent feature of
    each held-out plan comes from vectors learned without that plan's text."""
    p, r, _ = cv["links"]
    assert p >= 0.72 and r >= 0.65, cv["links"]
    p, r, _ = cv["links_annex_commune"]
    assert p >= 0.60 and r >= 0.62, cv["links_annex_commune"]
    p, r, _ = cv["missing"]
    assert p >= 0.87 and r >= 0.84, cv["missing"]


def test_coverage_labels_follow_the_pair_labels():
    """coverage.csv is worked out from pairs.csv (its README): covered = an exact or
    close pair, partial = loose pairs only, missing = none; kept so after every edit."""
    import csv

    d = ROOT / "tests" / "data" / "match_pairs"
    with open(d / "pairs.csv", encoding="utf-8") as f:
        pairs = list(csv.DictReader(f))
    with open(d / "coverage.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4 * 82
    for r in rows:
        labels = {p["label"] for p in pairs if p["plan"] == r["plan"] and p["mandate"] == r["mandate"]}
        want = "covered" if labels & {"exact", "close"} else "partial" if "loose" in labels else "missing"
        assert r["status"] == want, (r["plan"], r["mandate"], r["status"], labels)


def test_imported_mandates_read_like_several_curated_ones(annex):
    """The curated evidence of an imported mandate comes from the few hand-written
    mandates that read most like it: the annex's NQ 57 propaganda programme (task 1)
    reads like NQ 57's awareness duty, and its head-responsibility text (task 4) like
    the same duty in NQ 57 and NQ 03 (the pairs reference/crosswalk.yaml draws by hand)."""
    from checker.match.links import CROSSWALK_TOP, crosswalk

    cw = dict(zip((m.id for m in annex.mandates), crosswalk(annex)))
    assert "nq57.III.1.01" in cw["nq03a2.1"]
    assert {"nq57.III.1.02", "nq03.P.1.b"} <= set(cw["nq03a2.4"])
    assert all(len(c) <= CROSSWALK_TOP for c in cw.values())
    assert not cw["nq03a2.15"]  # the atomic-energy law reads like no curated mandate


def test_blind_seeds_are_not_in_the_labelled_pairs():
    import csv

    with open(ROOT / "tests" / "data" / "match_pairs" / "pairs.csv", encoding="utf-8") as f:
        plans = {r["plan"] for r in csv.DictReader(f)}
    assert not [p for p in plans if p.startswith(("000", "004"))]
    import yaml

    for name in ("labelled_pairs.yaml", "heldout_pairs.yaml"):
        d = yaml.safe_load((ROOT / "tests" / "data" / name).read_text(encoding="utf-8"))
        assert not [x for x in d["pairs"] if x.get("plan") in ("seed 000", "seed 004")], name


# matching time against the annex is measured by bench/calibrate_match.py (a benchmark,
# not a timed test: the project's speed targets are measured in bench/)


# ------------------------------------------------------------ explain, both directions

def test_explain_task_and_mandate(annex, seed):
    from checker.apps.cmd_reference import explain_command

    r = CliRunner()
    refs = f"nq57,{annex.source_file}"
    res = r.invoke(explain_command, [str(seed("001")), "--task", "75", "--reference", refs])
    assert res.exit_code == 0, res.output
    assert "nq03a2.3" in res.output and "nq57.III.1.07" in res.output and "Bình dân học vụ số" in res.output
    res = r.invoke(explain_command, [str(seed("001")), "--task", "75", "--reference", refs, "--format", "json"])
    d = json.loads(res.output)
    assert d["task"]["line"] == 75 and {lk["mandate"] for lk in d["links"]} >= {"nq03a2.3"}
    res = r.invoke(explain_command, [str(seed("001")), "--mandate", "nq03a2.3", "--reference", annex.source_file,
                                     "--format", "json"])
    d = json.loads(res.output)
    assert res.exit_code == 0 and any(lk["line"] == 75 for lk in d["links"])
    res = r.invoke(explain_command, [str(seed("001")), "--task", "T999", "--lang", "en"])
    assert res.exit_code == 2 and "No task" in res.output
    res = r.invoke(explain_command, [str(seed("001"))])
    assert res.exit_code == 2
