"""The fixed-effect separation check in one compiled call (``hdfe_kernels.drop_fe_levels``)
drops the rows, for the reasons, that the per-visit loop it replaced dropped.

The reference below is that loop as it was (``drop_visit`` and its driver before the level
counts were kept between visits): each visit of fixed effect k recounts the kept and the
positive kept rows of every level of k over all rows, drops the kept rows of levels with
one kept row (singletons), then of levels with no positive one (separated); the fixed
effects are visited cyclically until K visits in a row dropped nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

from kaigai.core.errors import OutOfMemoryError
from kaigai.policy import hdfe_kernels, separation
from kaigai.policy import kernel_backend as kb
from kaigai.policy.separation import SEPARATED_FE, SINGLETON, DropCounts

pytest.importorskip("numba")


@pytest.fixture(autouse=True)
def _default_backend() -> Iterator[None]:
    yield
    kb.set_backend(None)


def _old_loop(
    y: np.ndarray, codes: list[np.ndarray], keep: np.ndarray, singletons: bool, sep: bool
) -> tuple[np.ndarray, np.ndarray, int, int, int]:
    """(keep, reason, singletons, separated, visits) of the replaced per-visit loop."""
    keep, reason = keep.copy(), np.zeros(keep.size, np.int8)
    pos = y > 0
    nfe, k, quiet, visits, n1, n2 = len(codes), 0, 0, 0, 0, 0
    while quiet < nfe:
        visits += 1
        c = codes[k]
        size = int(c.max()) + 1
        cnt = np.zeros(size, np.int64)
        npos = np.zeros(size, np.int64)
        for i in range(c.size):  # the old kernel's loops, in Python
            if keep[i]:
                cnt[c[i]] += 1
                npos[c[i]] += pos[i]
        dropped = 0
        for i in range(c.size):
            if keep[i]:
                if singletons and cnt[c[i]] == 1:
                    keep[i], reason[i] = False, SINGLETON
                    n1 += 1
                    dropped += 1
                elif sep and npos[c[i]] == 0:
                    keep[i], reason[i] = False, SEPARATED_FE
                    n2 += 1
                    dropped += 1
        k = (k + 1) % nfe
        quiet = 1 if dropped else quiet + 1
    return keep, reason, n1, n2, visits


def _new(
    fn: Callable[..., Any],
    y: np.ndarray,
    codes: list[np.ndarray],
    keep: np.ndarray,
    singletons: bool,
    sep: bool,
) -> tuple[np.ndarray, np.ndarray, int, int, int]:
    keep, reason = keep.copy(), np.zeros(keep.size, np.int8)
    sizes = np.array([int(c.max()) + 1 for c in codes], np.int64)
    n1, n2, visits = fn(
        tuple(codes), sizes, y, keep, reason, singletons, sep, SINGLETON, SEPARATED_FE
    )
    return keep, reason, n1, n2, visits


def _backends() -> dict[str, Callable[..., Any]]:
    out = {"numba": hdfe_kernels.drop_fe_levels.jitted()}
    twin = kb._twins().get("drop_fe_levels")
    if twin is not None:
        out["native"] = twin
    return out


# a cascade: a0 has only zero outcomes; dropping it leaves b1 with one row, whose drop leaves
# a1 with one row, whose drop leaves b2 with one row. Row 9 is alone in a3 and b4 with y = 0
# (a singleton, or separated when singletons are kept). Rows 7 and 8 are not kept (missing,
# one code -1): counted, they would save a1 and b2.
A = np.array([0, 0, 1, 1, 2, 2, 2, 1, -1, 3])
B = np.array([0, 1, 1, 2, 2, 3, 3, -1, 2, 4])
Y = np.array([0.0, 0, 1, 2, 0, 3, 0, 5, 1, 0])
KEEP = np.array([True] * 7 + [False, False, True])
# (singletons, separation) -> kept rows, singleton rows, separated rows, visits
CASCADE = {
    (True, True): ([5, 6], [2, 3, 4, 9], [0, 1], 5),
    (False, True): ([2, 3, 4, 5, 6], [], [0, 1, 9], 2),
    (True, False): ([5, 6], [0, 1, 2, 3, 4, 9], [], 7),
    (False, False): ([0, 1, 2, 3, 4, 5, 6, 9], [], [], 2),
}


@pytest.mark.parametrize("flags", list(CASCADE))
def test_cascade_pinned_on_every_backend(flags: tuple[bool, bool]) -> None:
    kept, single, sep, visits = CASCADE[flags]
    ref = _old_loop(Y, [A, B], KEEP, *flags)
    assert np.flatnonzero(ref[0]).tolist() == kept
    assert np.flatnonzero(ref[1] == SINGLETON).tolist() == single
    assert np.flatnonzero(ref[1] == SEPARATED_FE).tolist() == sep
    assert ref[2:] == (len(single), len(sep), visits)
    for name, fn in _backends().items():
        got = _new(fn, Y, [A, B], KEEP, *flags)
        assert np.array_equal(got[0], ref[0]) and np.array_equal(got[1], ref[1]), name
        assert got[2:] == ref[2:], name
    for compiled in (True, False):  # the estimators' entry point, and its numpy path
        counts = DropCounts()
        reason = np.zeros(Y.size, np.int8)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(separation.kernels, "available", lambda c=compiled: c)
            keep = separation.drop_singletons_and_fe_separated(
                Y, [A, B], KEEP, counts, singletons=flags[0], fe_separation=flags[1], reason=reason
            )
        assert np.flatnonzero(keep).tolist() == kept
        assert np.array_equal(reason, ref[1])
        assert (counts.singletons, counts.separated_fe) == (len(single), len(sep))


def _random_panel(seed: int, nfe: int, n: int) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """Few rows per level (singletons), levels with only zero outcomes, missing rows (some
    with code -1): drops in one fixed effect make singletons and separation in another."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(3, max(4, n // 3), nfe)
    codes = [rng.integers(0, s, n) for s in sizes]
    zero_level = rng.random(sizes[0]) < 0.25  # levels of the first fixed effect: all zero
    y = np.where(rng.random(n) < 0.4, 0.0, rng.exponential(2.0, n))
    y[zero_level[codes[0]]] = 0.0
    keep = rng.random(n) > 0.08
    for c in codes:
        c[(~keep) & (rng.random(n) < 0.5)] = -1
    return y, codes, keep


