"""Command-line conventions CI users expect (issue 15): -h, '-' for stdin
with --stdin-filename, --quiet, NO_COLOR and --color, the concise one-line
format, fail_on from the config for check/diff/audit, strict config."""
from __future__ import annotations

import json
import re
import shutil

import pytest
from click.testing import CliRunner

from checker.apps.cli import main

ANSI = "\x1b["


def run(*args, input=None, env=None):
    return CliRunner().invoke(main, list(args), input=input, env=env, catch_exceptions=False)


def test_dash_h_is_help_everywhere():
    r = run("-h")
    assert r.exit_code == 0 and "Usage:" in r.output
    for name in main.list_commands(None):
        r = run(name, "-h")
        assert r.exit_code == 0 and "Usage:" in r.output, name
    sub = run("reference", "list", "-h")
    assert sub.exit_code == 0 and "Usage:" in sub.output


def test_stdin_with_a_filename(seed):
    text = seed("001").read_bytes()
    r = run("check", "-", "--stdin-filename", "plans/xa-a.txt", "--format", "concise", "--fail-on", "never",
            input=text)
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines and all(ln.startswith("plans/xa-a.txt:") for ln in lines)
    same = run("check", str(seed("001")), "--format", "concise", "--fail-on", "never").output
    assert [ln.split(":", 1)[1] for ln in lines] == [ln.split(":", 1)[1] for ln in same.splitlines()]
    anon = run("check", "-", "--format", "json", "--fail-on", "never", input=text)
    assert '"source": "<stdin>"' in anon.output
    ex = run("extract", "-", "--stdin-filename", "a.txt", "--format", "json", input=text)
    assert ex.exit_code == 0 and '"source": "a.txt"' in ex.output


@pytest.mark.parametrize("data", [b"", b"   \n"])
def test_empty_stdin_is_a_clear_error(data):
    r = CliRunner().invoke(main, ["check", "-"], input=data)
    assert r.exit_code == 2 and "stdin" in r.output
    assert isinstance(r.exception, SystemExit)  # a message, not a traceback


def test_concise_format(seed):
    # seed 001: a whole plan with many findings (seed 003 is an annex, judged for an annex's
    # content, so it has only a few); one line per located finding of the JSON report
    r = run("check", str(seed("001")), "--format", "concise", "--fail-on", "never")
    lines = r.output.splitlines()
    located = [f for f in json.loads(run("check", str(seed("001")), "--format", "json",
                                         "--fail-on", "never").output)["findings"] if f.get("line")]
    assert len(lines) > 10 and len(lines) >= len(located)
    pat = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d{3}) (?P<msg>\S.*)$")
    src = seed("001").read_text(encoding="utf-8").splitlines()
    for ln in lines:
        m = pat.match(ln)
        assert m, ln
        assert m["path"] == str(seed("001"))
        assert 1 <= int(m["line"]) <= len(src) and 1 <= int(m["col"]) <= len(src[int(m["line"]) - 1]) + 1


def test_color_no_color_and_NO_COLOR(seed, monkeypatch):
    from checker.apps import cli

    p = str(seed("002"))
    assert ANSI in run("check", p, "--color", "--fail-on", "never").output
    assert ANSI not in run("check", p, "--no-color", "--fail-on", "never").output
    assert ANSI not in run("check", p, "--fail-on", "never").output  # not a terminal

    class TTY:
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert cli.use_color(None, TTY()) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert cli.use_color(None, TTY()) is False
    assert cli.use_color(True, TTY()) is True  # an explicit --color wins
    monkeypatch.setenv("NO_COLOR", "")
    assert cli.use_color(None, TTY()) is True  # an empty NO_COLOR does not count


def test_quiet(seed, tmp_path):
    p = str(seed("001"))  # warnings, no error
    assert run("check", p, "--quiet").output == ""  # passes: nothing printed
    loud = run("check", p, "--quiet", "--fail-on", "warning")
    assert loud.exit_code == 1 and loud.output  # fails: the report
    (tmp_path / "plan.txt").write_bytes(seed("001").read_bytes())
    (tmp_path / "plancheck.toml").write_text('colour = "red"\n', encoding="utf-8")
    r = CliRunner().invoke(main, ["check", str(tmp_path / "plan.txt"), "--no-strict", "--quiet"])
    assert r.exit_code == 0 and r.output == ""


# ------------------------------------------------------------ config

