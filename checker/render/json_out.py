"""The JSON report (``--format json``): :func:`checker.render.data.report_data` as text."""
from __future__ import annotations

import json

from checker.model import CheckResult
from checker.render.data import report_data


def render_json(result: CheckResult, lang: str = "vi") -> str:
    return json.dumps(report_data(result, lang), ensure_ascii=False, indent=2)
