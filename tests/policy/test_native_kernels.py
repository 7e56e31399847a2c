"""The C twins of the fixed-effect kernels give the numba kernels' results bit for bit, and
the kernels' loading survives a missing compiler, a corrupt library and a corrupt numba cache."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kaigai.policy import hdfe_kernels, hdfe_sweeps, native, ppml_kernels, threads
from kaigai.policy import kernel_backend as kb
from kaigai.policy.demean import FixedEffects
from kaigai.policy.ppml import fepois
from kaigai.policy.ppml_synthetic import synthetic_gravity_panel

numba = pytest.importorskip("numba")
assert hdfe_sweeps.demean_cols  # imported: its kernels register
KERNELS = {k.__name__: k for ks in kb._REGISTRY.values() for k in ks}


@pytest.fixture(autouse=True)
def _default_backend() -> Iterator[None]:
    yield
    kb.set_backend(None)


def _twins() -> dict[str, Callable[..., Any]]:
    twins = kb._twins()
    if not twins:
        pytest.skip("no C compiler: the C twins are not built")
    return twins


def test_every_kernel_has_a_twin_written_from_its_current_source() -> None:
    """A kernel edited in Python runs on numba (slow start) until hdfe_native.c is updated:
    port the change to the C twin and put the new hash (kernel_backend.source_hash) on its
    ``mirrors`` line."""
    recorded = native.mirrored()
    assert sorted(recorded) == sorted(KERNELS)
    stale = {
        n: kb.source_hash(k.py) for n, k in KERNELS.items() if kb.source_hash(k.py) != recorded[n]
    }
    assert not stale, f"update hdfe_native.c for {stale}"


def _panel(n: int = 30, seed: int = 0) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    d = synthetic_gravity_panel(n, 4, seed=seed)
    fe = FixedEffects.from_codes([d[c].to_numpy() for c in ("exp_year", "imp_year", "pair")])
    rows = len(d)
    y = d["trade"].to_numpy().copy()
    mu = y + rng.random(rows) + 0.1
    ysum = np.concatenate(
        [np.bincount(c, weights=y, minlength=s) for c, s in zip(fe.codes, fe.sizes, strict=True)]
    )
    x = np.column_stack([d["rta"].to_numpy(float), d["ln_tariff"].to_numpy(), rng.random(rows)])
    return dict(
        fe=fe, rows=rows, y=y, mu=mu, ysum=ysum + 1e-3, x=x, xf=np.asfortranarray(x), rng=rng
    )


def _first_fe_parts(c0: np.ndarray, v: np.ndarray, m: int, nc: int) -> np.ndarray:
    """(nc, m): chunk c's totals of v over the first fixed effect's levels (rest garbage)."""
    n = v.shape[0]
    part = np.full((nc, m), np.nan)
    for c in range(nc):
        lo, hi = n * c // nc, n * (c + 1) // nc
        part[c, : c0.max() + 1] = np.bincount(c0[lo:hi], weights=v[lo:hi], minlength=c0.max() + 1)
    return part


def _cases(p: dict[str, Any], nc: int = 1) -> dict[str, tuple[Any, ...]]:
    fe, rows, rng = p["fe"], p["rows"], p["rng"]
    codes, offs = fe.codes2d, fe.offsets
    m = int(offs[-1])
    w = p["mu"]
    inv = ppml_kernels._inv_weights_nb.py(w, codes, offs, nc)  # plain Python: the reference
    c0 = fe.codes[0].astype(np.int64)
    raw = np.asarray(p["fe"].codes[2], dtype=np.int64) * 3 + 5  # gaps: levels renumbered
    keep = rng.random(rows) > 0.1
    zero_exp_year = fe.codes[0] % 7 == 0  # exporter-years with only zero outcomes
    return {
        "_wsweep_nb": (p["x"][:, 1].copy(), w, codes, offs, inv, np.empty(m)),
        "_demean_col_nb": (p["x"][:, 2].copy(), w, codes, offs, inv, 1e-11, 500),
        "_inv_weights_nb": (w, codes, offs, nc),
        "_ipf_sweep_nb": (
            p["mu"].copy(),
            codes,
            offs,
            p["ysum"],
            np.zeros(m),
            np.empty(m),
            _first_fe_parts(c0, p["mu"], m, nc),  # the chunks' first FE totals
            True,
        ),
        "_ipf_nb": (p["mu"].copy(), codes, offs, p["ysum"], np.zeros(m), 1e-12, 2, 40, nc),
        "_deviance_sum_nb": (p["y"], p["mu"], np.log(np.where(p["y"] > 0, p["y"], 1.0) / p["mu"])),
        "_wsweep2_nb": (
            p["xf"][:, :2].copy(order="F"),
            w,
            codes,
            offs,
            inv,
            np.empty((m, 2)),
            np.empty(2),
            np.zeros((nc, m, 2)),
            False,
        ),
        "_demean_pair_nb": (
            p["xf"][:, 1:].copy(order="F"),
            w,
            codes,
            offs,
            inv,
            1e-10,
            1e-11,
            500,
            nc,
        ),
        "_demean_cols_nb": (
            p["xf"].copy(order="F"),
            w,
            codes,
            offs,
            inv,
            np.full(3, 1e-10),
            500,
            nc,
        ),
        "_absorb_nb": (rng.random(rows), codes, offs, np.zeros(m), 50, 1e-13),
        "remap_codes": (
            raw,
            np.flatnonzero(keep).astype(np.intp),
            np.empty(int(keep.sum()), np.int32),
        ),
        "drop_fe_levels": (
            tuple(np.where(~keep & (c % 2 == 0), -1, c).astype(np.int64) for c in fe.codes),
            np.array(fe.sizes, dtype=np.int64),
            np.where(zero_exp_year, 0.0, p["y"]),
            keep.copy(),
            np.zeros(rows, np.int8),
            True,
            True,
            2,
            3,
        ),  # rows dropped in each fixed effect (levels all zero, singletons, cascades)
        "gram": (p["x"], p["xf"], w),
        "_grad_hess_nb": (p["xf"], p["mu"], p["y"], nc),
        "lin_index": (p["xf"], np.array([0.3, -1.2, 0.7]), np.empty(rows)),
        "cluster_sums": (p["x"] * (p["y"] - p["mu"])[:, None], np.ones(rows), c0, fe.sizes[0]),
        "nested_in": (fe.codes[2].astype(np.int64), fe.sizes[2], c0),
    }


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, tuple):
        return len(a) == len(b) and all(_equal(u, v) for u, v in zip(a, b, strict=True))
    if isinstance(a, np.ndarray):
        return a.dtype == np.asarray(b).dtype and np.array_equal(a, b, equal_nan=True)
    return bool(a == b) and type(np.asarray(a).item()) is type(np.asarray(b).item())


@pytest.mark.parametrize(("seed", "nc", "n"), [(0, 1, 30), (1, 1, 30), (0, 2, 30), (1, 3, 70)])
def test_each_twin_equals_its_numba_kernel_bit_for_bit(
    seed: int, nc: int, n: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """nc: row chunks of the chunked kernels (the C twins run them on nc threads); n = 70
    countries give 4830 pair levels, enough for the C twins to split the level updates."""
    twins = _twins()
    monkeypatch.setattr(threads, "row_chunks", lambda rows: nc)  # lin_index's C threads
    cases = _cases(_panel(n, seed=seed), nc)
    assert sorted(cases) == sorted(KERNELS)
    for name, args in cases.items():
        a1, a2 = copy.deepcopy(args), copy.deepcopy(args)
        r_c = twins[name](*a1)
        r_nb = KERNELS[name].jitted()(*a2)
        assert _equal(r_c, r_nb), name
        for u, v in zip(a1, a2, strict=True):  # arrays written in place
            if isinstance(u, np.ndarray):
                assert np.array_equal(u, v, equal_nan=True), name


FML = "trade ~ rta + ln_tariff + ln_dist | exp_year + imp_year + pair"


@pytest.mark.parametrize(
    ("kw", "nc"),
    [
        ({"vcov": {"CRV1": "pair"}, "separation": ("fe",)}, 1),
        ({"vcov": {"CRV1": "pair"}, "separation": ("fe",)}, 2),
        ({"vcov": {"CRV1": "exporter+importer"}, "separation": ("fe", "ir")}, 3),
        ({"vcov": "hetero", "weights": "w", "offset": "off"}, 2),
    ],
)
def test_fit_on_twins_equals_fit_on_numba(
    kw: dict[str, Any], nc: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Coefficients, standard errors, fitted values, deviance and fixed effects: identical,
    with the sweeps' rows in nc chunks (threads in C, one after the other in numba)."""
    _twins()
    monkeypatch.setattr(threads, "row_chunks", lambda n: nc)
    d = synthetic_gravity_panel(40, 5, seed=7)
    d["w"] = 0.5 + (d["pair"] % 3)
    d["off"] = 0.1 * (d["year"] - d["year"].min())
    fits = {}
    for be in ("numba", None):
        kb.set_backend(be)
        res = fepois(d, FML, **kw)
        fx = res.fixef()
        fits[be] = (res, fx)
        expected = "numba" if be else "native"
        assert kb.backends()["_demean_cols_nb"] == expected
    (a, fa), (b, fb) = fits["numba"], fits[None]
    np.testing.assert_array_equal(a.coef.to_numpy(), b.coef.to_numpy())
    np.testing.assert_array_equal(a.se.to_numpy(), b.se.to_numpy())
    np.testing.assert_array_equal(a.fitted, b.fitted)
    assert a.deviance == b.deviance and a.iterations == b.iterations and a.dropped == b.dropped
    for k in fa:
        np.testing.assert_array_equal(fa[k].to_numpy(), fb[k].to_numpy())