CASES = [(s, k, n) for s in range(12) for k, n in ((1, 40), (2, 60), (3, 90), (4, 120), (5, 150))]


@pytest.mark.parametrize("flags", list(CASCADE))
def test_random_panels_equal_the_old_loop(flags: tuple[bool, bool]) -> None:
    backends = _backends()
    cascades = 0
    for seed, nfe, n in CASES:
        y, codes, keep = _random_panel(seed, nfe, n)
        ref = _old_loop(y, codes, keep, *flags)
        cascades += ref[4] > nfe + 1  # drops in more than one visit
        for name, fn in backends.items():
            got = _new(fn, y, codes, keep, *flags)
            assert np.array_equal(got[0], ref[0]), (name, seed, nfe)
            assert np.array_equal(got[1], ref[1]), (name, seed, nfe)
            assert got[2:] == ref[2:], (name, seed, nfe)
    if flags != (False, False):
        assert cascades >= 10  # the panels do exercise cascades


def test_twin_equals_numba_bit_for_bit_on_a_large_panel() -> None:
    """Every output, including the arrays written in place, on a panel where every fixed
    effect drops rows (K = 4: one pass of three fixed effects, then one of one)."""
    twin = kb._twins().get("drop_fe_levels")
    if twin is None:
        pytest.skip("no C compiler: the C twins are not built")
    y, codes, keep = _random_panel(99, 4, 20_000)
    sizes = np.array([int(c.max()) + 1 for c in codes], np.int64)
    args = (tuple(codes), sizes, y, keep, np.zeros(y.size, np.int8), True, True, 2, 3)
    a1, a2 = copy.deepcopy(args), copy.deepcopy(args)
    r_c = twin(*a1)
    r_nb = hdfe_kernels.drop_fe_levels.jitted()(*a2)
    assert r_c == r_nb and r_c[0] > 0 and r_c[1] > 0
    assert np.array_equal(a1[3], a2[3]) and np.array_equal(a1[4], a2[4])
    ref = _old_loop(y, codes, keep, True, True)
    assert r_c == ref[2:] and np.array_equal(a1[4], ref[1])


