"""The crosswalk between reference sets (``reference/crosswalk.yaml``): one
duty, the ids it has in NQ 57, NQ 03, NQ 71 and imported provincial sets.

Loaded once, validated against ``reference/crosswalk.schema.json``; a file
that does not match, or a mandate id listed under two entries, is a
``PlanError`` (exit 2), never a silent merge.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache

import yaml

from checker import resources
from checker.errors import PlanError


@dataclass(frozen=True)
class Duty:
    id: str
    title_vi: str
    title_en: str
    members: tuple[str, ...] = field(default_factory=tuple)
    asks_vi: str = ""  # what the duty asks, when its first member says only part of it


def _bad(vi: str, en: str) -> PlanError:
    return PlanError("crosswalk", "Tệp reference/crosswalk.yaml không hợp lệ: " + vi,
                     "reference/crosswalk.yaml is not valid: " + en)


def parse(text: str) -> dict[str, Duty]:
    """mandate id → its duty, from the crosswalk's YAML text."""
    from jsonschema import Draft202012Validator

    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as e:
        raise _bad(f"YAML lỗi: {e}", f"YAML error: {e}") from None
    schema = json.loads(resources.read_text("reference", "crosswalk.schema.json"))
    errs = sorted(Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    if errs:
        e = errs[0]
        where = "/".join(str(x) for x in e.path) or "(gốc)"
        raise _bad(f"{where}: {e.message}", f"{where}: {e.message}")
    out: dict[str, Duty] = {}
    ids: set[str] = set()
    for ent in data["entries"]:
        if ent["id"] in ids:
            raise _bad(f"mục {ent['id']} lặp lại", f"entry {ent['id']} repeated")
        ids.add(ent["id"])
        duty = Duty(ent["id"], ent["title_vi"], ent["title_en"], tuple(ent["members"]), ent.get("asks_vi", ""))
        for mid in duty.members:
            if mid in out:
                raise _bad(f"{mid} nằm trong cả {out[mid].id} và {duty.id}",
                           f"{mid} is under both {out[mid].id} and {duty.id}")
            out[mid] = duty
    return out


@lru_cache(maxsize=1)
def crosswalk() -> dict[str, Duty]:
    text = resources.read_text("reference", "crosswalk.yaml")
    # parsed and checked once per content (on-disk cache, checker.resources.cached)
    return resources.cached(
        "crosswalk", lambda: [yaml.__version__, text, resources.read_text("reference", "crosswalk.schema.json")],
        lambda: parse(text), requires=("jsonschema",))


def duty_of(mandate_id: str) -> Duty | None:
    return crosswalk().get(mandate_id)
