"""``plancheck serve``: a small local web page for commune reviewers.

Upload a plan (.docx, .pdf, .txt, .md), choose the reference sets and the
as-of date, read the same report ``plancheck check --format html`` writes,
download it as HTML, Markdown or JSON.

Nothing here checks or renders a plan by itself: the upload goes through
:func:`checker.pipeline.check` and the report through
:func:`checker.render.report.render` — one implementation for the CLI and the page.

Safety (see docs/serve.md):

* the command binds 127.0.0.1 unless told otherwise;
* ``MAX_CONTENT_LENGTH`` limits the upload (413 with a clear message);
* the format is decided by the file's CONTENT (first bytes), never by its
  name; executables, archives and other binaries are refused;
* the upload is written under a fresh ``tempfile.TemporaryDirectory`` with
  a fixed name (``upload.<format>``), removed as soon as the check ends; the
  client's file name is only shown (escaped), never used as a path;
* every page is rendered by jinja2 with autoescape on; a Content-Security-
  Policy forbids loading anything from elsewhere (all CSS/JS is inline);
* the only shared mutable state is :class:`ResultStore`, behind a lock;
  results are found again by a random token and forgotten after a while.

Modules: :mod:`~checker.apps.serve.upload` (sniffing, size limit, names),
:mod:`~checker.apps.serve.store` (:class:`ResultStore`),
:mod:`~checker.apps.serve.app` (:func:`create_app` and its routes),
:mod:`~checker.apps.serve.server` (:func:`serve`, :class:`BackgroundServer`).
"""
from __future__ import annotations

from checker.apps.serve.app import (
    CHECK_LANG, CSP, DEFAULT_REFERENCES, FORMATS, create_app, findings_in, inject_bar,
    reference_sets, set_title, templates,
)
from checker.apps.serve.server import BackgroundServer, is_loopback, serve
from checker.apps.serve.store import Entry, ResultStore, TOKEN_RE
from checker.apps.serve.upload import (
    ACCEPT, DEFAULT_MAX_MB, TEXT, display_name, download_stem, parse_as_of, sniff_upload,
)

__all__ = [
    "ACCEPT",
    "BackgroundServer",
    "CHECK_LANG",
    "CSP",
    "DEFAULT_MAX_MB",
    "DEFAULT_REFERENCES",
    "Entry",
    "FORMATS",
    "ResultStore",
    "TEXT",
    "TOKEN_RE",
    "create_app",
    "display_name",
    "download_stem",
    "findings_in",
    "inject_bar",
    "is_loopback",
    "parse_as_of",
    "reference_sets",
    "serve",
    "set_title",
    "sniff_upload",
    "templates",
]
