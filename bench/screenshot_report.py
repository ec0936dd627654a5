"""Render the HTML report of a seed plan and screenshot it with headless Chromium.

    python bench/screenshot_report.py [SEED_PREFIX|PLAN_PATH] [--out docs/img/report.png] [--lang vi|en]

The page is written next to the PNG (report.html) so it can be opened too.
Needs /usr/bin/chromium (Debian/Ubuntu package "chromium"); without it the
script writes the HTML only and says so.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]


def find_plan(arg: str) -> Path:
    p = Path(arg)
    if p.exists():
        return p
    hits = sorted((ROOT.parent / "shared" / "seeds").glob(f"{arg}_*.txt"))
    if not hits:
        sys.exit(f"no plan {arg!r} (give a path or a seed prefix such as 002)")
    return hits[0]


def chromium() -> str | None:
    for name in ("/usr/bin/chromium", "/usr/bin/chromium-browser", "chromium", "google-chrome"):
        found = shutil.which(name) if not name.startswith("/") else (name if Path(name).exists() else None)
        if found:
            return found
    return None


def screenshot(html: Path, png: Path, width: int = 1280, height: int = 2000) -> bool:
    exe = chromium()
    if exe is None:
        print("chromium not found: wrote the HTML only", file=sys.stderr)
        return False
    png.parent.mkdir(parents=True, exist_ok=True)
    cmd = [exe, *FLAGS, f"--screenshot={png}", f"--window-size={width},{height}", html.resolve().as_uri()]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    return png.exists()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("plan", nargs="?", default="002")
    ap.add_argument("--out", default=str(ROOT / "docs" / "img" / "report.png"))
    ap.add_argument("--lang", default="vi", choices=["vi", "en"])
    ap.add_argument("--as-of", default=None)
    args = ap.parse_args()

    import datetime as dt

    from checker import pipeline
    from checker.render.report import render

    plan = find_plan(args.plan)
    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    res = pipeline.check(str(plan), as_of=as_of)
    png = Path(args.out)
    html = png.with_name("report.html")
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(render(res, "html", lang=args.lang), encoding="utf-8")
    ok = screenshot(html, png)
    print(f"{html}" + (f"\n{png}" if ok else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
