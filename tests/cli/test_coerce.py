"""kaigai.cli.coerce converts plain option values exactly as Typer's pydantic adapters do:
the same value of the same type, or the same error message."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
import typer.main
from typer._click.core import Context
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param
from typer.core import TyperGroup

from kaigai.cli.app import load_command
from kaigai.cli.coerce import PlainParam, plain_param
from kaigai.cli.registry import COMMANDS

NUMBERS = ["0", "12", "-3", "05", "-0", " 2 ", "1_000", "+4", "1.5", "-0.25", "1e3", ".5", "1.",
           "inf", "nan", "abc", "", "0x10", "12345678901234567890", "3.14159265358979323846"]  # fmt: skip
TEXTS = ["abc", "", " x ", "日本", "a,b", "trade ~ rta | pair"]


def _option(annotation: Any, **kw: Any) -> tuple[Any, Context]:
    app = typer.Typer()

    def cmd(value=None):  # type: ignore[no-untyped-def]  # annotated below (a runtime type)
        pass

    cmd.__annotations__ = {"value": Annotated[annotation, typer.Option("--value", **kw)]}
    app.command()(cmd)
    command = typer.main.get_command(app)
    (param,) = [p for p in command.params if p.name == "value"]
    return param, Context(command)


def _convert(rt: Any, value: Any, param: Any, ctx: Context) -> tuple[str, Any]:
    try:
        out = rt.coerce(value, param=param, ctx=ctx)
    except BadParameter as exc:
        return "error", exc.format_message()
    if isinstance(out, list):
        return "list", [(type(v), repr(v)) for v in out]
    return repr(type(out)), repr(out)  # repr: nan equals nan, -0.0 differs from 0.0


def _same(annotation: Any, values: list[Any], **kw: Any) -> int:
    param, ctx = _option(annotation, **kw)
    plain = plain_param(param.type_descriptor)
    assert isinstance(plain, PlainParam)
    typer_rt = build_runtime_param(param.type_descriptor)
    fast = 0
    for v in values:
        want = _convert(typer_rt, v, param, ctx)
        got = _convert(plain, v, param, ctx)
        assert got == want, (annotation, v)
        if got == want and want[0] == "error":
            assert want[1]  # Typer's own message
        fast += want[0] != "error"
    return fast


def test_numbers_convert_as_typer_does() -> None:
    # the values Typer accepts come out equal (value and type); the rest give Typer's message
    assert _same(int, [*NUMBERS, 7, 7.0, True]) == 12
    assert _same(float, [*NUMBERS, 2.5, 3, True]) == 20


def test_text_paths_and_flags_convert_as_typer_does(tmp_path: Path) -> None:
    f = tmp_path / "panel.parquet"
    f.write_bytes(b"x")
    paths = [str(f), str(tmp_path), str(tmp_path / "absent.csv"), "a//b", "./x", "-", "", "~/x"]
    assert _same(str, [*TEXTS, 5]) == 7
    assert _same(Path, [*paths, f]) == 9
    assert _same(bool, [True, False, "yes", "0", "maybe"]) == 4
    assert _same(list[str], [["a", "b"], ("x",), [], ["a", 1]]) == 4
    assert _same(list[Path], [[str(f), "a//b"], [str(f)], []]) == 3
    # a path option that must be a file: Typer's messages for a folder
    assert _same(Path, [str(tmp_path), str(f)], dir_okay=False) == 1


def test_bounded_and_unusual_options_keep_typer_adapters() -> None:
    param, _ = _option(int, min=1)
    assert plain_param(param.type_descriptor) is None
    param, _ = _option(str, parser=str.upper)
    assert plain_param(param.type_descriptor) is None


def _params(cmd: Any) -> list[Any]:
    out = list(cmd.params)
    if isinstance(cmd, TyperGroup):  # commands built when asked for (the policy group's)
        ctx = Context(cmd)
        for name in cmd.list_commands(ctx):
            out += _params(cmd.get_command(ctx, name))
    return out


def test_every_policy_estimate_option_converts_without_pydantic() -> None:
    cmd = load_command("policy")
    assert cmd is not None
    est = cmd.get_command(Context(cmd), "estimate")  # type: ignore[attr-defined]
    params = [*est.params, est.get_help_option(Context(est))]
    assert len(params) == 19  # 15 of its own, --json, --lang, --config, --help
    assert all(isinstance(p._runtime_param, PlainParam) for p in params)
    # across all commands, only the bounded numbers and choices are left to Typer
    left = [p.name for n in COMMANDS for p in _params(load_command(n)) if p._runtime_param is None]
    assert sorted(left) == ["limit", "markets", "port", "top", "workers"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["policy", "ge", "--draws", "x"], "Error: Invalid value for '--draws': Input should be a"
         " valid integer, unable to parse string as an integer"),
        (["hs", "search", "bearing", "--limit", "0"],
         "Error: Invalid value for '--limit' / '-n': Input should be greater than or equal to 1"),
    ],
)  # fmt: skip
def test_bad_numbers_still_give_typers_messages(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from kaigai.cli.app import main

    with pytest.raises(SystemExit) as ei:
        main(args)
    assert ei.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == message


def test_path_with_a_nul_byte_gets_typers_message(capsys: pytest.CaptureFixture[str]) -> None:
    """os.stat raises ValueError on an embedded NUL: Typer's adapter words it (exit 2), no
    traceback (the plain converter hands the value back to it)."""
    from kaigai.cli.app import main

    with pytest.raises(SystemExit) as ei:
        main(["policy", "estimate", "--data", "a\x00b.parquet", "--formula", "y ~ x"])
    assert ei.value.code == 2
    assert (
        capsys.readouterr()
        .err.splitlines()[-1]
        .endswith("Invalid value for '--data': Value error, embedded null byte")
    )
