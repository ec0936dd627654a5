"""End to end in a real headless Chromium: Debian's ``chromium`` package
(/usr/bin/chromium) driven by Playwright's Python package pointed at that
executable.  Nothing here downloads a browser (``playwright install`` is
never run); without the browser or the package the tests skip and say why.

The app runs on werkzeug's threaded server on 127.0.0.1 (a free port); every
request the page makes to anywhere else is blocked and counted, so the test
also proves the page needs no network.
"""
from __future__ import annotations

import base64
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PLANCHECK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]
ENGINE = ("checker.render.report", "checker.mandates.load", "checker.match.matcher", "checker.cite.graph", "checker.judge.engine")

if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed at /usr/bin/chromium (Debian: apt-get install chromium); "
                "the browser tests need it and never download one", allow_module_level=True)
if importlib.util.find_spec("playwright") is None:
    pytest.skip("the playwright Python package is not installed (pip install '.[test]'); "
                "it drives /usr/bin/chromium, no browser download", allow_module_level=True)
pytest.importorskip("flask", reason="Flask is not installed")

from playwright.sync_api import sync_playwright  # noqa: E402

from checker.apps.serve import BackgroundServer, create_app  # noqa: E402


def engine_ready() -> None:
    missing = [m for m in ENGINE if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip("engine modules not in this checkout yet: " + ", ".join(missing))


@pytest.fixture(scope="module")
def server():
    with BackgroundServer(create_app(max_upload_mb=2)) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser_context():
    with sync_playwright() as p, tempfile.TemporaryDirectory(prefix="plancheck-chromium-") as profile:
        try:
            ctx = p.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
                locale="vi-VN", accept_downloads=True, viewport={"width": 1200, "height": 900})
        except Exception as e:  # noqa: BLE001 - an unusable browser is a skip with its reason
            pytest.skip(f"Chromium at {CHROMIUM} could not be started by Playwright: {e}")
        ctx.outside = []  # type: ignore[attr-defined]

        def gate(route):
            url = route.request.url
            if url.startswith("http://127.0.0.1:") or url.startswith(("data:", "blob:", "about:")):
                route.continue_()
            else:
                ctx.outside.append(url)  # type: ignore[attr-defined]
                route.abort()

        ctx.route("**/*", gate)
        ctx.set_default_timeout(120_000)
        yield ctx
        ctx.close()


@pytest.fixture
def page(browser_context):
    pg = browser_context.new_page()
    yield pg
    pg.close()


def seed_docx(seed, prefix: str, tmp_path: Path) -> Path:
    from tests.builders import build_docx

    src = seed(prefix)
    return build_docx(src.read_text(encoding="utf-8"), tmp_path / f"Kế hoạch {prefix}.docx")


def record_busy_on_submit(page) -> None:
    # remember, across the navigation, whether the spinner was on when the form left
    page.evaluate("""() => document.getElementById('form').addEventListener('submit', () => {
        sessionStorage.setItem('busy', String(document.getElementById('busy').classList.contains('on')
            && document.getElementById('submit').disabled));
    })""")


def test_upload_page_renders(page, server, browser_context):
    page.goto(server.url + "/")
    assert page.locator("h1").inner_text().startswith("Kiểm tra kế hoạch")
    assert page.locator("#drop").is_visible()
    assert page.is_checked("input[name=ref][value=nq57]") and page.is_checked("input[name=ref][value=nq71]")
    assert not page.locator("#busy").is_visible()
    page.click("#lang-switch")
    page.wait_for_url("**/?lang=en")
    assert page.locator("h1").inner_text().startswith("Check a plan")
    assert browser_context.outside == []


def test_upload_seed_docx_with_file_picker(page, server, seed, tmp_path, browser_context):
    engine_ready()
    docx = seed_docx(seed, "004", tmp_path)
    page.goto(server.url + "/")
    page.set_input_files("#plan", str(docx))
    assert page.locator("#fname").inner_text() == docx.name
    record_busy_on_submit(page)
    page.click("#submit")
    page.wait_for_url("**/report/**")
    page.wait_for_load_state("load")
    assert page.evaluate("sessionStorage.getItem('busy')") == "true"
    body = page.locator("body").inner_text()
    # the key finding of seed 004: NQ 03/NQ-CP relied on after NQ 71/NQ-CP amended it
    assert "REF001" in body
    assert "71/NQ-CP" in body and "03/NQ-CP" in body
    assert docx.name in body
    # coverage bars by NQ 57 group and the citation chain as a picture (an SVG image that loads
    # under the page's Content-Security-Policy)
    assert "III.1" in body
    chain = page.locator("img[src^='data:image/svg+xml']")
    assert chain.count() >= 1
    assert chain.first.evaluate("i => i.complete && i.naturalWidth > 0")
    # downloads of the same report
    with page.expect_download() as dl:
        page.click("a.download[data-format=json]")
    d = dl.value
    assert d.suggested_filename.endswith(".plancheck.json")
    assert '"REF001"' in Path(d.path()).read_text(encoding="utf-8")
    assert browser_context.outside == []


def test_drag_and_drop_then_check(page, server, seed, tmp_path, browser_context):
    engine_ready()
    docx = seed_docx(seed, "000", tmp_path)
    page.goto(server.url + "/?lang=en")
    b64 = base64.b64encode(docx.read_bytes()).decode()
    page.evaluate("""([b64, name]) => {
        const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], name,
            {type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'}));
        const drop = document.getElementById('drop');
        drop.dispatchEvent(new DragEvent('dragover', {dataTransfer: dt, bubbles: true, cancelable: true}));
        drop.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
    }""", [b64, docx.name])
    assert page.locator("#fname").inner_text() == docx.name
    page.fill("#as_of", "2026-01-01")
    page.click("#submit")
    page.wait_for_url("**/report/**?lang=en")
    body = page.locator("body").inner_text()
    assert "Download the report" in body and docx.name in body
    assert "2026-01-01" in body or "01/01/2026" in body  # the as-of date the report used
    assert browser_context.outside == []


def test_renamed_binary_shows_message_and_form(page, server, tmp_path):
    bad = tmp_path / "ke-hoach.docx"
    bad.write_bytes(b"MZ\x90\x00" + bytes(range(256)) * 4)
    page.goto(server.url + "/")
    page.set_input_files("#plan", str(bad))
    page.click("#submit")
    page.wait_for_selector("#error")
    assert "không phải định dạng được hỗ trợ" in page.locator("#error").inner_text()
    assert page.locator("#plan").count() == 1
    assert not page.locator("#busy").is_visible()


def test_too_large_file_is_stopped_in_the_page(page, server, tmp_path):
    big = tmp_path / "lon.txt"
    big.write_bytes(b"a" * (3 * 1024 * 1024))
    page.goto(server.url + "/")
    page.set_input_files("#plan", str(big))
    page.click("#submit")
    assert "Tệp quá lớn" in page.locator("#fname").inner_text()
    assert page.url.endswith("/")  # nothing was sent
