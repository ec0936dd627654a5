"""Project configuration: ``plancheck.toml`` or ``[tool.plancheck]``.

Looked for from the plan's folder upward; the first ``plancheck.toml``, or
the first ``pyproject.toml`` that has a ``[tool.plancheck]`` table, wins.

    references = ["nq57", "nq71"]
    as_of = "2026-01-01"
    fail_on = "warning"
    baseline = "plancheck-baseline.json"   # relative to the config file
    disable = ["TSK002"]                    # rule codes or categories
    [severity]
    STR001 = "info"
    [[waivers]]
    finding = "3f2a…"   # a fingerprint, or: mandate = "nq57.III.6.a", or: rule = "TSK001"
    reason = "Xã không có doanh nghiệp công nghệ"
    approver = "Chủ tịch UBND xã"
    expires = "2026-12-31"

Strict by default: an unknown key, an unknown rule code or category (in
``disable``, ``[severity]`` or a waiver's ``rule``) and a value of the wrong
type are a :class:`PlanError` (exit 2), with every problem in one message.
``strict=False`` (the CLI's ``--no-strict``) keeps the unknown names as
warnings in ``Config.warnings`` instead; wrong types stay errors.
"""
from __future__ import annotations

import datetime as dt
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.errors import PlanError
from checker.model import Finding

_SEVERITIES = ("error", "warning", "info")
KEYS = ("references", "as_of", "fail_on", "baseline", "disable", "disabled", "severity", "waivers", "level")
WAIVER_KEYS = ("finding", "mandate", "rule", "reason", "approver", "expires")
LEVELS = ("commune", "province", "ministry", "central")


@dataclass
class Waiver:
    reason: str
    approver: str = ""
    expires: dt.date | None = None
    finding: str | None = None  # fingerprint
    mandate: str | None = None  # mandate id
    rule: str | None = None  # a whole rule

    def active(self, today: dt.date) -> bool:
        return self.expires is None or today <= self.expires

    # read like a mapping too ({mandate, reason, approver, expires}), as the matcher does
    def get(self, key: str, default: Any = None) -> Any:
        value = getattr(self, key, None)
        if key == "expires" and value is not None:
            return value.isoformat()
        return default if value is None else value

    def __getitem__(self, key: str) -> Any:
        if not hasattr(self, key):
            raise KeyError(key)
        return self.get(key)

    def label(self) -> str:
        s = self.reason
        if self.approver:
            s += f" ({self.approver})"
        if self.expires:
            s += f" — {self.expires.isoformat()}"
        return s


@dataclass
class Config:
    path: Path | None = None
    references: list[str] | None = None
    as_of: dt.date | None = None
    fail_on: str | None = None
    disabled: set[str] = field(default_factory=set)
    severity: dict[str, str] = field(default_factory=dict)
    waivers: list[Waiver] = field(default_factory=list)
    baseline: Path | None = None
    expired: list[Waiver] = field(default_factory=list)
    level: str | None = None
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (vi, en), with --no-strict

    def mandate_waiver(self, mandate_id: str, today: dt.date | None = None) -> Waiver | None:
        today = today or dt.date.today()
        for w in self.waivers:
            if w.mandate == mandate_id and w.active(today):
                return w
        return None

    def apply(self, findings: list[Finding], as_of: dt.date | None = None,
              today: dt.date | None = None, lang: str = "vi") -> None:
        """Severity overrides, waivers (while not expired) and the baseline.

        Expiry is judged against today's date, not the plan's as-of date:
        a waiver is an approval that runs out in real time.
        """
        today = today or dt.date.today()
        for f in findings:
            sev = self.severity.get(f.rule) or self.severity.get(f.category)
            if sev:
                f.severity = sev
            for w in self.waivers:
                hit = (w.finding and (f.fingerprint == w.finding or
                                      (f.fingerprint or "").split("#")[0] == w.finding)) \
                    or (w.rule and f.rule == w.rule) \
                    or (w.mandate and f.data.get("mandate") == w.mandate)
                if not hit:
                    continue
                if w.active(today):
                    f.waived = w.label()
                    f.data["waiver"] = {"reason": w.reason, "approver": w.approver,
                                        "expires": w.expires.isoformat() if w.expires else None}
                else:
                    # an expired waiver no longer hides the finding, and the report says so
                    f.data["waiver_expired"] = w.expires.isoformat() if w.expires else ""
                    day = f"{w.expires:%d/%m/%Y}" if w.expires else ""
                    notes = {"vi": f" (Miễn trừ đã hết hạn ngày {day}: {w.reason})",
                             "en": f" (Waiver expired on {day}: {w.reason})"}
                    lg = "en" if lang == "en" else "vi"
                    texts = getattr(f, "texts", None)
                    if isinstance(texts, dict) and texts:
                        for k, (msg, sug) in list(texts.items()):
                            texts[k] = (msg + notes.get(k, notes["vi"]), sug)
                    f.message += notes[lg]
                    if w not in self.expired:
                        self.expired.append(w)
                break
        if self.baseline is not None:
            from checker.judge.baseline import apply_baseline, load_baseline

            apply_baseline(findings, load_baseline(self.baseline))


