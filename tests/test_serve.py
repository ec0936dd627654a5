"""Routes of ``plancheck serve`` with Flask's test client.

The upload checks (size, content sniffing, empty files, the temporary
folder) run with the real app; the report tests run the real engine
(:func:`checker.pipeline.check` + :func:`checker.render.report.render`) on the seeds.
"""
from __future__ import annotations

import importlib.util
import io
import json
import re
import threading
from pathlib import Path

import pytest

flask = pytest.importorskip("flask", reason="Flask is not installed (pip install flask)")

from checker.apps import serve  # noqa: E402
from checker.errors import PlanError  # noqa: E402
from markupsafe import Markup  # noqa: E402
from checker.apps.serve import ResultStore, create_app, display_name, inject_bar, sniff_upload  # noqa: E402

ENGINE = ("checker.render.report", "checker.mandates.load", "checker.match.matcher", "checker.cite.graph", "checker.judge.engine")


def engine_ready() -> None:
    missing = [m for m in ENGINE if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip("engine modules not in this checkout yet: " + ", ".join(missing))


@pytest.fixture
def app():
    return create_app(max_upload_mb=1)


@pytest.fixture
def client(app):
    return app.test_client()


def post(client, data: bytes, name: str, refs=("nq57", "nq71"), as_of: str = "", lang: str = "vi",
         query: str = ""):
    form = {"plan": (io.BytesIO(data), name), "ref": list(refs), "as_of": as_of, "lang": lang}
    return client.post("/check" + query, data=form, content_type="multipart/form-data")


def alert(html: str) -> str:
    m = re.search(r'<div class="alert" role="alert" id="error">(.*?)</div>', html, re.S)
    return m.group(1) if m else ""


# ---------------------------------------------------------------- upload page

def test_upload_page_vietnamese_by_default(client):
    r = client.get("/")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "Kéo và thả tệp vào đây" in html
    assert 'type="file"' in html and 'name="plan"' in html
    assert "Đang kiểm tra…" in html  # the progress indication shown on submit
    assert 'type="date"' in html and 'name="as_of"' in html
    assert 'href="/?lang=en"' in html


def test_upload_page_english_switch(client):
    html = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Drag and drop the file here" in html
    assert "Checking…" in html
    assert 'href="/?lang=vi"' in html


def test_default_reference_sets_checked(client):
    html = client.get("/").get_data(as_text=True)
    checked = re.findall(r'name="ref" value="([^"]+)" checked', html)
    offered = re.findall(r'name="ref" value="([^"]+)"', html)
    assert set(checked) == {"nq57", "nq71"} & set(offered)
    assert set(serve.reference_sets()) == set(offered)


def test_no_outbound_assets_and_safe_headers(client):
    r = client.get("/")
    html = r.get_data(as_text=True)
    # everything inline: no external script, stylesheet, font or image
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', html)
    assert "@import" not in html and "url(http" not in html
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "form-action 'self'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"


# ---------------------------------------------------------------- refusals

def test_too_large_upload_413_vi(client):
    r = post(client, b"a" * (1024 * 1024 + 10), "big.txt")
    assert r.status_code == 413
    html = r.get_data(as_text=True)
    assert "Tệp quá lớn: giới hạn tải lên là 1 MB." in alert(html)
    assert 'name="plan"' in html  # the form again


def test_too_large_upload_413_en(client):
    r = post(client, b"a" * (2 * 1024 * 1024), "big.txt", lang="en", query="?lang=en")
    assert r.status_code == 413
    assert "File too large: the upload limit is 1 MB." in alert(r.get_data(as_text=True))


def test_empty_file_400(client):
    r = post(client, b"", "trong.txt")
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert alert(html).endswith("Tệp rỗng: trong.txt")
    assert 'name="plan"' in html


def test_renamed_executable_refused(client):
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(range(256)) * 8
    r = post(client, exe, "ke-hoach.docx")
    assert r.status_code == 400
    msg = alert(r.get_data(as_text=True))
    assert "ke-hoach.docx" in msg and "không phải định dạng được hỗ trợ" in msg


def test_renamed_binary_english(client):
    r = post(client, b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "plan.pdf", lang="en")
    assert r.status_code == 400
    assert "is not a supported format" in alert(r.get_data(as_text=True))


def test_text_named_docx_refused(client):
    # the name promises a Word file; the content is not one
    r = post(client, "Kế hoạch số 12/KH-UBND".encode(), "plan.docx")
    assert r.status_code == 400
    assert "nội dung không phải tệp .docx" in alert(r.get_data(as_text=True))


def test_corrupt_docx_same_message_as_cli(client, tmp_path):
    data = b"PK\x03\x04" + b"\x00garbage" * 50
    r = post(client, data, "hong.docx")
    assert r.status_code == 400
    msg = alert(r.get_data(as_text=True))
    # the reader's own PlanError, with the uploaded name instead of the temporary one
    p = tmp_path / "hong.docx"
    p.write_bytes(data)
    from checker.read import read
    with pytest.raises(PlanError) as e:
        read(p)
    assert e.value.message("vi").replace(str(p), "hong.docx") in msg
    assert "upload" not in msg and "plancheck-serve-" not in msg


def test_scanned_pdf_same_message_as_cli(client, tmp_path):
    fpdf = pytest.importorskip("fpdf", reason="fpdf2 is not installed")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 120, 160, style="F")  # a page with a picture and no text layer
    p = tmp_path / "scan.pdf"
    pdf.output(str(p))
    from checker.read import read
    with pytest.raises(PlanError) as e:
        read(p)
    for lang in ("vi", "en"):
        r = post(client, p.read_bytes(), "Kế hoạch quét.pdf", lang=lang)
        assert r.status_code == 400
        assert e.value.message(lang) in alert(r.get_data(as_text=True))


