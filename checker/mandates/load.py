"""Reference mandate sets: loading the reviewed YAML sets.

``load_set("nq57")`` reads ``reference/nq57.yaml`` through
:mod:`checker.resources` (cached per process) and checks it against
``reference/mandate-set.schema.json``; a path to a ``.yaml`` file is accepted
too, so a province can check its communes against a set it imported itself
(:mod:`checker.mandates.importer`).  Also the lexicon the sets share
(abbreviations, stopwords) and the NQ 57 group of a section title.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from checker.errors import PlanError
from checker.model import Mandate
from checker.normalize import norm, squash
from checker.resources import cached, list_files, load_yaml, read_text


LEVELS = ("commune", "province", "ministry", "central")
NOT_SETS = {"abbreviations.yaml", "documents.yaml", "stopwords.yaml"}


@dataclass
class RefMandate(Mandate):
    """A mandate with the matching data and provenance the YAML carries."""

    synonyms: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    confidence: str = "verified"
    lead: str | None = None
    partners: list[str] = field(default_factory=list)
    product: str | None = None
    deadline: str | None = None
    note: str | None = None

    @property
    def anchors(self) -> list[str]:
        """Phrases whose presence is strong evidence (keywords + synonyms)."""
        return list(self.keywords) + list(self.synonyms)


@dataclass
class MandateSet:
    id: str
    title: str
    documents: list[str]
    status: dict[str, Any]
    groups: list[dict[str, Any]]
    mandates: list[RefMandate]
    targets: list[dict[str, Any]] = field(default_factory=list)
    topic_terms: list[str] = field(default_factory=list)
    inherits: dict[str, Any] | None = None
    source_file: str | None = None

    def group(self, gid: str) -> dict[str, Any] | None:
        for g in self.groups:
            if g["id"] == gid:
                return g
        return None

    def group_title(self, gid: str) -> str:
        g = self.group(gid)
        return g["title"] if g else gid

    def mandate(self, mid: str) -> RefMandate | None:
        for m in self.mandates:
            if m.id == mid:
                return m
        return None

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "documents": self.documents,
                "groups": len(self.groups), "mandates": len(self.mandates),
                "targets": len(self.targets) + sum(len(m.targets) for m in self.mandates),
                "confidence": self.status.get("confidence", "verified")}


def available_sets() -> list[str]:
    """Ids of the reference sets installed with the package."""
    out = []
    for name in list_files("reference", ".yaml"):
        if name in NOT_SETS:
            continue
        text = read_text("reference", name)
        if re.search(r"^mandates:", text, re.M):
            out.append(name[:-5])
    return out


def _bad(code: str, vi: str, en: str) -> PlanError:
    return PlanError(code, vi, en)


def _read_set_yaml(set_id: str) -> tuple[dict[str, Any], str]:
    p = Path(set_id)
    if set_id.endswith((".yaml", ".yml")):
        if not p.is_file():
            raise _bad("reference-not-found", f"Không tìm thấy tệp bộ nhiệm vụ tham chiếu: {set_id}",
                       f"Reference set file not found: {set_id}")
        text, origin = p.read_text(encoding="utf-8"), str(p)
    else:
        if set_id not in available_sets():
            have = ", ".join(available_sets())
            raise _bad("reference-unknown",
                       f"Không có bộ nhiệm vụ tham chiếu '{set_id}'. Các bộ hiện có: {have}",
                       f"Unknown reference set '{set_id}'. Available: {have}")
        text, origin = read_text("reference", f"{set_id}.yaml"), f"reference/{set_id}.yaml"
    # parsed and checked once per content (on-disk cache, checker.resources.cached)
    return cached("mandate-set", lambda: [yaml.__version__, origin, text,
                                          read_text("reference", "mandate-set.schema.json")],
                  lambda: _parse_set(text, origin), requires=("jsonschema",))


def _parse_set(text: str, origin: str) -> tuple[dict[str, Any], str]:
    try:
        data = load_yaml(text)
    except yaml.YAMLError as e:
        raise _bad("reference-yaml", f"Tệp bộ tham chiếu không đọc được (YAML lỗi): {origin}: {e}",
                   f"Reference set is not valid YAML: {origin}: {e}") from None
    if not isinstance(data, dict) or "mandates" not in data or "id" not in data:
        raise _bad("reference-shape", f"Tệp {origin} không phải bộ nhiệm vụ tham chiếu (thiếu id/mandates)",
                   f"{origin} is not a reference set (no id/mandates)")
    _validate(data, origin, text)
    return data, origin


# (origin, digest of the text) of every set found valid in this process
_VALID: set[tuple[str, str]] = set()


def _validate(data: dict[str, Any], origin: str, text: str) -> None:
    """Check a set against reference/mandate-set.schema.json - always, and once
    per set (and content) per process.  A set that does not match is a
    PlanError naming the set and the JSON path of the first mismatch."""
    key = (origin, hashlib.sha256(text.encode("utf-8")).hexdigest())
    if key in _VALID:
        return
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.path))
    if errors:
        e = errors[0]
        where = e.json_path
        sid = data.get("id")
        raise _bad("reference-schema",
                   f"Bộ tham chiếu '{sid}' ({origin}) sai cấu trúc so với reference/mandate-set.schema.json "
                   f"tại {where}: {e.message}",
                   f"Reference set '{sid}' ({origin}) does not match reference/mandate-set.schema.json "
                   f"at {where}: {e.message}")
    _VALID.add(key)


@lru_cache(maxsize=1)
def _validator():
    """The schema's validator (jsonschema, a dependency, imported on first use)."""
    try:
        import jsonschema
    except ImportError:
        raise _bad("jsonschema-missing",
                   "Thiếu gói jsonschema để kiểm tra bộ tham chiếu; cài đặt: pip install 'jsonschema>=4.20'",
                   "The jsonschema package, needed to check reference sets, is missing; "
                   "install it: pip install 'jsonschema>=4.20'") from None
    return jsonschema.Draft202012Validator(schema_json())