def _bad(path: Path, vi: str, en: str) -> PlanError:
    return PlanError("config", f"Tệp cấu hình {path}: {vi}", f"Config file {path}: {en}")


def _date(v: Any, path: Path, what: str) -> dt.date | None:
    if v in (None, ""):
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v))
    except ValueError:
        raise _bad(path, f"{what} '{v}' không phải ngày YYYY-MM-DD", f"{what} '{v}' is not a YYYY-MM-DD date")


def _type_error(path: Path, key: str, want_vi: str, want_en: str, value: Any) -> PlanError:
    return _bad(path, f"{key} phải là {want_vi} (đang là {value!r})",
                f"{key} must be {want_en} (got {value!r})")


def _str_list(data: dict[str, Any], key: str, path: Path) -> list[str] | None:
    v = data.get(key)
    if v is None:
        return None
    if isinstance(v, str):
        return [v]
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return list(v)
    raise _type_error(path, key, "một chuỗi hoặc danh sách chuỗi", "a string or a list of strings", v)


def _known_names() -> tuple[set[str], set[str]]:
    """Rule codes and categories of the installed rule packs."""
    from checker.judge.rulepack import load_rules

    rules = load_rules()
    return {r.code for r in rules}, {r.category for r in rules}


def parse_config(data: dict[str, Any], path: Path, strict: bool = True) -> Config:
    cfg = Config(path=path)
    unknown: list[tuple[str, str]] = []  # (vi, en)
    for k in data:
        if k not in KEYS:
            unknown.append((f"khóa không biết '{k}' (các khóa: {', '.join(KEYS)})",
                            f"unknown key '{k}' (known keys: {', '.join(KEYS)})"))
    cfg.references = _str_list(data, "references", path)
    as_of = data.get("as_of")
    if as_of is not None and not isinstance(as_of, (str, dt.date)):
        raise _type_error(path, "as_of", "một ngày YYYY-MM-DD", "a YYYY-MM-DD date", as_of)
    cfg.as_of = _date(as_of, path, "as_of")
    fo = data.get("fail_on")
    if fo is not None:
        if fo not in (*_SEVERITIES, "never"):
            raise _bad(path, f"fail_on '{fo}' không hợp lệ (error, warning, info, never)",
                       f"invalid fail_on '{fo}' (error, warning, info, never)")
        cfg.fail_on = fo
    lv = data.get("level")
    if lv is not None:
        if lv not in LEVELS:
            raise _bad(path, f"level '{lv}' không hợp lệ ({', '.join(LEVELS)})",
                       f"invalid level '{lv}' ({', '.join(LEVELS)})")
        cfg.level = lv
    key = "disable" if "disable" in data else "disabled"
    cfg.disabled = set(_str_list(data, key, path) or [])
    sev_table = data.get("severity") or {}
    if not isinstance(sev_table, dict):
        raise _type_error(path, "severity", "một bảng [severity] MÃ = \"mức\"",
                          "a [severity] table of CODE = \"level\"", sev_table)
    for code, sev in sev_table.items():
        if sev not in _SEVERITIES:
            raise _bad(path, f"mức '{sev}' của {code} không hợp lệ", f"invalid severity '{sev}' for {code}")
        cfg.severity[str(code)] = sev
    waivers = data.get("waivers") or []
    if not isinstance(waivers, list):
        raise _type_error(path, "waivers", "danh sách [[waivers]]", "a list of [[waivers]] tables", waivers)
    for i, w in enumerate(waivers):
        if not isinstance(w, dict):
            raise _bad(path, f"miễn trừ thứ {i + 1} không hợp lệ", f"waiver {i + 1} is not a table")
        for k in w:
            if k not in WAIVER_KEYS:
                unknown.append((f"miễn trừ thứ {i + 1}: khóa không biết '{k}' ({', '.join(WAIVER_KEYS)})",
                                f"waiver {i + 1}: unknown key '{k}' ({', '.join(WAIVER_KEYS)})"))
        for k in ("reason", "approver"):
            if w.get(k) is not None and not isinstance(w[k], str):
                raise _type_error(path, f"waivers[{i + 1}].{k}", "một chuỗi", "a string", w[k])
        targets = [k for k in ("finding", "mandate", "rule") if w.get(k)]
        if len(targets) != 1:
            raise _bad(path, f"miễn trừ thứ {i + 1} phải ghi đúng một trong finding/mandate/rule",
                       f"waiver {i + 1} needs exactly one of finding/mandate/rule")
        if not w.get("reason"):
            raise _bad(path, f"miễn trừ thứ {i + 1} phải có lý do (reason)",
                       f"waiver {i + 1} needs a reason")
        key = targets[0]
        # rule = ["TSK001", "TSK002"]: one waiver per item (a list is read, never ignored)
        values = w[key] if isinstance(w[key], list) else [w[key]]
        if not values or not all(isinstance(v, str) and v.strip() for v in values):
            raise _bad(path, f"miễn trừ thứ {i + 1}: {key} phải là chuỗi hoặc danh sách chuỗi",
                       f"waiver {i + 1}: {key} must be a string or a list of strings")
        for v in values:
            waiver = Waiver(reason=str(w["reason"]), approver=str(w.get("approver", "")),
                            expires=_date(w.get("expires"), path, "expires"), **{key: v.strip()})
            cfg.waivers.append(waiver)
    bl = data.get("baseline")
    if bl is not None and not isinstance(bl, str):
        raise _type_error(path, "baseline", "đường dẫn tệp (chuỗi)", "a file path (a string)", bl)
    if bl:
        cfg.baseline = (path.parent / bl).resolve()
    # rule codes and categories named in the config must exist
    codes, categories = _known_names()
    named = [(key, c) for c in sorted(cfg.disabled)] + [("severity", c) for c in cfg.severity] + \
            [(f"waivers[{i + 1}].rule", w.rule) for i, w in enumerate(cfg.waivers) if w.rule]
    for where, name in named:
        if name not in codes and (where.startswith("waivers") or name not in categories):
            unknown.append((f"{where}: không có luật hay nhóm '{name}' (xem: plancheck rules)",
                            f"{where}: no rule or category '{name}' (see: plancheck rules)"))
    if unknown:
        if strict:
            raise _bad(path, "; ".join(u[0] for u in unknown) + ". (Bỏ qua với --no-strict.)",
                       "; ".join(u[1] for u in unknown) + ". (Use --no-strict to only warn.)")
        cfg.warnings.extend((f"Tệp cấu hình {path}: {vi}", f"Config file {path}: {en}") for vi, en in unknown)
    return cfg