def test_zip_that_is_not_word_refused(client):
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("payload.bin", b"x" * 100)
    r = post(client, buf.getvalue(), "plan.docx")
    assert r.status_code == 400
    assert alert(r.get_data(as_text=True))


def test_missing_file_and_sets_and_bad_date(client):
    r = client.post("/check", data={"ref": ["nq57"]}, content_type="multipart/form-data")
    assert r.status_code == 400 and "Chưa chọn tệp" in alert(r.get_data(as_text=True))
    r = post(client, b"Ke hoach", "a.txt", refs=())
    assert r.status_code == 400 and "ít nhất một bộ" in alert(r.get_data(as_text=True))
    r = post(client, b"Ke hoach", "a.txt", refs=("../../etc/passwd",))
    assert r.status_code == 400 and "Bộ văn bản không có" in alert(r.get_data(as_text=True))
    r = post(client, b"Ke hoach", "a.txt", as_of="31/31/2025")
    assert r.status_code == 400 and "Ngày không hợp lệ" in alert(r.get_data(as_text=True))


def test_unknown_and_malformed_tokens(client):
    assert client.get("/report/" + "0" * 32).status_code == 404
    assert client.get("/report/../../etc/passwd").status_code == 404
    assert client.get("/report/%2e%2e%2fsecret/download/json").status_code == 404
    r = client.get("/report/" + "0" * 32 + "/download/exe")
    assert r.status_code == 404


# ---------------------------------------------------------------- temp folder, names

def test_upload_written_to_removed_temp_dir_under_fixed_name(tmp_path):
    seen = {}

    def fake_check(path, refs, as_of):
        seen["path"] = Path(path)
        seen["exists"] = Path(path).exists()
        seen["bytes"] = Path(path).read_bytes()
        raise PlanError("x", f"Lỗi thử: {Path(path).name}", f"Test error: {path}")

    client = create_app(check_fn=fake_check).test_client()
    r = post(client, b"Ke hoach so 1", "../../../../tmp/evil name.txt")
    assert r.status_code == 400
    p = seen["path"]
    assert seen["exists"] and seen["bytes"] == b"Ke hoach so 1"
    assert p.name == "upload.txt" and p.parent.name.startswith("plancheck-serve-")
    assert not p.exists() and not p.parent.exists()  # removed after the check
    msg = alert(r.get_data(as_text=True))
    assert msg.endswith("Lỗi thử: evil name.txt")  # the client's name, not the temp one


def test_internal_error_is_a_message_not_a_traceback():
    def boom(path, refs, as_of):
        raise RuntimeError("secret internals")

    r = post(create_app(check_fn=boom).test_client(), b"Ke hoach", "a.txt")
    assert r.status_code == 500
    html = r.get_data(as_text=True)
    assert "Lỗi nội bộ" in alert(html) and "secret internals" not in html and "Traceback" not in html


def test_display_name_and_sniff():
    assert display_name("C:\\Users\\x\\Kế hoạch.docx") == "Kế hoạch.docx"
    assert display_name("../../a/b.txt") == "b.txt"
    assert display_name("") == "upload"
    assert sniff_upload(b"%PDF-1.7 ...", "x.pdf") == "pdf"
    assert sniff_upload("Kế hoạch".encode(), "x.md") == "md"
    assert sniff_upload("Kế hoạch".encode("utf-16"), "x.txt") == "txt"
    with pytest.raises(PlanError):
        sniff_upload(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "x.txt")
    with pytest.raises(PlanError):
        sniff_upload(b"abc\x00def", "x.txt")


def test_inject_bar_keeps_report():
    html = "<!DOCTYPE html><html><head></head><body class='r'><h1>R</h1></body></html>"
    out = inject_bar(html, Markup("<div id=bar></div>"))
    assert out.replace("<div id=bar></div>", "") == html
    assert out.index("<div id=bar>") > out.index("<body class='r'>")


