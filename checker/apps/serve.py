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
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import secrets
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from flask import Flask, Response, redirect, request
from markupsafe import Markup
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge
from werkzeug.utils import secure_filename

from checker.errors import PlanError

log = logging.getLogger("plancheck.serve")

DEFAULT_MAX_MB = 20
DEFAULT_REFERENCES = ("nq57", "nq71")
FORMATS = {  # download format -> (file extension, mimetype)
    "html": ("html", "text/html; charset=utf-8"),
    "md": ("md", "text/markdown; charset=utf-8"),
    "json": ("json", "application/json; charset=utf-8"),
}
CHECK_LANG = "vi"  # the language checker.pipeline.check words its findings in
ACCEPT = ".docx,.pdf,.txt,.md,.doc,.rtf"
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
       "img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")

# Magic numbers of files that are certainly not plans (refused with a clear
# message rather than decoded as text).
_BINARY_MAGIC = [
    (b"MZ", "exe"), (b"\x7fELF", "elf"), (b"\xca\xfe\xba\xbe", "mach-o"),
    (b"\xcf\xfa\xed\xfe", "mach-o"), (b"\xfe\xed\xfa", "mach-o"),
    (b"\x1f\x8b", "gzip"), (b"Rar!", "rar"), (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF8", "gif"),
    (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"), (b"\x00asm", "wasm"),
    (b"SQLite format 3", "sqlite"), (b"OggS", "ogg"),
]  # (any other binary is caught by its NUL bytes)
# What a name promises, for a name/content mismatch message.
_SUFFIX_FORMAT = {".docx": "docx", ".pdf": "pdf", ".doc": "doc", ".rtf": "rtf"}


# --------------------------------------------------------------------------
# messages of the page (the plan's own messages come from PlanError)

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Kiểm tra kế hoạch thực hiện Nghị quyết 57-NQ/TW",
        "lead": "Tải lên dự thảo kế hoạch (.docx, .pdf, .txt, .md) để đối chiếu với Nghị quyết 57-NQ/TW, "
                "Nghị quyết 71/NQ-CP và các văn bản đã chọn. Tệp chỉ được xử lý trên máy này và xoá ngay sau khi kiểm tra.",
        "drop": "Kéo và thả tệp vào đây",
        "or": "hoặc",
        "pick": "Chọn tệp…",
        "none": "Chưa chọn tệp",
        "sets": "Bộ văn bản đối chiếu",
        "as_of": "Ngày đánh giá (để trống: ngày của kế hoạch)",
        "submit": "Kiểm tra",
        "checking": "Đang kiểm tra…",
        "limit": "Dung lượng tối đa {mb} MB.",
        "switch": "English",
        "error": "Không kiểm tra được",
        "again": "Kiểm tra tệp khác",
        "download": "Tải báo cáo",
        "too_large": "Tệp quá lớn: giới hạn tải lên là {mb} MB.",
        "no_file": "Chưa chọn tệp kế hoạch để tải lên.",
        "empty": "Tệp rỗng: {name}",
        "binary": "Tệp {name} không phải định dạng được hỗ trợ (là tệp {kind}). "
                  "Chỉ nhận .docx, .pdf, .txt, .md.",
        "mismatch": "Tên tệp {name} có đuôi {suffix} nhưng nội dung không phải tệp {suffix}. "
                    "Chỉ nhận .docx, .pdf, .txt, .md đúng định dạng.",
        "no_sets": "Hãy chọn ít nhất một bộ văn bản đối chiếu.",
        "bad_set": "Bộ văn bản không có: {name}",
        "bad_date": "Ngày không hợp lệ: {value} (dùng YYYY-MM-DD hoặc DD/MM/YYYY)",
        "expired": "Không tìm thấy báo cáo (có thể đã hết hạn sau {minutes} phút). Hãy tải tệp lên lại.",
        "internal": "Lỗi nội bộ khi kiểm tra tệp {name}. Hãy thử lại hoặc dùng lệnh plancheck check.",
        "not_found": "Không có trang này.",
        "too_large_js": "Tệp quá lớn",
        "private": "Chỉ chạy trên máy này",
    },
    "en": {
        "title": "Check a plan that carries out Resolution 57-NQ/TW",
        "lead": "Upload a draft plan (.docx, .pdf, .txt, .md) to check it against Resolution 57-NQ/TW, "
                "Resolution 71/NQ-CP and the chosen documents. The file is processed on this machine only "
                "and deleted right after the check.",
        "drop": "Drag and drop the file here",
        "or": "or",
        "pick": "Choose a file…",
        "none": "No file chosen",
        "sets": "Reference sets",
        "as_of": "As-of date (empty: the plan's own date)",
        "submit": "Check",
        "checking": "Checking…",
        "limit": "Maximum size {mb} MB.",
        "switch": "Tiếng Việt",
        "error": "Could not check the file",
        "again": "Check another file",
        "download": "Download the report",
        "too_large": "File too large: the upload limit is {mb} MB.",
        "no_file": "No plan file was chosen.",
        "empty": "The file is empty: {name}",
        "binary": "{name} is not a supported format (it is a {kind} file). "
                  "Only .docx, .pdf, .txt, .md are accepted.",
        "mismatch": "{name} is named {suffix} but its content is not a {suffix} file. "
                    "Only real .docx, .pdf, .txt, .md files are accepted.",
        "no_sets": "Choose at least one reference set.",
        "bad_set": "Unknown reference set: {name}",
        "bad_date": "Invalid date: {value} (use YYYY-MM-DD or DD/MM/YYYY)",
        "expired": "Report not found (it may have expired after {minutes} minutes). Upload the file again.",
        "internal": "Internal error while checking {name}. Try again or use plancheck check.",
        "not_found": "No such page.",
        "too_large_js": "File too large",
        "private": "Runs on this machine only",
    },
}


