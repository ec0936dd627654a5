"""Rule packs: the rules of ``rules/*.yaml`` loaded and validated.

A rule is data: its code, category, severity, bilingual message and
suggestion, legal basis, validity dates, confidence and a ``check`` naming one
of the generic check kinds of :mod:`checker.judge.checks` with its parameters.
Adding a rule of an existing kind is a YAML edit (plus its fixture file in
``rules/fixtures/<CODE>.yaml``).

A pack is checked against ``rules/rule-pack.schema.json`` (JSON Schema 2020-12)
when it is loaded; what the schema cannot say (the check kind exists, dates are
real dates, codes are unique across packs) is checked here by hand.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from typing import Any

import yaml

from checker import resources
from checker.errors import PlanError

CATEGORIES = (
    "outdated-reference",
    "abolished-body",
    "inconsistency",
    "incomplete-task",
    "structure",
    "target",
    "missing-task",
)
SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}
CONFIDENCES = ("verified", "seed", "belief")
SCHEMA = "rule-pack.schema.json"  # in rules/


@dataclass
class Rule:
    code: str
    slug: str
    category: str
    severity: str  # effective default severity (a belief rule is never "error")
    message_vi: str
    message_en: str
    suggestion_vi: str
    suggestion_en: str
    basis: list[dict[str, Any]]
    confidence: str
    kind: str  # name of the check function in evaluate.py
    params: dict[str, Any] = field(default_factory=dict)
    title_vi: str = ""
    title_en: str = ""
    applies_from: dt.date | None = None
    applies_until: dt.date | None = None
    # "period": applies_from is compared with the first day of the plan's
    # period (a rule about a 2026 plan, whenever it was signed), else the as-of date
    applies_by: str = "date"
    examples: list[dict[str, Any]] = field(default_factory=list)
    pack: str = ""  # file the rule came from

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_vi

    def suggestion(self, lang: str) -> str:
        return self.suggestion_en if lang == "en" else self.suggestion_vi

    def title(self, lang: str) -> str:
        t = self.title_en if lang == "en" else self.title_vi
        return t or self.slug

    def basis_in(self, lang: str) -> list[dict[str, Any]]:
        """The basis entries with ``document`` and ``note`` in ``lang`` (the
        English ones where the pack gives them)."""
        if lang != "en":
            return list(self.basis)
        out = []
        for b in self.basis:
            d = dict(b, document=b.get("document_en") or b.get("document"))
            if b.get("note_en"):
                d["note"] = b["note_en"]
            out.append(d)
        return out

    def applies(self, as_of: dt.date | None) -> bool:
        """Is the rule in force for a plan read as of ``as_of``?"""
        if as_of is None:
            return True
        if self.applies_from and as_of < self.applies_from:
            return False
        if self.applies_until and as_of >= self.applies_until:
            return False
        return True

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        return {
            "code": self.code, "slug": self.slug, "title": self.title(lang),
            "category": self.category, "severity": self.severity,
            "confidence": self.confidence, "check": self.kind,
            "applies_from": self.applies_from.isoformat() if self.applies_from else None,
            "applies_until": self.applies_until.isoformat() if self.applies_until else None,
            "message": self.message(lang), "suggestion": self.suggestion(lang),
            "basis": self.basis, "pack": self.pack,
        }


def _bad(pack: str, code: str, vi: str, en: str, path: str = "") -> PlanError:
    at = f": {path}" if path else ""
    return PlanError("rule-pack", f"Gói luật {pack}, luật {code}{at}: {vi}",
                     f"Rule pack {pack}, rule {code}{at}: {en}")


def _date(value: Any, pack: str, code: str, path: str = "") -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _bad(pack, code, f"ngày không hợp lệ '{value}'", f"invalid date '{value}'", path)


def parse_rule(raw: dict[str, Any], pack: str = "", kinds: set[str] | None = None) -> Rule:
    """One rule of a pack, checked against the schema's rule definition."""
    _validate(raw, pack, "#/$defs/rule")
    return _build_rule(raw, pack, kinds)


def _build_rule(raw: dict[str, Any], pack: str, kinds: set[str] | None, path: str = "$") -> Rule:
    """A rule from its schema-valid mapping (at JSON ``path`` in its pack),
    with the checks the schema cannot make."""
    code = str(raw["code"])
    check = raw["check"]
    kind = check["kind"]
    if kinds is not None and kind not in kinds:
        raise _bad(pack, code, f"loại kiểm tra '{kind}' không có trong bộ máy",
                   f"check kind '{kind}' is not known to the engine", f"{path}.check.kind")
    basis = raw["basis"]
    if isinstance(basis, dict):
        basis = [basis]
    severity = raw["severity"]
    if raw["confidence"] == "belief" and severity == "error":
        # a rule resting on an unconfirmed fact only asks for a review
        severity = "warning"
    params = {k: v for k, v in check.items() if k != "kind"}
    return Rule(
        code=code, slug=str(raw["slug"]), category=raw["category"], severity=severity,
        message_vi=raw["message_vi"], message_en=raw["message_en"],
        suggestion_vi=raw["suggestion_vi"], suggestion_en=raw["suggestion_en"],
        basis=basis, confidence=raw["confidence"], kind=kind, params=params,
        title_vi=raw.get("title_vi", ""), title_en=raw.get("title_en", ""),
        applies_from=_date(raw.get("applies_from"), pack, code, f"{path}.applies_from"),
        applies_until=_date(raw.get("applies_until"), pack, code, f"{path}.applies_until"),
        applies_by=str(raw.get("applies_by") or "date"),
        examples=list(raw.get("examples") or []), pack=pack,
    )


# ------------------------------------------------------------------ schema

