#!/usr/bin/env python3
"""Load check for ``plancheck serve``: N concurrent uploads on loopback.

    python bench/load_serve.py                  # 24 uploads, 8 at a time
    python bench/load_serve.py -n 60 -c 16 --docx --json out.json

Starts the app on werkzeug's threaded server at 127.0.0.1 (a free port) —
or uses ``--url`` of a running ``plancheck serve``, loopback only — and
uploads the seed plans (as .txt, and as .docx with ``--docx``), each under a
unique name, from ``-c`` threads at once.  Every upload must come back with
its OWN report: the JSON download names the uploaded file and carries the
same findings as the engine gives for that file run alone, serially, before
the load.  Bounded: at most 500 uploads, 64 threads and ``--timeout``
seconds in all.  Prints latency percentiles (upload → report page) and exits
1 if any upload failed or got a wrong report.
"""
from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MAX_N, MAX_C, MAX_T = 500, 64, 1800


@dataclass
class Upload:
    i: int
    name: str
    data: bytes
    kind: str  # which prepared file
    latency: float | None = None
    ok: bool = False
    error: str = ""
    report_url: str = ""
    extra: dict = field(default_factory=dict)


def multipart(fields: list[tuple[str, str]], file_field: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = "----plancheck" + uuid.uuid4().hex
    out = io.BytesIO()
    for k, v in fields:
        out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode())
    safe = filename.replace('"', "%22").replace("\r", " ").replace("\n", " ")
    out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; "
              f"filename=\"{safe}\"\r\n"
              "Content-Type: application/octet-stream\r\n\r\n".encode())
    out.write(data)
    out.write(f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def finding_key(f: dict) -> tuple:
    return (f.get("rule"), f.get("line"), f.get("severity"), f.get("message"), f.get("excerpt"))


def expected_findings(path: Path, refs: list[str]) -> list[tuple]:
    """The engine's answer for one file, run alone (the CLI's path)."""
    from checker.judge.config import Config
    from checker.pipeline import check
    from checker.render.report import render

    result = check(path, references=refs, config=Config())
    data = json.loads(render(result, "json", lang="vi"))
    return sorted(finding_key(f) for f in data["findings"])


def prepare(seeds: Path, docx: bool, tmp: Path) -> dict[str, tuple[str, bytes]]:
    files: dict[str, tuple[str, bytes]] = {}
    for p in sorted(seeds.glob("*.txt")):
        files[p.stem + ".txt"] = (".txt", p.read_bytes())
        if docx:
            sys.path.insert(0, str(ROOT / "tests"))
            from builders import build_docx

            d = build_docx(p.read_text(encoding="utf-8"), tmp / (p.stem + ".docx"))
            files[p.stem + ".docx"] = (".docx", d.read_bytes())
    return files


def one(base: str, up: Upload, refs: list[str], deadline: float) -> Upload:
    fields = [("lang", "vi")] + [("ref", r) for r in refs]
    body, ctype = multipart(fields, "plan", up.name, up.data)
    req = urllib.request.Request(base + "/check", data=body, method="POST",
                                 headers={"Content-Type": ctype})
    t0 = time.perf_counter()
    try:
        left = max(1.0, deadline - time.monotonic())
        with urllib.request.urlopen(req, timeout=left) as r:  # follows the 303 to the report
            page = r.read().decode("utf-8", "replace")
            final = r.geturl()
        up.latency = time.perf_counter() - t0
        path = urllib.parse.urlsplit(final).path
        if not path.startswith("/report/"):
            up.error = f"no report page (ended at {path})"
            return up
        up.report_url = path
        with urllib.request.urlopen(base + path + "/download/json",
                                    timeout=max(1.0, deadline - time.monotonic())) as r:
            up.extra["json"] = json.loads(r.read().decode("utf-8"))
        up.extra["page_has_name"] = up.name in page
    except urllib.error.HTTPError as e:
        up.latency = time.perf_counter() - t0
        up.error = f"HTTP {e.code}"
    except Exception as e:  # noqa: BLE001 - reported, counted as a failure
        up.error = f"{type(e).__name__}: {e}"
    return up


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=24, help=f"uploads in all (max {MAX_N})")
    ap.add_argument("-c", "--concurrency", type=int, default=8, help=f"uploads at once (max {MAX_C})")
    ap.add_argument("--timeout", type=float, default=600, help=f"seconds for the whole run (max {MAX_T})")
    ap.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    ap.add_argument("--docx", action="store_true", help="also upload each seed converted to .docx")
    ap.add_argument("--refs", default="nq57,nq71")
    ap.add_argument("--url", help="a running plancheck serve on loopback (default: start one here)")
    ap.add_argument("--json", type=Path, help="write the measurements here")
    a = ap.parse_args(argv)
    n, c = min(max(a.n, 1), MAX_N), min(max(a.concurrency, 1), MAX_C)
    timeout = min(max(a.timeout, 5), MAX_T)
    refs = [r for r in a.refs.split(",") if r]
    if not a.seeds.is_dir():
        print(f"no seeds folder: {a.seeds}", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="plancheck-load-") as tmp:
        files = prepare(a.seeds, a.docx, Path(tmp))
        print(f"baseline: {len(files)} files checked serially by the engine …", file=sys.stderr)
        t0 = time.perf_counter()
        expected = {}
        for key, (suffix, data) in files.items():
            p = Path(tmp) / f"base-{key}"
            p.write_bytes(data)
            expected[key] = expected_findings(p, refs)
        serial = (time.perf_counter() - t0) / len(files)

        keys = list(files)
        uploads = [Upload(i, f"tải lên {i:03d} — {keys[i % len(keys)]}", files[keys[i % len(keys)]][1],
                          keys[i % len(keys)]) for i in range(n)]

        server = None
        if a.url:
            host = urllib.parse.urlsplit(a.url).hostname or ""
            from checker.apps.serve import is_loopback

            if not is_loopback(host):
                print("--url must be a loopback address", file=sys.stderr)
                return 2
            base = a.url.rstrip("/")
        else:
            from checker.apps.serve import BackgroundServer, ResultStore, create_app

            app = create_app(store=ResultStore(capacity=max(64, n + 8)))
            if app.extensions.get("plancheck_pool"):
                app.extensions["plancheck_pool"]()  # the check workers start now, as under plancheck serve
            server = BackgroundServer(app).__enter__()
            base = server.url
        print(f"{n} uploads, {c} at a time, to {base} (timeout {timeout:.0f} s) …", file=sys.stderr)
        deadline = time.monotonic() + timeout
        t_start = time.perf_counter()
        try:
            with ThreadPoolExecutor(max_workers=c) as pool:
                futs = [pool.submit(one, base, u, refs, deadline) for u in uploads]
                done, pending = wait(futs, timeout=timeout + 5)
                for f in pending:
                    f.cancel()
        finally:
            wall = time.perf_counter() - t_start
            if server is not None:
                server.__exit__(None, None, None)

    # judge every upload: its own name, the engine's findings for its file
    for u in uploads:
        if u.error or "json" not in u.extra:
            u.error = u.error or "not finished in time"
            continue
        data = u.extra.pop("json")
        source = (data.get("plan") or {}).get("source") or data.get("source")
        got = sorted(finding_key(f) for f in data.get("findings", []))
        if source != u.name:
            u.error = f"report names {source!r}, not {u.name!r}"
        elif got != expected[u.kind]:
            u.error = f"findings differ from the engine's ({len(got)} vs {len(expected[u.kind])})"
        elif not u.extra.get("page_has_name"):
            u.error = "report page does not show the uploaded name"
        else:
            u.ok = True
    tokens = [u.report_url for u in uploads if u.report_url]
    distinct = len(set(tokens)) == len(tokens)

    lat = [u.latency for u in uploads if u.ok and u.latency is not None]
    summary = {
        "uploads": n, "concurrency": c, "ok": sum(u.ok for u in uploads),
        "failed": [{"i": u.i, "file": u.kind, "error": u.error} for u in uploads if not u.ok][:20],
        "distinct_reports": distinct,
        "files": len(files), "docx": a.docx,
        "serial_engine_s_per_file": round(serial, 3),
        "wall_s": round(wall, 2), "throughput_per_s": round(len(lat) / wall, 2) if wall else None,
        "latency_s": {
            "p50": round(pct(lat, .50), 3), "p90": round(pct(lat, .90), 3),
            "p95": round(pct(lat, .95), 3), "p99": round(pct(lat, .99), 3),
            "max": round(max(lat), 3) if lat else None,
            "mean": round(statistics.fmean(lat), 3) if lat else None,
        },
    }
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    if a.json:
        a.json.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0 if summary["ok"] == n and distinct else 1


if __name__ == "__main__":
    sys.exit(main())