def test_result_store_expires_and_is_bounded():
    st = ResultStore(ttl=1000, capacity=3)
    toks = [st.put(object(), f"n{i}") for i in range(5)]
    assert len(st) == 3 and st.get(toks[0]) is None and st.get(toks[4]).name == "n4"
    assert st.get("../x") is None
    st.ttl = -1
    assert st.get(toks[4]) is None


# ---------------------------------------------------------------- the real report

@pytest.fixture
def real_client():
    engine_ready()
    return create_app(max_upload_mb=5).test_client()


def to_docx(text_path: Path, out: Path) -> Path:
    builders = pytest.importorskip("tests.builders", reason="tests/builders.py is absent")
    return builders.build_docx(text_path.read_text(encoding="utf-8"), out)


def check_and_follow(client, data: bytes, name: str, **kw):
    r = post(client, data, name, **kw)
    assert r.status_code == 303, alert(r.get_data(as_text=True))
    loc = r.headers["Location"]
    assert re.match(r"^/report/[0-9a-f]{32}\?lang=(vi|en)$", loc)
    page = client.get(loc)
    assert page.status_code == 200
    return loc.split("?")[0], page.get_data(as_text=True)


def test_seed_004_txt_report_names_nq71(real_client, seed):
    path = seed("004")
    base, html = check_and_follow(real_client, path.read_bytes(), path.name)
    assert "REF001" in html  # NQ 03/NQ-CP relied on after 01/4/2025
    assert "71/NQ-CP" in html and "03/NQ-CP" in html
    assert path.name in html
    assert 'id="plancheck-serve-bar"' in html
    for fmt in ("html", "md", "json"):
        assert f'href="{base}/download/{fmt}?lang=vi"' in html


def test_seed_004_docx_report_same_findings_as_cli(real_client, seed, tmp_path):
    from checker.judge.config import Config
    from checker.pipeline import check

    path = seed("004")
    docx = to_docx(path, tmp_path / "004.docx")
    base, html = check_and_follow(real_client, docx.read_bytes(), "Kế hoạch 004.docx")
    assert "REF001" in html and "Kế hoạch 004.docx" in html
    # the page and the CLI's engine agree on the findings
    cli = check(docx, references=["nq57", "nq71"], config=Config())
    got = json.loads(real_client.get(base + "/download/json").get_data(as_text=True))
    cli_rules = sorted(f.rule for f in cli.findings)
    assert sorted(f["rule"] for f in got["findings"]) == cli_rules


def test_report_page_is_the_report_renderer(real_client, seed):
    """The page body is checker.render.report.render's HTML plus the bar, nothing else."""
    from checker.render.report import render

    path = seed("000")
    base, html = check_and_follow(real_client, path.read_bytes(), path.name)
    store_html = real_client.get(base + "/download/html").get_data(as_text=True)
    assert re.sub(r'<div id="plancheck-serve-bar".*?</style>', "", html, flags=re.S) == store_html
    assert render.__module__ == "checker.render.report"


def test_downloads(real_client, seed):
    path = seed("002")
    base, _ = check_and_follow(real_client, path.read_bytes(), path.name)
    for fmt, mime in (("html", "text/html"), ("md", "text/markdown"), ("json", "application/json")):
        r = real_client.get(f"{base}/download/{fmt}")
        assert r.status_code == 200
        assert r.headers["Content-Type"].startswith(mime)
        cd = r.headers["Content-Disposition"]
        assert cd.startswith("attachment;") and cd.endswith(f'.plancheck.{fmt}"')
        assert "/" not in cd.split("filename=")[1]
        assert r.get_data(as_text=True).strip()
    data = json.loads(real_client.get(f"{base}/download/json").get_data(as_text=True))
    assert data["findings"]


def test_report_english(real_client, seed):
    path = seed("004")
    r = post(real_client, path.read_bytes(), path.name, lang="en")
    loc = r.headers["Location"]
    assert loc.endswith("?lang=en")
    html = real_client.get(loc).get_data(as_text=True)
    assert "Download the report" in html and "Check another file" in html
    vi = real_client.get(loc.replace("lang=en", "lang=vi")).get_data(as_text=True)
    assert "Tải báo cáo" in vi and vi != html
    # the findings themselves are worded in the page's language (REF001's message has no placeholder)
    import html as _html

    from checker.judge.rulepack import load_rules
    ref001 = next(r for r in load_rules() if r.code == "REF001")
    assert ref001.message_en in _html.unescape(html)
    assert ref001.message_vi in _html.unescape(vi)
    assert ref001.message_vi not in _html.unescape(html)
    data = json.loads(real_client.get(loc.split("?")[0] + "/download/json?lang=en").get_data(as_text=True))
    assert any(f["rule"] == "REF001" and f["message"] == ref001.message_en for f in data["findings"])


