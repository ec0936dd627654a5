"""Findings as Word comments: a reviewed copy of the plan (``plancheck annotate``).

The original file is never written.  For a .docx the copy keeps every byte of
the plan's text and formatting and gains one comment per finding, anchored on
the runs that carry the finding's span; runs are split where a span starts or
ends inside them (the split halves keep the run's formatting, ``w:rPr``).  For
.txt/.md/.pdf plans a new .docx is built from the extracted units (headings,
paragraphs, real tables) and annotated the same way.

How a span finds its words
--------------------------
A finding's ``start``/``end`` are offsets in ``Unit.text`` (the reader's
original text, before normalisation).  :func:`map_docx` walks the copy in the
order :mod:`checker.read.word` walks it (same helpers, from
:mod:`checker.read.word_xml` and :mod:`checker.read.word_tables`: body items,
rows, cells, paragraph text) and gives every unit a list of :class:`Segment`
(unit offsets ↔ offsets in one ``w:p``'s visible text).  It checks that the
text it rebuilds equals the unit's text, so a drifted walk is detected and
that unit falls back to a whole-paragraph anchor, never to wrong words.
Inside a paragraph, :func:`para_chars` mirrors ``word_xml.para_text`` character
by character down to the ``w:t``/``w:tab``/``w:br`` leaf and its ``w:r``.

* Word's generated list label is in ``Unit.text`` ("1. …") but not in the
  runs: segments start after ``len(label) + 1``.
* A table row is its cells joined by tabs; each cell's text is the stripped
  texts of its paragraphs joined by one space: each paragraph is a segment.
* Decomposed characters and any tone-mark style stay as they are in the runs
  (offsets are original-text offsets), so nothing needs re-normalising.

Findings without a span (a missing mandate, a missing part) are put on the
heading of the section where the plan already writes the tasks of the
mandate's NQ 57 group (the evidence of the group's covered mandates), else the
heading ``mandates.nq57_group_of`` puts in that group, else the closest section
title (rapidfuzz on folded text), else the unit the engine chose, else the
title.  A finding in a footnote goes on the footnote's reference mark.  A
summary comment on the title gives the coverage per NQ 57 group.  Comments an
earlier run left under the same author are replaced; other people's stay.

Modules: :mod:`~checker.apps.annotate.docx_map` (units ↔ runs, paragraphs,
cells, footnote marks), :mod:`~checker.apps.annotate.anchor` (run splitting,
comment ranges), :mod:`~checker.apps.annotate.placement` (where a finding
without a span goes), :mod:`~checker.apps.annotate.comments` (comment texts,
reading them back), :mod:`~checker.apps.annotate.build` (the copy of a
non-.docx plan), :mod:`~checker.apps.annotate.run` (:func:`annotate`).
"""
from __future__ import annotations

from checker.apps.annotate.anchor import remove_comments
from checker.apps.annotate.build import build_docx
from checker.apps.annotate.comments import DEFAULT_AUTHOR, ReadComment, read_comments
from checker.apps.annotate.docx_map import Segment, UnitMap, map_docx
from checker.apps.annotate.run import AnnotateReport, Placed, annotate, default_output

__all__ = [
    "AnnotateReport",
    "DEFAULT_AUTHOR",
    "Placed",
    "ReadComment",
    "Segment",
    "UnitMap",
    "annotate",
    "build_docx",
    "default_output",
    "map_docx",
    "read_comments",
    "remove_comments",
]