def _plan_with_config(tmp_path, seed, toml: str, name="plancheck.toml"):
    plan = tmp_path / "plan.txt"
    plan.write_bytes(seed("001").read_bytes())
    (tmp_path / name).write_text(toml, encoding="utf-8")
    return str(plan)


def test_fail_on_from_config_is_honoured(seed, tmp_path):
    plan = _plan_with_config(tmp_path, seed, 'fail_on = "warning"\n')
    assert run("check", plan).exit_code == 1
    assert run("check", plan, "--fail-on", "never").exit_code == 0  # the option wins
    (tmp_path / "py").mkdir()
    plan2 = _plan_with_config(tmp_path / "py", seed, '[tool.plancheck]\nfail_on = "warning"\n',
                              name="pyproject.toml")
    assert run("check", plan2).exit_code == 1
    assert run("check", str(seed("001"))).exit_code == 0  # no config: error


@pytest.mark.parametrize("toml,what", [
    ("references = 5\n", "references"),
    ('as_of = 5\n', "as_of"),
    ('disable = 3\n', "disable"),
    ('severity = "x"\n', "severity"),
    ('waivers = "x"\n', "waivers"),
    ('baseline = 1\n', "baseline"),
    ('fail_on = 1\n', "fail_on"),
    ('level = "district"\n', "level"),
    ('[tool]\nplancheck = 1\n', "tool.plancheck"),
])
def test_wrong_types_are_a_message_and_exit_2(seed, tmp_path, toml, what):
    name = "pyproject.toml" if toml.startswith("[tool]") else "plancheck.toml"
    plan = _plan_with_config(tmp_path, seed, toml, name=name)
    for strict in ("--strict", "--no-strict"):
        r = CliRunner().invoke(main, ["check", plan, strict, "--lang", "en"])
        assert r.exit_code == 2, (toml, r.output)
        assert isinstance(r.exception, SystemExit), r.exception
        assert what in r.output and "Traceback" not in r.output


@pytest.mark.parametrize("toml,needle", [
    ('fail_onn = "warning"\n', "fail_onn"),
    ('disable = ["TSK999"]\n', "TSK999"),
    ('[severity]\nNOPE01 = "info"\n', "NOPE01"),
    ('[[waivers]]\nrule = "XYZ001"\nreason = "r"\n', "XYZ001"),
    ('[[waivers]]\nrule = "TSK001"\nreason = "r"\napprovr = "x"\n', "approvr"),
])
def test_unknown_keys_and_codes(seed, tmp_path, toml, needle):
    plan = _plan_with_config(tmp_path, seed, toml)
    r = CliRunner().invoke(main, ["check", plan, "--lang", "en"])
    assert r.exit_code == 2 and needle in r.output and "--no-strict" in r.output
    loose = CliRunner().invoke(main, ["check", plan, "--lang", "en", "--no-strict", "--format", "json"])
    assert loose.exit_code == 0
    assert needle in loose.stderr and "Warning" in loose.stderr


def test_categories_are_known_names_in_disable_and_severity(seed, tmp_path):
    plan = _plan_with_config(tmp_path, seed, 'disable = ["missing-task"]\n[severity]\nstructure = "info"\n')
    r = run("check", plan, "--format", "json")
    assert r.exit_code == 0 and '"MIS001"' not in r.output


def test_diff_and_audit_follow_fail_on(seed, tmp_path):
    old = tmp_path / "v1.txt"
    new = tmp_path / "v2.txt"
    old.write_text("KẾ HOẠCH\nI. MỤC ĐÍCH\n1. Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024.\n",
                   encoding="utf-8")
    new.write_bytes(seed("001").read_bytes())
    assert run("diff", str(old), str(new)).exit_code == 0  # default never
    (tmp_path / "plancheck.toml").write_text('fail_on = "warning"\n', encoding="utf-8")
    assert run("diff", str(old), str(new)).exit_code == 1
    assert run("diff", str(old), str(new), "--fail-on", "never").exit_code == 0
    # audit: the option, else the plan's config
    plans = tmp_path / "communes"
    plans.mkdir()
    shutil.copy(seed("001"), plans / "a.txt")
    out = tmp_path / "out"
    base = ["audit", str(plans), "--out", str(out), "--no-cache", "--jobs", "1", "--format", "json"]
    assert run(*base).exit_code == 1  # tmp_path/plancheck.toml says warning
    assert run(*base, "--fail-on", "never").exit_code == 0
    (tmp_path / "plancheck.toml").unlink()
    assert run(*base).exit_code == 0
    q = run(*base, "--fail-on", "warning", "--quiet")
    assert q.exit_code == 1 and q.output == ""