def _schema_text() -> str:
    try:
        return resources.read_text("rules", SCHEMA)
    except OSError as e:
        raise PlanError("rule-pack-schema", f"Không đọc được lược đồ gói luật rules/{SCHEMA}: {e}",
                        f"Cannot read the rule-pack schema rules/{SCHEMA}: {e}") from None


@functools.lru_cache(maxsize=None)
def _validator(ref: str = "#") -> Any:
    """The schema's validator for the whole pack (``#``) or one of its
    definitions (``#/$defs/rule``); jsonschema is imported on first use only."""
    try:
        from jsonschema import Draft202012Validator
    except ImportError:
        raise PlanError("jsonschema-missing",
                        "Thiếu gói jsonschema để kiểm tra gói luật; cài đặt: pip install 'jsonschema>=4.20'",
                        "The jsonschema package, needed to check rule packs, is missing; "
                        "install it: pip install 'jsonschema>=4.20'") from None
    try:
        schema = json.loads(_schema_text())
    except ValueError as e:
        raise PlanError("rule-pack-schema", f"Không đọc được lược đồ gói luật rules/{SCHEMA}: {e}",
                        f"Cannot read the rule-pack schema rules/{SCHEMA}: {e}") from None
    if ref != "#":
        schema = dict(schema, **{"$ref": ref})
        for k in ("required", "properties", "additionalProperties", "type"):
            schema.pop(k, None)
    return Draft202012Validator(schema)


def _jsonable(value: Any) -> Any:
    """YAML data as JSON data: dates and times become ISO strings."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


_VI = {
    "required": "thiếu trường bắt buộc",
    "type": "sai kiểu dữ liệu",
    "enum": "giá trị không được phép",
    "pattern": "không đúng dạng",
    "additionalProperties": "có trường không được phép",
    "minItems": "danh sách rỗng",
    "minLength": "chuỗi rỗng",
    "oneOf": "không khớp dạng nào được phép",
}


def _validate(data: Any, pack: str, ref: str = "#") -> None:
    """Raise :class:`PlanError` naming the pack and the JSON path of the
    first problem when ``data`` does not match the schema."""
    validator = _validator(ref)
    from jsonschema.exceptions import best_match

    inst = _jsonable(data)
    err = best_match(validator.iter_errors(inst))
    if err is None:
        return
    path = err.json_path
    where = ""
    if ref == "#" and len(err.absolute_path) >= 2 and err.absolute_path[0] == "rules":
        rule = inst["rules"][err.absolute_path[1]]
        if isinstance(rule, dict) and rule.get("code"):
            where = f", luật {rule['code']}"
    elif isinstance(inst, dict) and inst.get("code"):
        where = f", luật {inst['code']}"
    where_en = where.replace("luật", "rule")
    what = _VI.get(str(err.validator), "không hợp lệ")
    detail = err.message if len(err.message) <= 300 else err.message[:299] + "…"
    raise PlanError("rule-pack",
                    f"Gói luật {pack}{where}: {path}: {what} ({detail})",
                    f"Rule pack {pack}{where_en}: {path}: {detail}")


# ------------------------------------------------------------------- packs

_CACHE: dict[str, list[Rule]] = {}


def rule_packs() -> list[str]:
    return [n for n in resources.list_files("rules", ".yaml")]


def read_pack(name: str) -> str:
    """The YAML text of one pack of ``rules/``."""
    return resources.read_text("rules", name)


def parse_pack(text: str, name: str, kinds: set[str] | None = None) -> list[Rule]:
    """The rules of one pack's YAML text, checked against the schema."""
    # parsed and checked once per content (on-disk cache, checker.resources.cached)
    data = resources.cached("rule-pack", lambda: [yaml.__version__, name, text, _schema_text()],
                            lambda: _parse_checked(text, name), requires=("jsonschema",))
    return [_build_rule(raw, name, kinds, f"$.rules[{i}]") for i, raw in enumerate(data["rules"])]


def _parse_checked(text: str, name: str) -> dict[str, Any]:
    try:
        data = resources.load_yaml(text)
    except (yaml.YAMLError, ValueError) as e:  # ValueError: a YAML date that cannot exist
        raise PlanError("rule-pack", f"Gói luật {name} không đọc được: {e}",
                        f"Rule pack {name} is not valid YAML: {e}")
    _validate({} if data is None else data, name)
    return data


def load_rules(lang: str | None = None, packs: list[str] | None = None) -> list[Rule]:
    """All rules of the installed rule packs, sorted by code.

    ``lang`` is accepted for symmetry with the reports (rules carry both
    languages); ``packs`` limits loading to some files of ``rules/``.
    """
    import checker.judge.checks  # noqa: F401  (registers the check kinds)
    from checker.judge.registry import CHECKS

    key = ",".join(packs or ["*"])
    if key in _CACHE:
        return list(_CACHE[key])
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    kinds = set(CHECKS)
    for name in packs or rule_packs():
        for rule in parse_pack(read_pack(name), name, kinds):
            if rule.code in seen:
                raise _bad(name, rule.code, f"trùng mã với {seen[rule.code]}",
                           f"duplicate code, also in {seen[rule.code]}")
            seen[rule.code] = name
            rules.append(rule)
    rules.sort(key=lambda r: r.code)
    _CACHE[key] = rules
    return list(rules)


def get_rule(code: str) -> Rule:
    for r in load_rules():
        if r.code == code.upper():
            return r
    raise PlanError("unknown-rule", f"Không có luật {code}", f"No rule {code}")


def load_fixtures(code: str) -> dict[str, Any]:
    """The fixture file of one rule: ``{"pass": [...], "fail": [...]}``."""
    d = resources.data_dir("rules").joinpath("fixtures").joinpath(f"{code}.yaml")
    if not d.is_file():
        return {}
    return resources.load_yaml(d.read_text(encoding="utf-8")) or {}