@pytest.mark.parametrize("backend", ["numba", "native"])
def test_a_kept_row_outside_the_levels_is_an_error_not_a_write(backend: str) -> None:
    fn = _backends().get(backend)
    if fn is None:
        pytest.skip("no C compiler: the C twins are not built")
    for bad_a, size in ((A.copy(), 4), (A.copy(), 3)):
        bad_a[2] = -1 if size == 4 else bad_a[2]  # a kept row with code -1; or a0..a3 in 3
        keep, reason = KEEP.copy(), np.zeros(Y.size, np.int8)
        sizes = np.array([size, 5], np.int64)
        out = fn((bad_a, B), sizes, Y, keep, reason, True, True, 2, 3)
        assert out == (0, 0, -2)
        assert np.array_equal(keep, KEEP) and not reason.any()
    with pytest.raises(ValueError, match="outside 0..sizes"):
        separation.drop_singletons_and_fe_separated(Y, [A, B], KEEP, DropCounts(), sizes=[3, 5])


def test_twin_reports_counts_too_large_to_allocate() -> None:
    """Level counts whose size overflows: OutOfMemoryError naming the C function, nothing
    written (every allocation failing in turn: tests/policy/test_native_memory.py)."""
    twin = kb._twins().get("drop_fe_levels")
    if twin is None:
        pytest.skip("no C compiler: the C twins are not built")
    keep, reason = KEEP.copy(), np.zeros(Y.size, np.int8)
    sizes = np.array([2**61, 5], np.int64)  # 2**64 bytes of counts
    with pytest.raises(OutOfMemoryError) as got:
        twin((A, B), sizes, Y, keep, reason, True, True, 2, 3)
    assert got.value.fields == {"kernel": "k_drop_fe_levels"}
    assert np.array_equal(keep, KEEP) and not reason.any()


@pytest.mark.parametrize(
    ("sizes", "reason_rows", "match"),
    [
        ([-1, 5], None, r"sizes \[-1, 5\] do not give a level count per fixed effect"),
        ([4], None, r"sizes \[4\] do not give a level count per fixed effect"),
        ([4, 5], 3, "one entry per row"),
    ],
)
def test_sizes_and_shapes_are_checked_before_the_compiled_loops(
    sizes: list[int], reason_rows: int | None, match: str
) -> None:
    """The compiled loops do not check bounds (a negative size made the C twin write past its
    counts; numba returned -2): the entry point refuses such inputs and writes nothing."""
    keep = KEEP.copy()
    reason = None if reason_rows is None else np.zeros(reason_rows, np.int8)
    with pytest.raises(ValueError, match=match):
        separation.drop_singletons_and_fe_separated(
            Y, [A, B], keep, DropCounts(), sizes=sizes, reason=reason
        )
    assert np.array_equal(keep, KEEP)


@pytest.mark.parametrize("flags", list(CASCADE))
def test_levels_only_on_missing_rows_are_never_flagged(flags: tuple[bool, bool]) -> None:
    """``sizes`` above the largest kept code (levels seen only on missing rows, as fepois and
    feols pass them): the cascade's drops and visit counts stay pinned (a flagged empty level
    would drop nothing and still restart the visits: more visits, or no end)."""
    kept, single, sep, visits = CASCADE[flags]
    for name, fn in _backends().items():
        keep, reason = KEEP.copy(), np.zeros(Y.size, np.int8)
        sizes = np.array([int(A.max()) + 4, int(B.max()) + 4], np.int64)
        got = fn((A, B), sizes, Y, keep, reason, *flags, SINGLETON, SEPARATED_FE)
        assert got == (len(single), len(sep), visits), name
        assert np.flatnonzero(keep).tolist() == kept, name
