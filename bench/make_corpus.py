"""Generate a corpus of plausible commune plans by recombining the seeds.

Each generated plan takes the header of one seed (its "Căn cứ" lines
included), then for each part of a plan (purpose/objectives, tasks and
solutions, funding, organisation, annex) the part of a randomly chosen seed;
inside the tasks part a few subsections are dropped and runs of bullet lines
are shuffled, so coverage and findings vary from plan to plan.  The commune
names of all seeds are replaced by one generated name.  Deterministic for a
given ``--seed``.

    python bench/make_corpus.py --n 100 --out bench/corpus/n100

The output folder is git-ignored (bench/corpus/): generated data never goes
into the repository.
"""
from __future__ import annotations

import argparse
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_SEEDS = ROOT.parent / "shared" / "seeds"
PARTS = ("intro", "tasks", "funding", "organisation", "annex")
_ROLE_PART = {"purpose": "intro", "objectives": "intro", "tasks": "tasks", "solutions": "tasks",
              "funding": "funding", "organisation": "organisation", "annex": "annex",
              "indicators": "annex"}
_BULLET = re.compile(r"^\s*(?:[-+•*]\s|[a-zđ]\)\s)")

_SYL1 = ["Tân", "Phú", "Bình", "An", "Hòa", "Long", "Thạnh", "Phước", "Đông", "Tây", "Nam", "Bắc",
         "Vĩnh", "Quảng", "Hưng", "Mỹ", "Trung", "Xuân", "Cẩm", "Đức", "Kim", "Ngọc", "Sơn", "Thủy"]
_SYL2 = ["Lợi", "Thành", "Phong", "Lộc", "Điền", "Hiệp", "Khánh", "Nghĩa", "Thịnh", "Tiến", "Lâm",
         "Hải", "Hà", "Yên", "Thuận", "Mỹ", "Phát", "Quang", "Sơn", "Trạch", "Hội", "Bình", "Dương"]


@dataclass
class Seed:
    path: Path
    lines: list[str]
    header: list[str]  # lines before the first top-level section
    parts: dict[str, list[list[str]]]  # part → blocks (one per top-level section)
    names: list[str]  # commune names to replace


def _commune_names(plan) -> list[str]:
    from checker.apps.audit import commune_name

    name = commune_name(plan.header.issuer, plan.header.place, plan.source)
    bare = re.sub(r"^(Xã|Phường|Thị trấn|Đặc khu)\s+", "", name)
    out = {bare, bare.upper()}
    if plan.header.place:
        out.add(plan.header.place.strip())
    return sorted((n for n in out if len(n) > 2), key=len, reverse=True)


def load_seed(path: Path) -> Seed:
    from checker.pipeline import extract

    plan = extract(path)
    lines = path.read_text(encoding="utf-8").split("\n")
    top = sorted((s for s in plan.sections if s.level == 1), key=lambda s: s.loc.line)
    if not top:
        return Seed(path, lines, lines, {}, _commune_names(plan))
    header = lines[:top[0].loc.line - 1]
    parts: dict[str, list[list[str]]] = {}
    for i, s in enumerate(top):
        stop = top[i + 1].loc.line - 1 if i + 1 < len(top) else len(lines)
        block = lines[s.loc.line - 1:stop]
        role = s.role
        if role is None:  # a top-level section without a role: look at its children
            kids = [c.role for c in plan.sections if c.parent == s.id and c.role]
            role = kids[0] if kids else "annex"
        subs = [c for c in plan.sections if c.parent == s.id]
        parts.setdefault(_ROLE_PART.get(role, "annex"), []).append(
            _with_subsections(block, s.loc.line, [c.loc.line for c in subs]))
    return Seed(path, lines, header, parts, _commune_names(plan))


def _with_subsections(block: list[str], first: int, starts: list[int]) -> list[list[str]]:
    """Split a top-level block into [heading part, subsection, subsection …]."""
    cuts = sorted(x - first for x in starts if first < x < first + len(block))
    chunks, prev = [], 0
    for c in cuts:
        chunks.append(block[prev:c])
        prev = c
    chunks.append(block[prev:])
    return chunks


def _shuffle_bullets(lines: list[str], rng: random.Random) -> list[str]:
    out, run = [], []
    for ln in lines + [None]:
        if ln is not None and _BULLET.match(ln):
            run.append(ln)
            continue
        if run:
            rng.shuffle(run)
            out.extend(run)
            run = []
        if ln is not None:
            out.append(ln)
    return out


def commune(rng: random.Random, i: int) -> str:
    return f"{rng.choice(_SYL1)} {rng.choice(_SYL2)}" + ("" if i < 400 else f" {i // 400 + 1}")


def generate_one(seeds: list[Seed], rng: random.Random, i: int) -> str:
    head = rng.choice(seeds)
    name = commune(rng, i)
    out = list(head.header)
    for part in PARTS:
        donors = [s for s in seeds if s.parts.get(part)]
        if not donors:
            continue
        donor = head if (head.parts.get(part) and rng.random() < 0.35) else rng.choice(donors)
        for block in donor.parts[part]:
            chunks = [block[0]] + [c for c in block[1:] if part != "tasks" or rng.random() > 0.15]
            for c in chunks:
                out.extend(_shuffle_bullets(c, rng) if part == "tasks" else c)
    text = "\n".join(out)
    for s in seeds:
        for n in s.names:
            text = text.replace(n, name.upper() if n.isupper() else name)
    return text


def generate(n: int, out_dir: str | Path, seeds_dir: str | Path = DEFAULT_SEEDS, seed: int = 57) -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    seeds = [load_seed(p) for p in sorted(Path(seeds_dir).glob("*.txt"))]
    if not seeds:
        raise SystemExit(f"no seed plans in {seeds_dir}")
    rng = random.Random(seed)
    paths = []
    for i in range(n):
        p = out / f"plan_{i:05d}.txt"
        text = generate_one(seeds, rng, i)
        if not p.exists() or p.read_text(encoding="utf-8") != text:
            p.write_text(text, encoding="utf-8")
        paths.append(p)
    for extra in sorted(out.glob("plan_*.txt"))[n:]:  # a smaller n than last time
        if extra not in paths:
            extra.unlink()
    return paths


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--out", default=str(ROOT / "bench" / "corpus" / "n100"))
    ap.add_argument("--seeds", default=str(DEFAULT_SEEDS))
    ap.add_argument("--seed", type=int, default=57)
    a = ap.parse_args(argv)
    paths = generate(a.n, a.out, a.seeds, a.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} plans in {a.out} ({size / 1024:.0f} KB, {size / len(paths) / 1024:.1f} KB/plan)")


if __name__ == "__main__":
    main()