def read_config(path: str | Path, strict: bool = True) -> Config:
    p = Path(path)
    try:
        with p.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise PlanError("config", f"Không tìm thấy tệp cấu hình {p}", f"Config file {p} not found")
    except UnicodeDecodeError:
        raise _bad(p, "không phải văn bản UTF-8 (hãy lưu lại tệp với bảng mã UTF-8)",
                   "is not UTF-8 text (save it again as UTF-8)")
    except tomllib.TOMLDecodeError as e:
        raise _bad(p, f"không đúng cú pháp TOML ({e})", f"not valid TOML ({e})")
    except OSError as e:
        raise _bad(p, f"không đọc được ({e.strerror or e})", f"cannot be read ({e.strerror or e})")
    if p.name == "pyproject.toml":
        data = (data.get("tool") or {}).get("plancheck") or {}
        if not isinstance(data, dict):
            raise _type_error(p, "tool.plancheck", "một bảng", "a table", data)
    return parse_config(data, p, strict=strict)


def find_config(start: str | Path) -> Path | None:
    """The config file that governs ``start`` (a plan file or a folder)."""
    try:
        p = Path(start).resolve()
        folder = p if p.is_dir() else p.parent
    except (OSError, RuntimeError):  # a symlink loop: no config, the reader says what is wrong
        return None
    for d in (folder, *folder.parents):
        cand = d / "plancheck.toml"
        if cand.is_file():
            return cand
        py = d / "pyproject.toml"
        if py.is_file():
            try:
                with py.open("rb") as fh:
                    data = tomllib.load(fh)
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            if "plancheck" in (data.get("tool") or {}):
                return py
    return None


def load_config(plan_path: str | Path | None = None, explicit: str | Path | None = None,
                strict: bool = True) -> Config:
    """The configuration for a plan: ``explicit`` if given, else found
    upward from the plan, else the empty default."""
    if explicit:
        return read_config(explicit, strict=strict)
    if plan_path:
        found = find_config(plan_path)
        if found:
            return read_config(found, strict=strict)
    return Config()
