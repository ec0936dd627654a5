"""Reference mandate sets: loading the reviewed YAML sets and importing any
mandate document (an official annex, a provincial plan) as a new set.

``load_set("nq57")`` reads ``reference/nq57.yaml`` through
:mod:`checker.resources` (cached per process); a path to a ``.yaml`` file is
accepted too, so a province can check its communes against a set it
imported itself.  ``import_document(path, set_id)`` runs the same extraction
as for plans (:func:`checker.pipeline.extract`) and turns its tasks into
mandates and its indicators into targets.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import yaml

from checker.errors import PlanError
from checker.model import Mandate
from checker.normalize import fold, norm, squash
from checker.resources import list_files, read_text

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


# ------------------------------------------------------------ loading

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
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise _bad("reference-yaml", f"Tệp bộ tham chiếu không đọc được (YAML lỗi): {origin}: {e}",
                   f"Reference set is not valid YAML: {origin}: {e}") from None
    if not isinstance(data, dict) or "mandates" not in data or "id" not in data:
        raise _bad("reference-shape", f"Tệp {origin} không phải bộ nhiệm vụ tham chiếu (thiếu id/mandates)",
                   f"{origin} is not a reference set (no id/mandates)")
    _validate(data, origin)
    return data, origin


def _validate(data: dict[str, Any], origin: str) -> None:
    """Check a set against the JSON Schema when jsonschema is installed."""
    try:
        import jsonschema
    except ImportError:  # pragma: no cover - optional at run time
        return
    schema = schema_json()
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        e = errors[0]
        where = "/".join(str(x) for x in e.path)
        raise _bad("reference-schema", f"Bộ tham chiếu {origin} sai cấu trúc tại '{where}': {e.message}",
                   f"Reference set {origin} does not match the schema at '{where}': {e.message}")


@lru_cache(maxsize=1)
def schema_json() -> dict[str, Any]:
    import json

    return json.loads(read_text("reference", "mandate-set.schema.json"))


def _mandate(d: dict[str, Any], set_id: str) -> RefMandate:
    return RefMandate(
        id=d["id"], reference=set_id, group=str(d["group"]), title=d["title"],
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
            id=nid, reference=ms.id, group=m.group, title=m.title, description=m.description,
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
    data = yaml.safe_load(read_text("reference", "abbreviations.yaml")) or {}
    return {str(k): str(v) for k, v in (data.get("abbreviations") or {}).items()}


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Folded words never used as automatic keywords (reference/stopwords.yaml)."""
    data = yaml.safe_load(read_text("reference", "stopwords.yaml")) or {}
    return frozenset(squash(w) for w in data.get("stopwords") or [])


# ------------------------------------------------------------ import

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

_LEVEL_CUES = [
    ("commune", r"\b(xa|phuong|dac khu|thon|ap)\b"),
    ("province", r"\b(dia phuong|tinh|thanh pho truc thuoc|so|ubnd)\b"),
    ("ministry", r"\b(bo|nganh|co quan ngang bo|vtv|vov|ttxvn|ngan hang nha nuoc|van phong chinh phu)\b"),
    ("central", r"\b(chinh phu|thu tuong|quoc hoi|trung uong|bo chinh tri)\b"),
]


def _levels_for(lead: str | None, partners: list[str]) -> list[str]:
    f = fold(" ".join([lead or ""])).strip()
    if not f:
        return list(LEVELS)
    levels = [lv for lv, pat in _LEVEL_CUES if re.search(pat, f)]
    if "province" in levels and "dia phuong" in f:
        levels.append("commune")  # "các địa phương": provinces, and their communes
    return [lv for lv in LEVELS if lv in levels] or list(LEVELS)