@lru_cache(maxsize=1)
def schema_json() -> dict[str, Any]:
    import json

    return json.loads(read_text("reference", "mandate-set.schema.json"))


def _mandate(d: dict[str, Any], set_id: str) -> RefMandate:
    return RefMandate(
        id=d["id"], reference=set_id, group=str(d["group"]), title=d["title"],
        title_en=d.get("title_en") or "",
        description=d.get("description", ""), keywords=list(d.get("keywords") or []),
        level=list(d.get("level") or LEVELS), targets=list(d.get("targets") or []),
        source=dict(d.get("source") or {}), required=bool(d.get("required", True)),
        synonyms=list(d.get("synonyms") or []), context=list(d.get("context") or []),
        confidence=d.get("confidence", "verified"), lead=d.get("lead"),
        partners=list(d.get("partners") or []), product=d.get("product"),
        deadline=d.get("deadline"), note=d.get("note"),
    )


@lru_cache(maxsize=32)
def load_set(set_id: str) -> MandateSet:
    """The reference set ``set_id`` (installed id such as "nq57", or a path
    to a set YAML).  Raises PlanError for unknown or malformed sets."""
    data, origin = _read_set_yaml(set_id)
    sid = data["id"]
    ms = MandateSet(
        id=sid, title=data["title"], documents=list(data.get("documents") or []),
        status=dict(data.get("status") or {}), groups=list(data.get("groups") or []),
        mandates=[_mandate(m, sid) for m in data.get("mandates") or []],
        targets=list(data.get("targets") or []), topic_terms=list(data.get("topic_terms") or []),
        inherits=data.get("inherits"), source_file=origin,
    )
    if ms.inherits:
        _inherit(ms)
    ids = [m.id for m in ms.mandates]
    dup = [k for k, n in Counter(ids).items() if n > 1]
    if dup:
        raise _bad("reference-duplicate", f"Bộ {sid}: trùng id nhiệm vụ {dup[:3]}",
                   f"Set {sid}: duplicate mandate ids {dup[:3]}")
    return ms