@pytest.mark.parametrize("nc", [2, 3])
def test_fit_with_row_chunks_equals_one_chunk(nc: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Row chunks change only the order of the level sums: the fit is the same to 1e-9
    (a panel whose pair fixed effect has more than 4096 levels, so that the C twins also
    split the level updates between threads)."""
    d = synthetic_gravity_panel(70, 3, seed=11)
    fits = {}
    for k in (1, nc):
        monkeypatch.setattr(threads, "row_chunks", lambda n, k=k: k)
        fits[k] = fepois(d, FML, {"CRV1": "pair"}, separation=("fe",))
    a, b = fits[1], fits[nc]
    assert a.coef.to_numpy().tolist() != b.coef.to_numpy().tolist()  # the order did change
    np.testing.assert_allclose(b.coef.to_numpy(), a.coef.to_numpy(), rtol=1e-9, atol=0)
    np.testing.assert_allclose(b.se.to_numpy(), a.se.to_numpy(), rtol=1e-9, atol=0)
    np.testing.assert_allclose(b.fitted, a.fitted, rtol=1e-9, atol=0)
    assert b.n_obs == a.n_obs and abs(b.deviance - a.deviance) <= 1e-9 * abs(a.deviance)


def test_concurrent_fits_give_the_bits_of_one_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fits on several Python threads at once (the C pool serves one, the others run their
    chunks themselves) give exactly the result of a fit alone."""
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(threads, "row_chunks", lambda n: 2)
    d = synthetic_gravity_panel(45, 8, seed=3)
    ref = fepois(d, FML, {"CRV1": "pair"}, separation=("fe",))
    with ThreadPoolExecutor(3) as ex:
        fits = list(
            ex.map(lambda _: fepois(d, FML, {"CRV1": "pair"}, separation=("fe",)), range(6))
        )
    for r in fits:
        np.testing.assert_array_equal(r.coef.to_numpy(), ref.coef.to_numpy())
        np.testing.assert_array_equal(r.se.to_numpy(), ref.se.to_numpy())
        np.testing.assert_array_equal(r.fitted, ref.fitted)


def test_row_chunks_follow_rows_and_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threads, "_pool_size", lambda: 2)
    assert [threads.row_chunks(n) for n in (0, 49_999, 50_000, 10**6)] == [1, 1, 2, 2]
    monkeypatch.setattr(threads, "_pool_size", lambda: 64)
    assert threads.row_chunks(10**6) == threads.MAX_CHUNKS == 8
    assert threads.row_chunks(100_000) == 4