def _err(key: str, **kw: Any) -> PlanError:
    return PlanError(f"serve-{key}", TEXT["vi"][key].format(**kw), TEXT["en"][key].format(**kw))


# --------------------------------------------------------------------------
# content checks

def sniff_upload(data: bytes, filename: str) -> str:
    """The plan format of uploaded bytes, judged by content; PlanError if it
    is not a format the readers take.  ``filename`` is only a hint (``.md``)
    and the name shown in messages."""
    from checker.read import sniff

    name = display_name(filename)
    suffix = Path(name).suffix.lower()
    if not data:
        raise _err("empty", name=name)
    fmt = sniff(data[:8192], suffix)
    if fmt in ("txt", "md"):
        for magic, kind in _BINARY_MAGIC:
            if data.startswith(magic):
                raise _err("binary", name=name, kind=kind)
        if data[:2] not in (b"\xff\xfe", b"\xfe\xff") and b"\x00" in data[:8192]:
            raise _err("binary", name=name, kind="binary")
    if _SUFFIX_FORMAT.get(suffix) and fmt in ("txt", "md"):
        # named .docx/.pdf/.doc but the bytes are neither that nor any binary
        # we know.  (A real PDF or .docx under a wrong name is read as what it is.)
        raise _err("mismatch", name=name, suffix=suffix)
    return fmt


def display_name(filename: str | None) -> str:
    """The client's file name, for display only: last path part, no control
    characters, at most 120 characters.  Never used to open anything."""
    raw = (filename or "").replace("\\", "/").split("/")[-1]
    raw = "".join(ch for ch in raw if ch.isprintable()).strip()
    if not raw:
        return "upload"
    return raw[-120:]


def download_stem(filename: str) -> str:
    stem = secure_filename(Path(display_name(filename)).stem) or "plan"
    return stem[:80]


def parse_as_of(value: str | None) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            pass
    raise _err("bad_date", value=value[:40])


# --------------------------------------------------------------------------
# the only shared state: finished results, behind a lock

@dataclass
class Entry:
    result: Any
    name: str
    created: float
    rendered: dict[tuple[str, str], str] = field(default_factory=dict)
    by_lang: dict[str, Any] = field(default_factory=dict)  # the result with findings in that language


