"""Python-callable C twins of the numba kernels: same arguments, same results.

Each ``make_*`` returns a function with the numba kernel's signature that checks the arrays'
types and layout and calls the C function of :mod:`kaigai.policy.native`. Arrays the kernel
writes into must already have the kernel's dtype and be contiguous (else ``None`` is
returned by :func:`twins` for nothing: the caller's numba or Python version is used for
that call through ``fallback``). Read-only arrays are converted when needed.

A C function that could not allocate its memory returns a negative value (see the header of
``hdfe_native.c``) before writing any of its outputs; its twin then raises
:class:`~kaigai.core.errors.OutOfMemoryError` instead of returning.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any, NoReturn

import numpy as np

Fn = Callable[..., Any]
F8, I4, I8 = np.dtype(np.float64), np.dtype(np.int32), np.dtype(np.int64)


def _in(a: Any, dt: np.dtype) -> np.ndarray:  # type: ignore[type-arg]
    return np.ascontiguousarray(a, dtype=dt)


def _out(a: np.ndarray, dt: np.dtype) -> bool:  # type: ignore[type-arg]
    return a.dtype == dt and a.flags.c_contiguous and a.flags.writeable


def _rows(a: np.ndarray) -> tuple[np.ndarray, int, int]:
    """A float 2-D array usable by pointer: (array, row stride, column stride) in elements."""
    if a.dtype != F8 or a.strides[0] % 8 or a.strides[1] % 8 or min(a.strides) < 0:
        a = np.ascontiguousarray(a, dtype=F8)
    return a, a.strides[0] // 8, a.strides[1] // 8


def _fcols(r: np.ndarray) -> bool:
    """Columns contiguous (Fortran-like) and writeable float64."""
    return (
        r.dtype == F8
        and r.ndim == 2
        and (r.shape[0] < 2 or r.strides[0] == 8)
        and r.strides[1] % 8 == 0
        and r.strides[1] >= 0
        and r.flags.writeable
    )


def out_of_memory(kernel: str) -> NoReturn:
    """Raise the error of a C kernel that could not allocate its work space."""
    from kaigai.core.errors import OutOfMemoryError

    raise OutOfMemoryError(
        "Not enough memory to estimate this model: the fixed-effect solver could not "
        "allocate its work space.",
        hint="the panel needs more memory than is free: use fewer rows or fixed effects, "
        "or --engine spark",
        kernel=kernel,
    )


def _ok(result: Any, kernel: str) -> Any:
    """``result`` of C kernel ``kernel``, unless negative (out of memory: raised)."""
    if result < 0:
        out_of_memory(kernel)
    return result


def twins(lib: ctypes.CDLL, fallback: Callable[[str], Fn]) -> dict[str, Fn]:
    """Python kernel name -> C-backed function; ``fallback(name)`` gives the other version."""
    from kaigai.policy import threads

    p = _ptr

    def _wsweep_nb(v: Any, w: Any, codes: Any, offs: Any, inv: Any, s: Any) -> Any:
        if not (_out(v, F8) and _out(s, F8)):
            return fallback("_wsweep_nb")(v, w, codes, offs, inv, s)
        cd = _in(codes, I4)
        return lib.k_wsweep(
            p(v), p(_in(w, F8)), p(cd), p(_in(offs, I8)), cd.shape[0], v.size, p(_in(inv, F8)), p(s)
        )

    def _demean_col_nb(v: Any, w: Any, codes: Any, offs: Any, inv: Any, tol: Any, mx: Any) -> Any:
        if not _out(v, F8):
            return fallback("_demean_col_nb")(v, w, codes, offs, inv, tol, mx)
        cd, ok = _in(codes, I4), ctypes.c_int(0)
        it = lib.k_demean_col(
            p(v), p(_in(w, F8)), p(cd), p(_in(offs, I8)), cd.shape[0], v.size,
            p(_in(inv, F8)), float(tol), int(mx), ctypes.byref(ok),
        )  # fmt: skip
        return _ok(it, "k_demean_col"), bool(ok.value)

    def _inv_weights_nb(w: Any, codes: Any, offs: Any, nc: Any) -> Any:
        cd, of = _in(codes, I4), _in(offs, I8)
        inv = np.empty(int(of[cd.shape[0]]))
        rc = lib.k_inv_weights(
            p(_in(w, F8)), p(cd), p(of), cd.shape[0], cd.shape[1], max(1, int(nc)), p(inv)
        )
        _ok(rc, "k_inv_weights")
        return inv

    def _demean_cols_nb(r: Any, w: Any, codes: Any, offs: Any, inv: Any, tol: Any, mx: Any, nc: Any) -> Any:  # fmt: skip
        if not _fcols(r):
            return fallback("_demean_cols_nb")(r, w, codes, offs, inv, tol, mx, nc)
        cd, t8, ok = _in(codes, I4), _in(tol, F8), ctypes.c_int(0)
        cs = r.strides[1] // 8 if r.shape[1] else 0
        it = lib.k_demean_cols(
            p(r), r.shape[1], cs, p(_in(w, F8)), p(cd), p(_in(offs, I8)), cd.shape[0],
            r.shape[0], p(_in(inv, F8)), p(t8), int(mx), max(1, int(nc)), ctypes.byref(ok),
        )  # fmt: skip
        return _ok(it, "k_demean_cols"), bool(ok.value)

    def _wsweep2_nb(v: Any, w: Any, codes: Any, offs: Any, inv: Any, s: Any, dmax: Any, part: Any, have: Any) -> Any:  # fmt: skip
        if not (_fcols(v) and v.shape[1] == 2 and _out(s, F8) and _out(dmax, F8) and _out(part, F8) and part.ndim == 3):  # fmt: skip
            return fallback("_wsweep2_nb")(v, w, codes, offs, inv, s, dmax, part, have)
        cd = _in(codes, I4)
        rc = lib.k_wsweep2(
            p(v), v.strides[1] // 8, p(_in(w, F8)), p(cd), p(_in(offs, I8)), cd.shape[0],
            v.shape[0], p(_in(inv, F8)), p(s), p(dmax), p(part), part.shape[0], int(bool(have)),
        )  # fmt: skip
        _ok(rc, "k_wsweep2")

    def _demean_pair_nb(v: Any, w: Any, codes: Any, offs: Any, inv: Any, t0: Any, t1: Any, mx: Any, nc: Any) -> Any:  # fmt: skip
        if not (_fcols(v) and v.shape[1] == 2):
            return fallback("_demean_pair_nb")(v, w, codes, offs, inv, t0, t1, mx, nc)
        cd, ok = _in(codes, I4), ctypes.c_int(0)
        it = lib.k_demean_pair(
            p(v), v.strides[1] // 8, p(_in(w, F8)), p(cd), p(_in(offs, I8)), cd.shape[0],
            v.shape[0], p(_in(inv, F8)), float(t0), float(t1), int(mx), max(1, int(nc)),
            ctypes.byref(ok),
        )  # fmt: skip
        return _ok(it, "k_demean_pair"), bool(ok.value)

    def _ipf_sweep_nb(mu: Any, codes: Any, offs: Any, ysum: Any, alpha: Any, s: Any, part: Any, have: Any) -> Any:  # fmt: skip
        if not (_out(mu, F8) and _out(alpha, F8) and _out(s, F8) and _out(part, F8) and part.ndim == 2):  # fmt: skip
            return fallback("_ipf_sweep_nb")(mu, codes, offs, ysum, alpha, s, part, have)
        cd = _in(codes, I4)
        d = lib.k_ipf_sweep(
            p(mu), p(cd), p(_in(offs, I8)), cd.shape[0], mu.size, p(_in(ysum, F8)), p(alpha),
            p(s), p(part), part.shape[0], int(bool(have)),
        )  # fmt: skip
        return _ok(d, "k_ipf_sweep")

    def _ipf_nb(mu: Any, codes: Any, offs: Any, ysum: Any, alpha: Any, tol: Any, npl: Any, ncy: Any, nc: Any) -> Any:  # fmt: skip
        if not (_out(mu, F8) and _out(alpha, F8)):
            return fallback("_ipf_nb")(mu, codes, offs, ysum, alpha, tol, npl, ncy, nc)
        cd, ok = _in(codes, I4), ctypes.c_int(0)
        it = lib.k_ipf(
            p(mu), p(cd), p(_in(offs, I8)), cd.shape[0], mu.size, p(_in(ysum, F8)), p(alpha),
            float(tol), int(npl), int(ncy), max(1, int(nc)), ctypes.byref(ok),
        )  # fmt: skip
        return _ok(it, "k_ipf"), bool(ok)

    def _deviance_sum_nb(y: Any, mu: Any, lr: Any) -> Any:
        y8 = _in(y, F8)
        return lib.k_deviance_sum(p(y8), p(_in(mu, F8)), p(_in(lr, F8)), y8.size)

    def _absorb_nb(r: Any, codes: Any, offs: Any, alpha: Any, mx: Any, tol: Any) -> Any:
        if not (_out(r, F8) and _out(alpha, F8)):
            return fallback("_absorb_nb")(r, codes, offs, alpha, mx, tol)
        cd = _in(codes, I4)
        rc = lib.k_absorb(
            p(r), p(cd), p(_in(offs, I8)), cd.shape[0], r.size, p(alpha), int(mx), float(tol)
        )
        _ok(rc, "k_absorb")

    def remap_codes(c: Any, idx: Any, out: Any) -> Any:
        if not _out(out, I4):
            return fallback("remap_codes")(c, idx, out)
        ci, ix = _in(c, I8), _in(idx, I8)
        return _ok(lib.k_remap_codes(p(ci), ci.size, p(ix), ix.size, p(out)), "k_remap_codes")

    def drop_fe_levels(codes: Any, sizes: Any, y: Any, keep: Any, reason: Any, *flags: Any) -> Any:  # fmt: skip
        b1, i1 = np.dtype(np.bool_), np.dtype(np.int8)
        if not (_out(keep, b1) and _out(reason, i1)):
            return fallback("drop_fe_levels")(codes, sizes, y, keep, reason, *flags)
        cs = [_in(c, I8) for c in codes]  # no copy of contiguous int64 codes
        if any(c.size != keep.size for c in cs) or np.size(y) != keep.size:
            raise ValueError("drop_fe_levels: codes, y and keep differ in length")
        ptrs = (ctypes.c_void_p * max(1, len(cs)))(*[c.ctypes.data for c in cs])
        sz, counts = _in(sizes, I8), np.zeros(2, dtype=np.int64)
        singletons, separation, r_single, r_sep = flags
        visits = lib.k_drop_fe_levels(
            ptrs, len(cs), p(sz), p(_in(y, F8)), p(keep), keep.size, p(reason),
            int(bool(singletons)), int(bool(separation)), int(r_single), int(r_sep), p(counts),
        )  # fmt: skip
        if visits == -1:  # -2: a code outside its levels, returned as numba does
            out_of_memory("k_drop_fe_levels")
        return int(counts[0]), int(counts[1]), int(visits)

    def gram(x: Any, xt: Any, w: Any) -> Any:
        (x2, xr, xc), (t2, tr, tc) = _rows(x), _rows(xt)
        n, q = x2.shape
        base, g = np.empty(q), np.empty((q, q))
        rc = lib.k_gram(p(x2), xr, xc, p(t2), tr, tc, p(_in(w, F8)), n, q, p(base), p(g))
        _ok(rc, "k_gram")
        return base, g

    def _grad_hess_nb(xt: Any, mu: Any, y: Any, nc: Any) -> Any:
        t2, tr, tc = _rows(xt)
        n, q = t2.shape
        g, h = np.empty(q), np.empty((q, q))
        rc = lib.k_grad_hess(
            p(t2), tr, tc, p(_in(mu, F8)), p(_in(y, F8)), n, q, max(1, int(nc)), p(g), p(h)
        )
        _ok(rc, "k_grad_hess")
        return g, h

    def lin_index(xt: Any, step: Any, out: Any) -> Any:
        if not _out(out, F8):
            return fallback("lin_index")(xt, step, out)
        t2, tr, tc = _rows(xt)
        nc = threads.row_chunks(t2.shape[0])  # any split gives the same bits (rows apart)
        big = lib.k_lin_index(p(t2), tr, tc, p(_in(step, F8)), p(out), t2.shape[0], t2.shape[1], nc)
        return _ok(big, "k_lin_index")

    def cluster_sums(xt: Any, r: Any, codes: Any, g: Any) -> Any:
        t2, tr, tc = _rows(xt)
        n, q = t2.shape
        s = np.empty((int(g), q))
        lib.k_cluster_sums(p(t2), tr, tc, p(_in(r, F8)), p(_in(codes, I8)), n, q, int(g), p(s))
        return s

    def nested_in(fc: Any, nfe: Any, cc: Any) -> Any:
        f8 = _in(fc, I8)
        return bool(_ok(lib.k_nested_in(p(f8), f8.size, int(nfe), p(_in(cc, I8))), "k_nested_in"))

    return {f.__name__: f for f in (
        _wsweep_nb, _demean_col_nb, _inv_weights_nb,
        _ipf_sweep_nb, _ipf_nb, _deviance_sum_nb, _absorb_nb, remap_codes, drop_fe_levels, gram,
        _grad_hess_nb, lin_index, cluster_sums, nested_in, _wsweep2_nb, _demean_pair_nb,
        _demean_cols_nb,
    )}  # fmt: skip


def _ptr(a: np.ndarray) -> Any:
    """The array as a ctypes argument; it references the array, so a converted temporary
    stays alive until the C call returns."""
    return a.ctypes