def test_one_call_in_another_layout_falls_back_for_that_call_only() -> None:
    """A C twin handed a layout it does not take (a strided column) runs numba for that
    call only: the same numbers, and every kernel stays on its C twin afterwards."""
    _twins()
    kb.set_backend(None)
    p = _panel()
    codes, offs, w = p["fe"].codes2d, p["fe"].offsets, p["mu"]
    inv = ppml_kernels._inv_weights_nb(w, codes, offs, 1)
    m = int(offs[-1])
    strided = np.empty(2 * p["rows"])[::2]
    strided[:] = p["x"][:, 1]
    ref = p["x"][:, 1].copy()
    d_fb = ppml_kernels._wsweep_nb(strided, w, codes, offs, inv, np.empty(m))
    d_nb = KERNELS["_wsweep_nb"].jitted()(ref, w, codes, offs, inv, np.empty(m))
    assert d_fb == d_nb and np.array_equal(strided, ref)
    assert isinstance(ppml_kernels._ipf_nb, kb.Kernel)  # module globals not rebound
    assert isinstance(hdfe_sweeps._demean_col_nb, kb.Kernel)
    fepois(synthetic_gravity_panel(20, 4, seed=2), FML, {"CRV1": "pair"})
    used = {k: b for k, b in kb.backends().items() if b}
    assert {"_ipf_nb", "_demean_cols_nb", "_wsweep_nb", "_grad_hess_nb"} <= set(used)
    assert set(used.values()) == {"native"}, used


