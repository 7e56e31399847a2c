"""Issue 13: ``--json``, ``--lang`` and ``--config`` are declared once (kaigai.cli.options) and
taken by every command, after its name as documented or before it."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer._click.core import Context
from typer.testing import CliRunner

import kaigai.cli as cli_pkg
from kaigai.cli.app import app

runner = CliRunner()
SHARED = ("--json", "--lang", "--config")


def _leaves(cmd: Any, path: str) -> list[tuple[str, Any]]:
    if hasattr(cmd, "list_commands"):
        ctx = Context(cmd)
        out = [(path, cmd)] if getattr(cmd, "invoke_without_command", False) else []
        for name in sorted(cmd.list_commands(ctx)):
            out += _leaves(cmd.get_command(ctx, name), f"{path} {name}")
        return out
    return [(path, cmd)]


def _flags(cmd: Any) -> list[str]:
    return [o for p in cmd.params for o in getattr(p, "opts", ()) if o in SHARED]


def test_each_command_takes_each_shared_option_once() -> None:
    root = typer.main.get_command(app)
    cmds = dict(_leaves(root, "kaigai"))
    assert len(cmds) == 29  # 28 leaf commands + `kaigai markets` (runs on its own)
    narrower = {
        "kaigai config show": ["--json", "--config"],
        "kaigai data coverage": ["--json", "--config"],
        "kaigai duty-changes": ["--json", "--config"],
        "kaigai duty-import": ["--json", "--config"],
        "kaigai origin coverage": ["--json", "--config"],
        "kaigai serve": ["--config"],
    }
    for path, cmd in cmds.items():
        assert _flags(cmd) == narrower.get(path, list(SHARED)), path


def test_no_command_module_declares_a_shared_option() -> None:
    pkg = Path(cli_pkg.__file__).parent
    found = []
    for py in sorted(pkg.glob("*.py")):
        for node in ast.walk(ast.parse(py.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", None) == "Option"
                and any(isinstance(a, ast.Constant) and a.value in SHARED for a in node.args)
            ):
                found.append(py.name)
    assert found == ["options.py", "options.py", "options.py"]


def _json(args: list[str]) -> Any:
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_shared_options_before_or_after_the_command_name() -> None:
    after = _json(["countries", "VNM", "--json"])
    before = _json(["--json", "countries", "VNM"])
    assert before == after
    assert after["countries"][0]["iso3"] == "VNM"
    assert after["countries"][0]["name_ja"] == "ベトナム"
    nested_after = _json(["hs", "show", "847130", "--json"])
    assert _json(["--json", "hs", "show", "847130"]) == nested_after
    assert nested_after["code"] == "847130"


def test_lang_at_root_and_on_the_command() -> None:
    res = runner.invoke(app, ["--lang", "ja", "countries", "VNM"])
    assert res.exit_code == 0, res.output
    assert "数字コード" in res.stdout and "Numeric" not in res.stdout
    # the command's own value wins over the root's
    res = runner.invoke(app, ["--lang", "ja", "countries", "VNM", "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "Numeric" in res.stdout and "数字コード" not in res.stdout


def test_config_file_reaches_settings(tmp_path: Path) -> None:
    cfg = tmp_path / "kaigai.toml"
    cfg.write_text('[kaigai]\nlang = "ja"\n', encoding="utf-8")
    for args in (["config", "show", "--json", "--config", str(cfg)],
                 ["--config", str(cfg), "--json", "config", "show"]):  # fmt: skip
        got = _json(args)
        assert got["config_files"] == [str(cfg)]
        assert got["settings"]["lang"] == "ja"


def test_an_option_a_command_does_not_take_is_refused() -> None:
    res = runner.invoke(app, ["--lang", "ja", "serve"])
    assert res.exit_code == 2
    assert "--lang does not apply to `kaigai serve`." in res.output
    res = runner.invoke(app, ["serve", "--json"])
    assert res.exit_code == 2
    assert "No such option: --json" in res.output
    res = runner.invoke(app, ["--json", "config", "show", "--lang", "ja"])
    assert res.exit_code == 2
    assert "No such option: --lang" in res.output


def test_config_file_is_not_kept_past_its_invocation(tmp_path: Path) -> None:
    """The --config of one in-process run is not what the kernels' folder or a later run reads
    (it was left set until the next run reached the root callback)."""
    from kaigai.core.config_file import chosen_config_file

    cfg = tmp_path / "kaigai.toml"
    cfg.write_text('[kaigai]\nlang = "ja"\n', encoding="utf-8")
    assert chosen_config_file() is None
    _json(["config", "show", "--json", "--config", str(cfg)])
    assert chosen_config_file() is None
    res = runner.invoke(app, ["--config", str(cfg), "--lang", "ja", "serve"])  # refused
    assert res.exit_code == 2
    assert chosen_config_file() is None


def _panel(tmp_path: Path) -> Path:
    from kaigai.policy.ppml_synthetic import synthetic_gravity_panel

    data = tmp_path / "panel.csv"
    synthetic_gravity_panel(8, 2, seed=1).to_csv(data, index=False)
    return data


@pytest.mark.parametrize("kind", ["missing", "folder", "invalid", "not utf-8"])
@pytest.mark.parametrize("as_json", [True, False])
def test_a_bad_config_file_is_refused_by_every_path(
    tmp_path: Path, kind: str, as_json: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    """`policy estimate --json` never builds the settings: a missing, invalid or undecodable
    --config passed silently there (and a missing one everywhere), a non-UTF-8 one gave a
    traceback. Now exit 78 and the message on every path."""
    from kaigai.cli.app import main

    cfg = tmp_path / "kaigai.toml"
    if kind == "folder":
        cfg.mkdir()
    elif kind == "invalid":
        cfg.write_text("lang = \n", encoding="utf-8")
    elif kind == "not utf-8":
        cfg.write_bytes(b"\xff\xfe lang")
    want = {
        "missing": f"Error: Config file {cfg} does not exist",
        "folder": f"Error: Config file {cfg} does not exist (it is a folder)",
        "invalid": f"Error: Config file {cfg} is not valid TOML: Invalid value (at line 1, column 8)",
        "not utf-8": f"Error: Config file {cfg} is not valid TOML: 'utf-8' codec can't decode byte"
        " 0xff in position 0: invalid start byte",
    }[kind]
    fml = "trade ~ rta | exp_year + imp_year"
    estimate = ["policy", "estimate", "--data", str(_panel(tmp_path)), "--formula", fml]
    for args in ([*estimate, "--config", str(cfg)], ["--config", str(cfg), "config", "show"]):
        with pytest.raises(SystemExit) as ei:
            main([*args, "--json"] if as_json else args)
        assert ei.value.code == 78
        out = capsys.readouterr()
        assert out.err.splitlines()[0] == want
        if as_json:
            assert json.loads(out.out)["error"]["code"] == "config_error"
