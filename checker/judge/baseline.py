"""Finding fingerprints and baseline files.

A fingerprint identifies a finding by its content, not its line: the rule,
the section it sits in, the matched words and the normalised sentence
around them.  Inserting or deleting lines above a finding keeps its
fingerprint, so a baseline of accepted findings makes CI fail only on new
ones.  Two identical findings in one section get an ordinal (#2, #3 …).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any, Iterable

from checker.errors import PlanError
from checker.model import Finding, Plan
from checker.normalize import norm, squash

BASELINE_VERSION = 1


def _section_id(plan: Plan | None, unit: int | None) -> str:
    if plan is None or unit is None:
        return ""
    best = ""
    for s in sorted(plan.sections, key=lambda s: s.unit):
        if s.unit <= unit:
            best = s.id
        else:
            break
    return best


def content_key(f: Finding, plan: Plan | None) -> str:
    """The text a finding's fingerprint is made from."""
    sentence = ""
    match = ""
    if plan is not None and f.unit is not None and 0 <= f.unit < len(plan.units):
        u = plan.units[f.unit]
        sentence = squash(u.norm or norm(u.text))
        if f.start is not None and f.end is not None:
            match = squash(norm(u.text[f.start:f.end]))
    elif f.excerpt:
        sentence = squash(norm(f.excerpt))
    extra = str(f.data.get("key", "")) if f.data else ""
    return "\x1f".join([f.rule, _section_id(plan, f.unit), match, sentence, extra])


def fingerprint_of(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def assign_fingerprints(findings: Iterable[Finding], plan: Plan | None) -> None:
    counts: dict[str, int] = {}
    for f in findings:
        base = fingerprint_of(content_key(f, plan))
        n = counts.get(base, 0) + 1
        counts[base] = n
        f.fingerprint = base if n == 1 else f"{base}#{n}"


def write_baseline(entries: list[dict[str, Any]], path: str | Path | None,
                   tool_version: str = "") -> str:
    """Baseline JSON for ``entries`` ({source, findings}); written to
    ``path`` when given, returned as text in any case."""
    doc = {
        "version": BASELINE_VERSION,
        "tool": {"name": "plancheck", "version": tool_version},
        "created": dt.date.today().isoformat(),
        "findings": [
            {"fingerprint": f.fingerprint, "rule": f.rule, "source": e["source"],
             "line": f.line, "excerpt": f.excerpt}
            for e in entries for f in e["findings"] if f.fingerprint
        ],
    }
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if path:
        Path(path).write_text(text, encoding="utf-8")
    return text


def load_baseline(path: str | Path) -> set[str]:
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
        return {str(x["fingerprint"]) for x in doc.get("findings", [])}
    except FileNotFoundError:
        raise PlanError("baseline", f"Không tìm thấy tệp baseline {p}", f"Baseline file {p} not found")
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise PlanError("baseline", f"Tệp baseline {p} không hợp lệ: {e}",
                        f"Baseline file {p} is not valid: {e}")
    except OSError as e:  # a folder, no permission…
        raise PlanError("baseline", f"Không đọc được tệp baseline {p}: {e.strerror or e}",
                        f"Cannot read the baseline file {p}: {e.strerror or e}")


def apply_baseline(findings: Iterable[Finding], fingerprints: set[str]) -> int:
    """Mark findings recorded in the baseline (``waived = "baseline"``)."""
    n = 0
    for f in findings:
        if f.fingerprint in fingerprints and not f.waived:
            f.waived = "baseline"
            f.data["baseline"] = True
            n += 1
    return n


def filter_new(findings: Iterable[Finding], fingerprints: set[str]) -> list[Finding]:
    """The findings that are not in the baseline (what CI should fail on)."""
    return [f for f in findings if f.fingerprint not in fingerprints]