class ResultStore:
    """Finished check results by random token, forgotten after ``ttl``
    seconds or when more than ``capacity`` are kept (oldest first)."""

    def __init__(self, ttl: float = 1800.0, capacity: int = 64):
        self.ttl = ttl
        self.capacity = capacity
        self._lock = threading.Lock()
        self._items: OrderedDict[str, Entry] = OrderedDict()

    def put(self, result: Any, name: str) -> str:
        token = secrets.token_hex(16)
        with self._lock:
            self._expire()
            self._items[token] = Entry(result, name, time.monotonic())
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
        return token

    def get(self, token: str) -> Entry | None:
        if not TOKEN_RE.match(token or ""):
            return None
        with self._lock:
            self._expire()
            return self._items.get(token)

    def remember(self, token: str, key: tuple[str, str], text: str) -> None:
        with self._lock:
            e = self._items.get(token)
            if e is not None:
                e.rendered[key] = text

    def remember_lang(self, token: str, lang: str, result: Any) -> None:
        with self._lock:
            e = self._items.get(token)
            if e is not None:
                e.by_lang[lang] = result

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def _expire(self) -> None:
        now = time.monotonic()
        while self._items:
            token, e = next(iter(self._items.items()))
            if now - e.created <= self.ttl:
                break
            self._items.popitem(last=False)


# --------------------------------------------------------------------------
# templates (reports/serve_*.html.j2, loaded as package data)

_ENV = None
_ENV_LOCK = threading.Lock()


def templates():
    global _ENV
    with _ENV_LOCK:
        if _ENV is None:
            import jinja2

            from checker.resources import read_text

            _ENV = jinja2.Environment(
                loader=jinja2.FunctionLoader(lambda name: read_text("reports", name)),
                autoescape=True, trim_blocks=True, lstrip_blocks=True,
                undefined=jinja2.StrictUndefined)
        return _ENV


def reference_sets() -> list[str]:
    try:
        from checker.mandates.load import available_sets
    except ImportError:  # the mandates module is not there: the default sets only
        return list(DEFAULT_REFERENCES)
    return list(available_sets())


@functools.lru_cache(maxsize=64)
def set_title(set_id: str) -> str:
    """A human title for a reference set (its YAML ``title``), else its id."""
    try:
        from checker.mandates.load import load_set

        title = load_set(set_id).title
    except Exception:  # noqa: BLE001 - a title is decoration only
        return set_id
    return f"{title}" if title else set_id


def _default_check(path: Path, references: list[str], as_of: dt.date | None) -> Any:
    from checker.judge.config import Config
    from checker.pipeline import check, extract

    # an explicit empty configuration: the server never looks for a
    # plancheck.toml above its temporary folder
    plan = extract(path)
    return check(path, references=references, as_of=as_of, config=Config(), plan=plan)


def findings_in(result: Any, lang: str) -> Any:
    """The result with its finding messages in ``lang``.  The pipeline words
    findings in Vietnamese; for another language the engine's own
    :func:`checker.judge.engine.evaluate` is run again on a shallow copy."""
    if lang == CHECK_LANG or not hasattr(result, "findings"):
        return result
    import dataclasses

    from checker.judge.config import Config
    from checker.judge.engine import evaluate

    other = dataclasses.replace(result)
    other.findings = evaluate(other, config=Config(), lang=lang)
    return other


def _default_render(result: Any, fmt: str, lang: str) -> str:
    from checker.render.report import render

    return render(result, fmt, lang=lang)


# --------------------------------------------------------------------------
# the app

