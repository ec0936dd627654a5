"""Running the app: :func:`serve` until interrupted, :class:`BackgroundServer` on
loopback in a daemon thread (tests, bench, screenshots)."""
from __future__ import annotations

import threading
from typing import Any, Callable
from flask import Flask

from checker.apps.serve.app import create_app
from checker.apps.serve.upload import DEFAULT_MAX_MB, is_loopback


def serve(host: str = "127.0.0.1", port: int = 8057, max_upload_mb: float = DEFAULT_MAX_MB,
          lang: str = "vi", ready: Callable[[str], None] | None = None) -> None:
    """Run the app with werkzeug's threaded server until interrupted."""
    from werkzeug.serving import make_server

    app = create_app(max_upload_mb=max_upload_mb, lang=lang, loopback_only=is_loopback(host))
    if app.extensions.get("plancheck_pool") is not None:
        app.extensions["plancheck_pool"]()  # the workers start before the first upload
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