def test_library_folder_is_the_settings_cache_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """After ``__pycache__``, the library goes where the settings put caches: cache_dir from
    kaigai.toml, KAIGAI_CACHE_DIR over it (read without pydantic, as get_settings reads it)."""
    from kaigai.core.config import get_settings

    toml = tmp_path / "kaigai.toml"
    toml.write_text(f'[kaigai]\ncache_dir = "{tmp_path / "from-file"}"\n', encoding="utf-8")
    monkeypatch.setenv("KAIGAI_CONFIG", str(toml))
    monkeypatch.delenv("KAIGAI_CACHE_DIR", raising=False)
    dirs = list(native._dirs())
    assert dirs[0] == native.SOURCE.parent / "__pycache__"
    assert dirs[1] == get_settings().cache_dir / "kernels" == tmp_path / "from-file" / "kernels"
    monkeypatch.setenv("KAIGAI_CACHE_DIR", str(tmp_path / "from-env"))
    dirs = list(native._dirs())
    assert dirs[1] == get_settings().cache_dir / "kernels" == tmp_path / "from-env" / "kernels"


def _fresh_library(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Any:
    monkeypatch.setattr(native, "_dirs", lambda: [folder])
    native.library.cache_clear()
    try:
        return native.library()
    finally:
        native.library.cache_clear()


def test_corrupt_library_is_rebuilt(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    if native._compiler() is None:
        pytest.skip("no C compiler")
    lib = _fresh_library(monkeypatch, tmp_path)
    assert lib is not None
    (so,) = tmp_path.glob("hdfe_native-*.so")
    so.unlink()  # a new file: the loaded library keeps its pages
    so.write_bytes(b"\x7fELF garbage")
    lib = _fresh_library(monkeypatch, tmp_path)
    assert lib is not None and lib.kaigai_native_abi() == native.ABI
    y = np.array([1.0, 0.0, 3.0])
    mu = np.array([1.5, 0.5, 2.0])
    lr = np.log(np.where(y > 0, y, 1.0) / mu)
    assert lib.k_deviance_sum(y.ctypes, mu.ctypes, lr.ctypes, 3) == KERNELS["_deviance_sum_nb"].py(
        y, mu, lr
    )


def test_without_a_compiler_the_kernels_run_on_numba(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(native, "_compiler", lambda: None)
    assert _fresh_library(monkeypatch, tmp_path) is None
    assert not list(tmp_path.iterdir())
    monkeypatch.setattr(kb, "_twins", lambda: {})
    kb.set_backend(None)
    d = synthetic_gravity_panel(20, 4, seed=2)
    res = fepois(d, FML, {"CRV1": "pair"})
    assert kb.available() and kb.backends()["_grad_hess_nb"] == "numba"
    assert hdfe_kernels.grad_hess is not None and res.converged


def _estimate(data: Path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], Any]:
    cmd = [sys.executable, "-m", "kaigai.cli.app", "policy", "estimate", "--data", str(data)]
    cmd += ["--formula", FML, "--cluster", "pair", "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    out = json.loads(done.stdout) if done.returncode == 0 else None
    return done, out


def _corrupt(cache: Path) -> int:
    """Cache files that unpickle to a reference into module ``<dynamic>`` (as once seen on
    main), and an index whose body is garbage."""
    n = 0
    for f in sorted(cache.rglob("*.nbc")):
        f.write_bytes(b"c<dynamic>\n_kernel\n.")
        n += 1
    index = sorted(cache.rglob("*grad_hess*.nbi"))
    for f in index:
        head = f.read_bytes().split(b".", 1)[0] + b"."  # the pickled numba version
        f.write_bytes(head + b"c<dynamic>\nstamp\n.")
    return n


@pytest.mark.slow
def test_corrupt_numba_cache_is_cleared_and_recompiled(tmp_path: Path) -> None:
    """`policy estimate` on numba kernels whose cache files are broken: the same
    coefficients as with a sound cache, exit code 0, no traceback; the cache is rewritten."""
    data = tmp_path / "panel.parquet"
    synthetic_gravity_panel(25, 4, seed=5).to_parquet(data)
    env = {
        **os.environ,
        "NUMBA_CACHE_DIR": str(tmp_path / "numba"),
        "KAIGAI_KERNELS": "numba",
        "PYTHONPATH": str(Path(kb.__file__).parents[2]),
    }
    first, sound = _estimate(data, env)
    assert first.returncode == 0, first.stderr
    assert _corrupt(tmp_path / "numba") >= 10
    second, again = _estimate(data, env)
    assert second.returncode == 0 and "Traceback" not in second.stderr, second.stderr
    assert again["coefficients"] == sound["coefficients"]
    assert again["n_obs"] == sound["n_obs"] and again["deviance"] == sound["deviance"]
    assert not any(
        f.read_bytes().startswith(b"c<dynamic>") for f in (tmp_path / "numba").rglob("*.nb?")
    )
    third, last = _estimate(data, env)
    assert third.returncode == 0 and last["coefficients"] == sound["coefficients"]