def test_real_docx_under_a_wrong_name_is_read_by_content(real_client, seed, tmp_path):
    docx = to_docx(seed("004"), tmp_path / "004.docx")
    _, html = check_and_follow(real_client, docx.read_bytes(), "ke-hoach.pdf")
    assert "REF001" in html


def test_render_failure_is_a_message(seed):
    engine_ready()

    def broken_render(result, fmt, lang):
        raise RuntimeError("template exploded")

    client = create_app(render_fn=broken_render).test_client()
    r = post(client, seed("000").read_bytes(), "a.txt")
    assert r.status_code == 303
    page = client.get(r.headers["Location"])
    assert page.status_code == 500
    html = page.get_data(as_text=True)
    assert "Lỗi nội bộ" in alert(html) and "template exploded" not in html


def test_as_of_field_is_the_cli_option(real_client, seed):
    """Seed 000 (March 2025) is clean of outdated references at its own date,
    not when judged as of 2026-01-01 — the page's as-of field is --as-of."""
    path = seed("000")

    def categories(as_of: str) -> set[str]:
        base, _ = check_and_follow(real_client, path.read_bytes(), path.name, as_of=as_of)
        data = json.loads(real_client.get(base + "/download/json").get_data(as_text=True))
        return {f["category"] for f in data["findings"]}

    own = categories("")
    later = categories("2026-01-01")
    assert "outdated-reference" not in own and "abolished-body" not in own
    assert {"outdated-reference", "abolished-body"} <= later
    assert categories("01/01/2026") == later


def test_plan_text_and_name_escaped(real_client, seed):
    text = seed("004").read_text(encoding="utf-8")
    evil = "<script>alert('x')</script>"
    text = text.replace("Căn cứ", f"Căn cứ {evil}", 1)
    _, html = check_and_follow(real_client, text.encode(), "<img src=x onerror=alert(1)>.txt")
    assert evil not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in html


def test_concurrent_uploads_get_their_own_report(seed):
    engine_ready()
    app = create_app(max_upload_mb=5)
    paths = [seed(p) for p in ("000", "002", "004")]
    out: dict[int, tuple] = {}

    def one(i: int) -> None:
        c = app.test_client()
        p = paths[i % len(paths)]
        r = post(c, p.read_bytes(), f"{i}-{p.name}")
        base = r.headers["Location"].split("?")[0]
        out[i] = (p, json.loads(c.get(base + "/download/json").get_data(as_text=True)))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(out) == 6
    by_seed: dict[Path, list] = {}
    for i, (p, data) in out.items():
        assert data["plan"]["source"] == f"{i}-{p.name}"
        by_seed.setdefault(p, []).append(sorted(json.dumps(f, sort_keys=True, ensure_ascii=False)
                                                for f in data["findings"]))
    for p, runs in by_seed.items():
        assert all(r == runs[0] for r in runs), p.name


def test_real_server_413_is_a_page_not_a_reset():
    """werkzeug's server drains the refused body, so the client reads the 413 page."""
    import urllib.error
    import urllib.request

    from checker.apps.serve import BackgroundServer

    with BackgroundServer(create_app(max_upload_mb=1)) as srv:
        boundary = "xyzBOUNDARY"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"plan\"; filename=\"lon.txt\"\r\n"
                "Content-Type: text/plain\r\n\r\n").encode() + b"a" * (3 * 1024 * 1024) + \
            f"\r\n--{boundary}--\r\n".encode()
        req = urllib.request.Request(srv.url + "/check?lang=en", data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=30)
        assert e.value.code == 413
        assert "File too large: the upload limit is 1 MB." in e.value.read().decode()


def test_serve_command_binds_loopback_by_default(tmp_path):
    """`plancheck serve --port 0` starts, says where, answers on 127.0.0.1, stops on SIGINT."""
    import signal
    import subprocess
    import sys
    import time
    import urllib.request

    proc = subprocess.Popen([sys.executable, "-m", "checker.apps.cli", "serve", "--port", "0"],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            cwd=Path(__file__).resolve().parent.parent)
    try:
        line = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "http://" not in line:
            line = proc.stderr.readline()
            if not line and proc.poll() is not None:
                break
        m = re.search(r"(http://[^\s]+/)", line)
        assert m, f"no URL printed: {line!r}"
        url = m.group(1)
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url, timeout=30) as r:
            assert r.status == 200 and "Kéo và thả tệp vào đây" in r.read().decode()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def test_serve_command_help():
    from click.testing import CliRunner

    from checker.apps.cmd_serve import command

    out = CliRunner().invoke(command, ["--help"]).output
    for opt in ("--host", "--port", "--max-upload-mb", "--lang"):
        assert opt in out
