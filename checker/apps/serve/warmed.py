"""Imported by the fork server that starts the web page's check workers
(:func:`checker.apps.serve.checks.shared_pool`): the reference data,
matchers and rule packs are loaded here once, in a single-threaded process,
and every worker forked from it starts warm."""
from __future__ import annotations

from checker.apps.serve.checks import warm

warm()
