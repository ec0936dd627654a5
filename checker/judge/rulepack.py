"""Rule packs: the rules of ``rules/*.yaml`` loaded and validated.

A rule is data: its code, category, severity, bilingual message and
suggestion, legal basis, validity dates, confidence and a ``check`` naming one
of the generic check kinds of :mod:`checker.judge.checks` with its parameters.
Adding a rule of an existing kind is a YAML edit (plus its fixture file in
``rules/fixtures/<CODE>.yaml``).
"""
from __future__ import annotations

import datetime as dt
import re
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
_CODE = re.compile(r"^[A-Z]{3,4}\d{3}$")
_REQUIRED = ("code", "slug", "category", "severity", "message_vi", "message_en",
             "suggestion_vi", "suggestion_en", "basis", "confidence", "check")


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
    examples: list[dict[str, Any]] = field(default_factory=list)
    pack: str = ""  # file the rule came from

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_vi

    def suggestion(self, lang: str) -> str:
        return self.suggestion_en if lang == "en" else self.suggestion_vi

    def title(self, lang: str) -> str:
        t = self.title_en if lang == "en" else self.title_vi
        return t or self.slug

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


def _bad(pack: str, code: str, vi: str, en: str) -> PlanError:
    return PlanError("rule-pack", f"Gói luật {pack}, luật {code}: {vi}",
                     f"Rule pack {pack}, rule {code}: {en}")


def _date(value: Any, pack: str, code: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _bad(pack, code, f"ngày không hợp lệ '{value}'", f"invalid date '{value}'")


def parse_rule(raw: dict[str, Any], pack: str = "", kinds: set[str] | None = None) -> Rule:
    code = str(raw.get("code", "?"))
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise _bad(pack, code, f"thiếu trường {', '.join(missing)}", f"missing {', '.join(missing)}")
    if not _CODE.match(code):
        raise _bad(pack, code, "mã luật phải có dạng ABC123", "code must look like ABC123")
    if raw["category"] not in CATEGORIES:
        raise _bad(pack, code, f"nhóm '{raw['category']}' không hợp lệ", f"unknown category '{raw['category']}'")
    if raw["severity"] not in SEVERITIES:
        raise _bad(pack, code, f"mức '{raw['severity']}' không hợp lệ", f"unknown severity '{raw['severity']}'")
    if raw["confidence"] not in CONFIDENCES:
        raise _bad(pack, code, f"độ tin cậy '{raw['confidence']}' không hợp lệ",
                   f"unknown confidence '{raw['confidence']}'")
    check = raw["check"]
    if not isinstance(check, dict) or "kind" not in check:
        raise _bad(pack, code, "check phải có 'kind'", "check needs a 'kind'")
    kind = check["kind"]
    if kinds is not None and kind not in kinds:
        raise _bad(pack, code, f"loại kiểm tra '{kind}' không có trong bộ máy",
                   f"check kind '{kind}' is not known to the engine")
    basis = raw["basis"]
    if isinstance(basis, dict):
        basis = [basis]
    if not basis or not all(isinstance(b, dict) and b.get("document") for b in basis):
        raise _bad(pack, code, "căn cứ (basis) phải ghi văn bản", "basis must name a document")
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
        applies_from=_date(raw.get("applies_from"), pack, code),
        applies_until=_date(raw.get("applies_until"), pack, code),
        examples=list(raw.get("examples") or []), pack=pack,
    )


_CACHE: dict[str, list[Rule]] = {}


def rule_packs() -> list[str]:
    return [n for n in resources.list_files("rules", ".yaml")]


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
    for name in packs or rule_packs():
        text = resources.read_text("rules", name)
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as e:
            raise PlanError("rule-pack", f"Gói luật {name} không đọc được: {e}",
                            f"Rule pack {name} is not valid YAML: {e}")
        for raw in data.get("rules", []):
            rule = parse_rule(raw, name, set(CHECKS))
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
    return yaml.safe_load(d.read_text(encoding="utf-8")) or {}
