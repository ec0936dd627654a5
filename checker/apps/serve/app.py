"""The Flask app (:func:`create_app`) and its routes: the upload page, the report,
the downloads; the engine's own check and render do the work."""
from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable
from flask import Flask, Response, redirect, request
from markupsafe import Markup
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed, RequestEntityTooLarge

from checker.apps.serve.checks import CHECK_LANG, findings_in
from checker.apps.serve.store import Entry, ResultStore
from checker.apps.serve.upload import (
    ACCEPT, DEFAULT_MAX_MB, TEXT, _err, display_name, download_stem, is_loopback, parse_as_of,
    sniff_upload,
)
from checker.errors import PlanError


log = logging.getLogger("plancheck.serve")
DEFAULT_REFERENCES = ("nq57", "nq71")
FORMATS = {  # download format -> (file extension, mimetype)
    "html": ("html", "text/html; charset=utf-8"),
    "md": ("md", "text/markdown; charset=utf-8"),
    "json": ("json", "application/json; charset=utf-8"),
}
CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
       "img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


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
    """The check of an upload, in a bounded worker process (never in the
    server's): see :mod:`checker.apps.serve.checks`."""
    from checker.apps.serve.checks import pooled_check

    return pooled_check(path, references, as_of)


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
               max_parallel: int = 8, loopback_only: bool = False,
               pool: Any = None) -> Flask:
    """The Flask app.  ``check_fn(path, references, as_of)`` and
    ``render_fn(result, fmt, lang)`` default to the engine's own
    (:func:`checker.pipeline.check`, :func:`checker.render.report.render`);
    ``lang_fn(result, lang)`` gives the result worded in ``lang``
    (default :func:`findings_in`); at most ``max_parallel`` uploads are
    taken at once (the checks themselves run in the shared pool of bounded
    workers, :mod:`checker.apps.serve.checks`).

    Every POST must come from the page itself: an ``Origin`` (or, without
    one, a ``Referer``) naming another site, or ``Sec-Fetch-Site:
    cross-site``, gets a 403 page.  With ``loopback_only`` (what
    ``plancheck serve`` sets when it binds a loopback address) a request whose
    ``Host`` is not a loopback name is refused too (DNS rebinding).
    ``pool`` is the :class:`~checker.apps.workers.WorkerPool` of the default
    check (default: the process's shared one)."""
    app = Flask("checker.apps.serve")
    app.config["MAX_CONTENT_LENGTH"] = int(max_upload_mb * 1024 * 1024)
    app.config["PLANCHECK_LANG"] = lang if lang in TEXT else "vi"
    app.config["PLANCHECK_MAX_MB"] = max_upload_mb
    if check_fn is None and pool is not None:
        from checker.apps.serve.checks import pooled_check

        check_fn = functools.partial(pooled_check, pool=pool)
    do_check = check_fn or _default_check
    do_render = render_fn or _default_render
    in_lang = lang_fn or findings_in
    # at most max_parallel checks at once (memory and CPU stay bounded); the
    # others wait their turn in their own request thread
    gate = threading.BoundedSemaphore(max(1, max_parallel))
    results = store or ResultStore()
    app.extensions["plancheck_store"] = results
    if do_check is _default_check:
        from checker.apps.serve.checks import shared_pool

        app.extensions["plancheck_pool"] = shared_pool

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

    def query_lang() -> str:
        return request.args.get("lang") if request.args.get("lang") in TEXT else app.config["PLANCHECK_LANG"]

    @app.before_request
    def same_origin() -> Response | None:
        host = request.host or ""
        if loopback_only:
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if not is_loopback(name):
                return upload_page(query_lang(), _err("bad_host", host=host[:60]), status=403)
        if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
            return None
        if _cross_site(request.headers, host):
            log.warning("cross-site %s to %s refused (Origin %r)", request.method, request.path,
                        request.headers.get("Origin"))
            return upload_page(query_lang(), _err("cross_site"), status=403)
        return None

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_e: HTTPException) -> Response:
        lang = query_lang()
        size = request.content_length
        if size is not None and size <= app.config["MAX_CONTENT_LENGTH"]:
            # within the size limit: too many form parts or a long form field
            return upload_page(lang, _err("bad_form"), status=413)
        return upload_page(lang, _err("too_large", mb=mb_text()), status=413)

    @app.errorhandler(MethodNotAllowed)
    def not_allowed(e: HTTPException) -> Response:
        resp = upload_page(query_lang(), _err("not_allowed", method=request.method[:10]), status=405)
        for k, v in e.get_headers():
            if k.lower() == "allow":
                resp.headers["Allow"] = v
        return resp

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
        by_lang = {}
        if hasattr(result, "by_lang") and hasattr(result, "result"):  # checked in a worker
            result, by_lang = result.result, result.by_lang
        token = results.put(result, name)
        for other, res in by_lang.items():
            results.remember_lang(token, other, res)
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
    for res in [result, getattr(result, "result", None), *getattr(result, "by_lang", {}).values()]:
        plan = getattr(res, "plan", None)
        if plan is not None:
            plan.source = name  # the report shows the uploaded file's name, not the temp path
    return result


def _cross_site(headers: Any, host: str) -> bool:
    """Whether a request's Origin / Referer / Sec-Fetch-Site say it was sent
    by another site, or by another port of this host (``same-site``).  A
    request without any of them — curl, a script — is not a browser's
    cross-site form."""
    from urllib.parse import urlsplit

    fetch_site = (headers.get("Sec-Fetch-Site") or "").lower()
    if fetch_site in ("cross-site", "same-site"):
        return True
    origin = headers.get("Origin")
    if origin is not None:
        if origin.strip().lower() == "null":
            # our pages' Referrer-Policy is no-referrer, so a browser posting
            # our own form says Origin: null — and Sec-Fetch-Site: same-origin
            return fetch_site not in ("same-origin", "none")
        return (urlsplit(origin).netloc or "").lower() != host.lower()
    referer = headers.get("Referer")
    if referer:
        return (urlsplit(referer).netloc or "").lower() != host.lower()
    return False


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