def create_app(max_upload_mb: float = DEFAULT_MAX_MB, lang: str = "vi",
               check_fn: Callable[..., Any] | None = None,
               render_fn: Callable[[Any, str, str], str] | None = None,
               store: ResultStore | None = None,
               lang_fn: Callable[[Any, str], Any] | None = None,
               max_parallel: int = 4) -> Flask:
    """The Flask app.  ``check_fn(path, references, as_of)`` and
    ``render_fn(result, fmt, lang)`` default to the engine's own
    (:func:`checker.pipeline.check`, :func:`checker.render.report.render`);
    ``lang_fn(result, lang)`` gives the result worded in ``lang``
    (default :func:`findings_in`); at most ``max_parallel`` checks run at once."""
    app = Flask("checker.apps.serve")
    app.config["MAX_CONTENT_LENGTH"] = int(max_upload_mb * 1024 * 1024)
    app.config["PLANCHECK_LANG"] = lang if lang in TEXT else "vi"
    app.config["PLANCHECK_MAX_MB"] = max_upload_mb
    do_check = check_fn or _default_check
    do_render = render_fn or _default_render
    in_lang = lang_fn or findings_in
    # at most max_parallel checks at once (memory and CPU stay bounded); the
    # others wait their turn in their own request thread
    gate = threading.BoundedSemaphore(max(1, max_parallel))
    results = store or ResultStore()
    app.extensions["plancheck_store"] = results

    def page_lang() -> str:
        v = request.args.get("lang")
        if v not in TEXT and request.method == "POST":
            v = request.form.get("lang")
        return v if v in TEXT else app.config["PLANCHECK_LANG"]

    def mb_text() -> str:
        mb = app.config["PLANCHECK_MAX_MB"]
        return f"{mb:g}"

    def upload_page(lang: str, error: PlanError | None = None, status: int = 200,
                    chosen: list[str] | None = None, as_of: str = "") -> Response:
        t = TEXT[lang]
        sets = reference_sets()
        chosen = [s for s in (chosen or DEFAULT_REFERENCES) if s in sets] or \
            [s for s in DEFAULT_REFERENCES if s in sets]
        html = templates().get_template("serve_upload.html.j2").render(
            lang=lang, t=t, other="en" if lang == "vi" else "vi",
            sets=[{"id": s, "title": set_title(s), "checked": s in chosen} for s in sets],
            as_of=as_of, accept=ACCEPT, max_bytes=app.config["MAX_CONTENT_LENGTH"],
            limit=t["limit"].format(mb=mb_text()),
            error=error.message(lang) if error else None)
        return Response(html, status=status, mimetype="text/html")

    @app.after_request
    def headers(resp: Response) -> Response:
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_e: HTTPException) -> Response:
        lang = request.args.get("lang") if request.args.get("lang") in TEXT else app.config["PLANCHECK_LANG"]
        return upload_page(lang, _err("too_large", mb=mb_text()), status=413)

    @app.errorhandler(404)
    def not_found(_e: HTTPException) -> Response:
        lang = request.args.get("lang") if request.args.get("lang") in TEXT else app.config["PLANCHECK_LANG"]
        return upload_page(lang, _err("not_found"), status=404)

    @app.errorhandler(InternalServerError)
    def internal(e: InternalServerError) -> Response:
        log.error("unexpected error on %s", request.path, exc_info=e.original_exception)
        lang = request.args.get("lang") if request.args.get("lang") in TEXT else app.config["PLANCHECK_LANG"]
        return upload_page(lang, _err("internal", name=request.path[:60]), status=500)

    @app.get("/")
    def index() -> Response:
        return upload_page(page_lang())

    @app.post("/check")
    def check_upload() -> Response:
        # the form (and with it the size limit) is parsed here: a 413 is raised now
        form = request.form
        files = request.files
        lang = form.get("lang") if form.get("lang") in TEXT else page_lang()
        chosen = form.getlist("ref")
        as_of_raw = (form.get("as_of") or "")[:40]
        up = files.get("plan")
        name = display_name(up.filename if up else "")
        try:
            if up is None or not (up.filename or "").strip():
                raise _err("no_file")
            sets = reference_sets()
            if not chosen:
                raise _err("no_sets")
            for s in chosen:
                if s not in sets:
                    raise _err("bad_set", name=s[:40])
            as_of = parse_as_of(as_of_raw)
            data = up.read(app.config["MAX_CONTENT_LENGTH"] + 1)
            fmt = sniff_upload(data, name)
            with gate:
                result = _run_check(data, fmt, name, chosen, as_of, do_check)
        except PlanError as e:
            return upload_page(lang, e, status=400, chosen=chosen, as_of=as_of_raw)
        except Exception:  # noqa: BLE001 - never a traceback to the browser
            log.exception("check failed for an upload (%s)", name)
            return upload_page(lang, _err("internal", name=name), status=500,
                               chosen=chosen, as_of=as_of_raw)
        token = results.put(result, name)
        return redirect(f"/report/{token}?lang={lang}", code=303)

    def rendered(token: str, entry: Entry, fmt: str, lang: str) -> str:
        key = (fmt, lang)
        text = entry.rendered.get(key)
        if text is None:
            res = entry.by_lang.get(lang)
            if res is None:
                res = in_lang(entry.result, lang)
                results.remember_lang(token, lang, res)
            text = do_render(res, fmt, lang)
            results.remember(token, key, text)
        return text

    def expired(lang: str) -> Response:
        minutes = int(results.ttl // 60)
        return upload_page(lang, _err("expired", minutes=minutes), status=404)

    @app.get("/report/<token>")
    def report(token: str) -> Response:
        lang = page_lang()
        entry = results.get(token)
        if entry is None:
            return expired(lang)
        html = rendered(token, entry, "html", lang)
        bar = templates().get_template("serve_bar.html.j2").render(
            lang=lang, t=TEXT[lang], other="en" if lang == "vi" else "vi", token=token,
            name=entry.name, formats=list(FORMATS))
        return Response(inject_bar(html, Markup(bar)), mimetype="text/html")

    @app.get("/report/<token>/download/<fmt>")
    def download(token: str, fmt: str) -> Response:
        lang = page_lang()
        if fmt not in FORMATS:
            return upload_page(lang, _err("not_found"), status=404)
        entry = results.get(token)
        if entry is None:
            return expired(lang)
        ext, mime = FORMATS[fmt]
        body = rendered(token, entry, fmt, lang)
        resp = Response(body, mimetype=mime.split(";")[0])
        resp.headers["Content-Type"] = mime
        fname = f"{download_stem(entry.name)}.plancheck.{ext}"
        resp.headers["Content-Disposition"] = f'attachment; filename="{fname}"'
        return resp

    return app


def _run_check(data: bytes, fmt: str, name: str, references: list[str],
               as_of: dt.date | None, do_check: Callable[..., Any]) -> Any:
    """Write the bytes under a fresh temporary folder with a fixed name, check
    them, and remove the folder whatever happens."""
    ext = {"txt": ".txt", "md": ".md", "docx": ".docx", "pdf": ".pdf", "doc": ".doc",
           "rtf": ".rtf"}.get(fmt, ".txt")
    with tempfile.TemporaryDirectory(prefix="plancheck-serve-") as tmp:
        path = Path(tmp) / f"upload{ext}"
        path.write_bytes(data)
        try:
            result = do_check(path, references, as_of)
        except PlanError as e:
            # the reader names the file it opened: show the client's name instead
            raise PlanError(e.code, _rename(e.vi, path, name), _rename(e.en, path, name)) from e
    plan = getattr(result, "plan", None)
    if plan is not None:
        plan.source = name  # the report shows the uploaded file's name, not the temp path
    return result


def _rename(msg: str, path: Path, name: str) -> str:
    return msg.replace(str(path), name).replace(path.name, name)


_BODY_RE = re.compile(r"<body\b[^>]*>", re.I)


def inject_bar(report_html: str, bar: Markup) -> str:
    """The report page with the server's bar (downloads, language, another
    file) put right after ``<body>``; the report itself is untouched."""
    m = _BODY_RE.search(report_html)
    if not m:
        return str(bar) + report_html
    return report_html[:m.end()] + str(bar) + report_html[m.end():]


def is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def serve(host: str = "127.0.0.1", port: int = 8057, max_upload_mb: float = DEFAULT_MAX_MB,
          lang: str = "vi", ready: Callable[[str], None] | None = None) -> None:
    """Run the app with werkzeug's threaded server until interrupted."""
    from werkzeug.serving import make_server

    app = create_app(max_upload_mb=max_upload_mb, lang=lang)
    srv = make_server(host, port, app, threaded=True)
    url_host = f"[{host}]" if ":" in host else host
    if ready:
        ready(f"http://{url_host}:{srv.server_port}/")
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()


class BackgroundServer:
    """The app on a werkzeug threaded server in a daemon thread (tests, bench,
    screenshots).  Loopback only: ``host`` must be a loopback address."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0, quiet: bool = True):
        from werkzeug.serving import WSGIRequestHandler, make_server

        if not is_loopback(host):
            raise ValueError(f"BackgroundServer binds loopback only, not {host}")
        handler = _QuietHandler if quiet else WSGIRequestHandler
        self.server = make_server(host, port, app, threaded=True, request_handler=handler)
        self.url = f"http://{host}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True,
                                       name="plancheck-serve")

    def __enter__(self) -> "BackgroundServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


def _quiet_handler():
    from werkzeug.serving import WSGIRequestHandler

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:  # no access log lines
            pass

    return Quiet


_QuietHandler = _quiet_handler()