def _inherit(ms: MandateSet) -> None:
    """Copy the mandates of the parent set (NQ 71 carries NQ 03's locality
    tasks over); copies take the child's id prefix and the stated confidence."""
    inh = ms.inherits or {}
    parent = load_set(inh["set"])
    conf = inh.get("confidence", "belief")
    own = {m.id for m in ms.mandates}
    carried: list[RefMandate] = []
    for m in parent.mandates:
        nid = ms.id + m.id[len(parent.id):] if m.id.startswith(parent.id + ".") else f"{ms.id}.{m.id}"
        if nid in own:
            continue
        src = dict(m.source)
        src["via"] = ms.documents[0] if ms.documents else ms.id
        src.setdefault("note", f"kế thừa từ {m.id}")
        carried.append(RefMandate(
            id=nid, reference=ms.id, group=m.group, title=m.title, title_en=m.title_en, description=m.description,
            keywords=list(m.keywords), level=list(m.level), targets=[dict(t) for t in m.targets],
            source=src, required=m.required, synonyms=list(m.synonyms), context=list(m.context),
            confidence=_weaker(m.confidence, conf), lead=m.lead, partners=list(m.partners),
            product=m.product, deadline=m.deadline, note=f"kế thừa từ {m.id} ({conf})"))
    ms.mandates = carried + ms.mandates
    for t in parent.targets:
        t2 = dict(t)
        if t2.get("id", "").startswith(parent.id + "."):
            t2["id"] = ms.id + t2["id"][len(parent.id):]
        if t2.get("mandate", "").startswith(parent.id + "."):
            t2["mandate"] = ms.id + t2["mandate"][len(parent.id):]
        t2["confidence"] = _weaker(t2.get("confidence", "verified"), conf)
        ms.targets.append(t2)
    if not ms.topic_terms:
        ms.topic_terms = list(parent.topic_terms)


def _weaker(a: str, b: str) -> str:
    order = ["verified", "seed", "belief"]
    return max(a, b, key=lambda c: order.index(c) if c in order else 2)


@lru_cache(maxsize=1)
def abbreviations() -> dict[str, str]:
    """Abbreviation → expansion (reference/abbreviations.yaml)."""
    data = load_yaml(read_text("reference", "abbreviations.yaml")) or {}
    return {str(k): str(v) for k, v in (data.get("abbreviations") or {}).items()}


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Folded words never used as automatic keywords (reference/stopwords.yaml)."""
    data = load_yaml(read_text("reference", "stopwords.yaml")) or {}
    return frozenset(squash(w) for w in data.get("stopwords") or [])


def nq57_group_of(title: str | None) -> str | None:
    """The NQ 57 group (III.1 … III.7, IV) a section title is about, or None."""
    if not title:
        return None
    from rapidfuzz import fuzz

    ref = load_set("nq57")
    t = squash(norm(title))
    if not t:
        return None
    best, best_s = None, 0.0
    padded = f" {t} "
    for g in ref.groups:
        # a group keyword of 2+ words found as a phrase in the title
        for k in g.get("keywords") or []:
            kk = squash(k)
            if len(kk.split()) >= 2 and f" {kk} " in padded and 80 + len(kk) / 100 > best_s:
                best, best_s = g["id"], 80 + len(kk) / 100
        # or the title resembles the group's title or official heading
        for c in [g["title"]] + _OFFICIAL_HEADINGS.get(g["id"], []):
            cw = set(squash(c).split())
            shared = len(cw & set(t.split()))
            # token_set_ratio is 100 for any subset: only trust it on real overlap
            sc = fuzz.token_set_ratio(t, squash(c)) if shared >= 0.5 * len(cw) else \
                fuzz.token_sort_ratio(t, squash(c))
            if sc > best_s:
                best, best_s = g["id"], sc
    return best if best_s >= 75 else None


# NQ 57 section III/IV headings as short folded cues (facts: official headings)
_OFFICIAL_HEADINGS: dict[str, list[str]] = {
    "III.1": ["nâng cao nhận thức đột phá về đổi mới tư duy xác định quyết tâm chính trị"],
    "III.2": ["khẩn trương quyết liệt hoàn thiện thể chế xóa bỏ mọi tư tưởng quan niệm rào cản"],
    "III.3": ["tăng cường đầu tư hoàn thiện hạ tầng cho khoa học công nghệ"],
    "III.4": ["phát triển trọng dụng nhân lực chất lượng cao nhân tài"],
    "III.5": ["chuyển đổi số ứng dụng khoa học công nghệ đổi mới sáng tạo trong hoạt động của các cơ quan trong hệ thống chính trị"],
    "III.6": ["thúc đẩy mạnh mẽ hoạt động khoa học công nghệ đổi mới sáng tạo và chuyển đổi số trong doanh nghiệp"],
    "III.7": ["tăng cường hợp tác quốc tế trong phát triển khoa học công nghệ"],
    "IV": ["tổ chức thực hiện"],
}