def auto_keywords(text: str, doc_freq: Counter | None = None, n_docs: int = 1,
                  limit: int = 8) -> tuple[list[str], list[str], list[str]]:
    """(keywords, synonyms, context) for a mandate made from ``text``.

    Compounds come from underthesea; stopwords (data) go.  Keywords are the
    rarer compounds in the document, synonyms the longer runs of content
    words, context the rest."""
    from checker.extract.nlp import tokens

    stop = stopwords()
    words = [w for w in tokens(text) if re.search(r"\w", w)]
    content: list[str | None] = []
    for w in words:
        k = squash(w)
        content.append(None if (not k or k in stop or k.isdigit() or len(k) < 2) else w)
    func = {"và", "của", "các", "những", "với", "cho", "về", "trong", "theo", "là"}
    compounds = [w for w in content if w and " " in w.strip()
                 and w.split()[0].lower() not in func and w.split()[-1].lower() not in func]
    uniq: list[str] = []
    for w in compounds:
        if squash(w) not in [squash(u) for u in uniq]:
            uniq.append(w.lower() if not w.isupper() else w)

    def rarity(w: str) -> float:
        df = (doc_freq or Counter()).get(squash(w), 0)
        return (df / max(n_docs, 1)) - 0.01 * len(w.split())

    ranked = sorted(uniq, key=rarity)
    keywords = ranked[: max(2, limit // 2)]
    # runs of 2–3 consecutive content words of 3+ syllables
    runs: list[str] = []
    cur: list[str] = []
    for w in content + [None]:
        if w:
            cur.append(w)
            continue
        for i in range(len(cur)):
            for j in (3, 2):
                seg = cur[i:i + j]
                if len(seg) == j and sum(len(x.split()) for x in seg) >= 3:
                    p = " ".join(seg).lower()
                    if squash(p) not in [squash(r) for r in runs]:
                        runs.append(p)
                    break
        cur = []
    synonyms = [r for r in runs if not any(squash(k) == squash(r) for k in keywords)][:4]
    context = [w for w in ranked[len(keywords):]][:6]
    if not keywords:
        # every compound was generic: the opening words stand for the task
        words_only = [w for w in words if re.search(r"\w", w)]
        head = " ".join(words_only[:8]).lower()
        keywords = synonyms[:2] or ([head] if head else [])
        synonyms = synonyms[2:]
    return keywords, synonyms, context


def _short_title(text: str, limit: int = 90) -> str:
    t = re.sub(r"\s+", " ", text).strip()
    if len(t) <= limit:
        return t
    cut = t[:limit]
    cut = cut[: cut.rfind(" ")] if " " in cut else cut
    return cut.rstrip(",;:") + " …"


_BODY = re.compile(r"^(bộ|văn phòng|ngân hàng|cơ quan|sở|phòng|ubnd|ủy ban|trung tâm|công an|ban|"
                   r"các bộ|chính phủ|tổng cục|cục)\b", re.I)


def _unit_and_owner(plan, ind) -> tuple[str | None, str | None]:
    """(unit of measure, owner) of an indicator; when the extractor put the
    unit column into ``owner`` (a bare "Đơn vị" header), take the owner from
    the row's last body-like cell instead."""
    measure, owner = ind.measure, ind.owner
    if measure is None and owner and not _BODY.match(norm(owner).strip()):
        measure, owner = owner, None
        u = plan.units[ind.unit] if 0 <= ind.unit < len(plan.units) else None
        if u is not None and u.cells:
            for c in reversed(u.cells):
                if _BODY.match(norm(c).strip()):
                    owner = norm(c).strip()
                    break
    return measure, owner


def _target_from_indicator(ind, set_id: str, n: int, group_of, plan=None) -> dict[str, Any]:
    measure, owner = _unit_and_owner(plan, ind) if plan is not None else (ind.measure, ind.owner)
    comp = ind.comparator if ind.comparator in (">=", ">", "<=", "<", "=") else None
    value = ind.value
    if value is None:
        comp = "qualitative"
        value = ind.target
    year = ind.year
    if year is None and ind.group:
        m = re.search(r"(20\d\d)", ind.group)
        year = int(m.group(1)) if m else None
    num = (ind.number or str(n)).strip().rstrip(".")
    tid = f"{set_id}.t{re.sub(r'[^A-Za-z0-9_-]+', '_', num)}"
    t = {"id": tid, "text": _short_title(norm(ind.text), 200), "unit": measure or "",
         "value": value, "comparator": comp or "=", "year": year,
         "owner": owner, "confidence": "verified",
         "source": {"document": set_id, "section": f"dòng {ind.loc.line}"}}
    g = group_of(ind.group)
    if g:
        t["group"] = g
    return t


def import_document(path: str | Path, set_id: str, title: str | None = None, *,
                    extract: Callable[[str | Path], Any]) -> dict[str, Any]:
    """Turn a mandate document into a reference set (a dict that validates
    against reference/mandate-set.schema.json; dump it with :func:`dump_set`).

    Tasks become mandates (lead, partners, product, deadline kept; keywords
    extracted automatically), indicators become targets, and each task's
    section title is mapped onto the NQ 57 groups.

    ``extract`` reads the document into a Plan (the pipeline's extractor,
    :func:`checker.pipeline.import_reference` passes it): this stage sits
    below the pipeline and never calls it."""

    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", set_id or ""):
        raise _bad("reference-id", f"Mã bộ tham chiếu không hợp lệ: '{set_id}' (chỉ dùng chữ thường, số, '-', '_')",
                   f"Invalid set id '{set_id}' (lowercase letters, digits, '-', '_')")
    plan = extract(path)
    if not plan.tasks and not plan.indicators:
        raise _bad("reference-empty",
                   f"Không tìm thấy nhiệm vụ hay chỉ tiêu nào trong {Path(path).name} để tạo bộ tham chiếu",
                   f"No tasks or indicators found in {Path(path).name} to build a reference set")

    cache: dict[str | None, str | None] = {}

    def group_of(section_title: str | None) -> str | None:
        if section_title not in cache:
            cache[section_title] = nq57_group_of(section_title)
        return cache[section_title]

    # document frequency of compounds, for keyword rarity
    from checker.extract.nlp import tokens

    texts = [norm(t.text) for t in plan.tasks]
    df: Counter = Counter()
    for tx in texts:
        df.update({squash(w) for w in tokens(tx) if " " in w})

    groups: dict[str, dict[str, Any]] = {}
    mandates: list[dict[str, Any]] = []
    used: set[str] = set()
    for n, t in enumerate(plan.tasks, start=1):
        sec_title = t.section_title or (plan.section(t.section).title if plan.section(t.section) else None)
        g = group_of(sec_title) or group_of(t.text[:160]) or "other"
        if g not in groups:
            groups[g] = {"id": g, "title": (load_set("nq57").group_title(g) if g != "other"
                                            else "Nhiệm vụ khác"), "nq57_group": g if g != "other" else None}
        kw, syn, ctx = auto_keywords(t.text, df, len(texts))
        num = _task_number(plan, t) or f"{n:03d}"
        mid = f"{set_id}.{num}"
        while mid in used:
            mid += "b"
        used.add(mid)
        lead = t.lead
        m: dict[str, Any] = {
            "id": mid, "group": g, "title": _short_title(norm(t.text)),
            "description": norm(t.text).strip(), "keywords": kw, "synonyms": syn, "context": ctx,
            "level": _levels_for(lead, t.partners), "required": True, "confidence": "verified",
            "lead": lead, "partners": list(t.partners), "product": t.product, "deadline": t.deadline,
            "source": {"document": set_id, "section": f"{sec_title or ''} (dòng {t.loc.line})".strip()},
        }
        mandates.append({k: v for k, v in m.items() if v is not None})
    targets = []
    last_year = None
    for i, ind in enumerate(plan.indicators, start=1):
        tg = _target_from_indicator(ind, set_id, i, group_of, plan)
        if tg["year"] is None and last_year is not None:
            tg["year"] = last_year  # rows under an "Đến năm 2030" heading
        last_year = tg["year"] if tg["year"] is not None else last_year
        targets.append(tg)
    seen: set[str] = set()
    for tg in targets:
        while tg["id"] in seen:
            tg["id"] += "b"
        seen.add(tg["id"])
    for tg in targets:
        g = tg.get("group")
        if g and g not in groups:
            groups[g] = {"id": g, "title": load_set("nq57").group_title(g), "nq57_group": g}
    if not groups:
        groups["other"] = {"id": "other", "title": "Chỉ tiêu", "nq57_group": None}
    h = plan.header
    doc_title = title or h.title or Path(path).stem
    out = {
        "id": set_id,
        "title": doc_title,
        "version": 1,
        "documents": [set_id],
        "status": {
            "confidence": "verified",
            "generated": f"nhập tự động từ {Path(path).name} ngày {dt.date.today().isoformat()}",
            "known": [f"{len(mandates)} nhiệm vụ và {len(targets)} chỉ tiêu đọc từ {Path(path).name}."],
            "unknown": ["Từ khóa được trích tự động; nên rà soát trước khi dùng để kết luận thiếu nhiệm vụ.",
                        "Cấp áp dụng (level) suy ra từ đơn vị chủ trì; nhiệm vụ không rõ chủ trì áp dụng cho mọi cấp."],
        },
        # the domain is the NQ 57 one: tasks off that topic weigh less
        "topic_terms": list(load_set("nq57").topic_terms),
        "groups": sorted(groups.values(), key=lambda g: _group_order(g["id"])),
        "mandates": mandates,
        "targets": targets,
    }
    return out


def _group_order(gid: str) -> tuple:
    order = ["III.1", "III.2", "III.3", "III.4", "III.5", "III.6", "III.7", "IV"]
    return (order.index(gid) if gid in order else 99, gid)


def _task_number(plan, task) -> str | None:
    """The number the document gives a task (a table's STT cell, "1.", "a)")."""
    u = plan.units[task.unit] if 0 <= task.unit < len(plan.units) else None
    if u is not None and u.kind == "row" and u.cells:
        first = squash(u.cells[0]).replace(" ", ".")
        if re.fullmatch(r"\d{1,3}(\.\d{1,3})*", first):
            return first.replace(".", "_") if "." in first else f"{int(first):03d}"
    return None


def dump_set(data: dict[str, Any]) -> str:
    """YAML text of a set dict (Vietnamese kept readable)."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
