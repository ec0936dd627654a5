"""Fuzz suite (issue 16), bounded: a few hundred hypothesis examples over the
readers, the header parser, the citation scanner and the whole pipeline.
``python bench/fuzz.py`` runs the same targets for 10,000+ examples."""
from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
from fuzz_inputs import (file_bytes, plan_text, small_text, target_citations, target_header,  # noqa: E402
                         target_pipeline, target_read)

FAST = settings(max_examples=120, deadline=2000, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SLOW = settings(max_examples=40, deadline=10000, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FAST
@given(file_bytes())
def test_readers(case):
    target_read(*case)


@FAST
@given(small_text())
def test_header_parser(text):
    target_header(text)


@FAST
@given(small_text())
def test_citation_scanner(text):
    target_citations(text)


@SLOW
@given(plan_text(), st.sampled_from(["json", "html", "sarif", "md"]))
def test_pipeline(text, fmt):
    target_pipeline(text, fmt)
