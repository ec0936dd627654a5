#!/usr/bin/env python3
"""Screenshots of ``plancheck serve`` for the README.

    python bench/screenshot_serve.py [--seed 004] [--out docs/img]

Starts the app on 127.0.0.1 (a free port), converts a seed plan to .docx,
and with Debian's headless Chromium (/usr/bin/chromium, driven by
Playwright's Python package — no browser download) takes:

* ``serve-upload.png`` — the upload page with the file chosen;
* ``serve-report.png`` — the top of the report page of that upload.

Without the playwright package it falls back to ``chromium --screenshot``
(the report is then uploaded with urllib first).  Every request to anywhere
but the local server is blocked.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars", "--lang=vi-VN"]
WIDTH, HEIGHT, REPORT_HEIGHT = 1280, 900, 1500


def with_playwright(chromium: str, base: str, docx: Path, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    shots = []
    with sync_playwright() as p, tempfile.TemporaryDirectory(prefix="plancheck-chromium-") as profile:
        ctx = p.chromium.launch_persistent_context(
            profile, executable_path=chromium, headless=True, args=FLAGS, locale="vi-VN",
            viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=1)
        ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
        ctx.set_default_timeout(180_000)
        page = ctx.new_page()
        page.goto(base + "/")
        page.set_input_files("#plan", str(docx))
        shots.append(out / "serve-upload.png")
        page.screenshot(path=str(shots[-1]))
        page.click("#submit")
        page.wait_for_url("**/report/**")
        page.wait_for_load_state("load")
        page.set_viewport_size({"width": WIDTH, "height": REPORT_HEIGHT})
        shots.append(out / "serve-report.png")
        page.screenshot(path=str(shots[-1]))
        ctx.close()
    return shots


def with_cli(chromium: str, base: str, docx: Path, out: Path) -> list[Path]:
    sys.path.insert(0, str(ROOT / "bench"))
    from load_serve import multipart

    body, ctype = multipart([("lang", "vi"), ("ref", "nq57"), ("ref", "nq71")], "plan", docx.name,
                            docx.read_bytes())
    req = urllib.request.Request(base + "/check", data=body, method="POST", headers={"Content-Type": ctype})
    with urllib.request.urlopen(req, timeout=300) as r:
        report = r.geturl()
    shots = []
    for name, url, h in (("serve-upload.png", base + "/", HEIGHT), ("serve-report.png", report, REPORT_HEIGHT)):
        with tempfile.TemporaryDirectory(prefix="plancheck-chromium-") as profile:
            target = out / name
            subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", f"--window-size={WIDTH},{h}",
                            f"--screenshot={target}", url], check=True, timeout=180,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            shots.append(target)
    return shots


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Screenshots of plancheck serve for the README")
    ap.add_argument("--seed", default="004", help="seed prefix in ../shared/seeds")
    ap.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    ap.add_argument("--chromium", default=os.environ.get("PLANCHECK_CHROMIUM") or shutil.which("chromium")
                    or "/usr/bin/chromium")
    a = ap.parse_args(argv)
    if not Path(a.chromium).exists():
        print(f"Chromium not found at {a.chromium} (Debian: apt-get install chromium)", file=sys.stderr)
        return 2
    hits = sorted(a.seeds.glob(f"{a.seed}_*.txt"))
    if not hits:
        print(f"seed {a.seed} not found in {a.seeds}", file=sys.stderr)
        return 2
    from builders import build_docx

    from checker.apps.serve import BackgroundServer, create_app

    a.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="plancheck-shot-") as tmp:
        docx = build_docx(hits[0].read_text(encoding="utf-8"), Path(tmp) / f"Kế hoạch {a.seed}.docx")
        with BackgroundServer(create_app()) as srv:
            try:
                import playwright  # noqa: F401
                shots = with_playwright(a.chromium, srv.url, docx, a.out)
            except ImportError:
                shots = with_cli(a.chromium, srv.url, docx, a.out)
    for s in shots:
        print(s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
