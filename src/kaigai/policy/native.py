"""C twins of the fixed-effect kernels, built once with the system C compiler, loaded by ctypes.

A fresh process then starts the PPML fit in milliseconds instead of paying numba's import
and cache load (about a second). The C source (``hdfe_native.c``, shipped with the package)
is compiled on first use into ``__pycache__`` next to it (like Python's own bytecode and
numba's cache) or, when that is read-only, into the user cache directory, under a name
keyed by the source's hash; two processes building at once each write a temporary file and
rename it. Without a C compiler (or when building fails) :func:`library` returns None and
the kernels run on numba, or on numpy without numba: same numbers, slower start.

``KAIGAI_KERNELS=numba`` or ``numpy`` skips the C twins (a diagnostic switch for tests and
benchmarks; users never need it).
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

SOURCE = Path(__file__).with_name("hdfe_native.c")
FLAGS = ("-O2", "-fPIC", "-shared", "-pthread", "-ffp-contract=off", "-fno-fast-math")
ABI = 3  # kaigai_native_abi() in hdfe_native.c: raise both when a signature changes
_log = logging.getLogger(__name__)

_I64, _DBL, _P = ctypes.c_int64, ctypes.c_double, ctypes.c_void_p
_SIGNATURES: dict[str, tuple[object, list[object]]] = {
    "k_wsweep": (_DBL, [_P, _P, _P, _P, _I64, _I64, _P, _P]),
    "k_demean_col": (_I64, [_P, _P, _P, _P, _I64, _I64, _P, _DBL, _I64, _P]),
    "k_inv_weights": (ctypes.c_int, [_P, _P, _P, _I64, _I64, _I64, _P]),
    "k_demean_cols": (_I64, [_P, _I64, _I64, _P, _P, _P, _I64, _I64, _P, _P, _I64, _I64, _P]),
    "k_wsweep2": (
        ctypes.c_int,
        [_P, _I64, _P, _P, _P, _I64, _I64, _P, _P, _P, _P, _I64, ctypes.c_int],
    ),
    "k_demean_pair": (
        _I64,
        [_P, _I64, _P, _P, _P, _I64, _I64, _P, _DBL, _DBL, _I64, _I64, _P],
    ),
    "k_ipf_sweep": (_DBL, [_P, _P, _P, _I64, _I64, _P, _P, _P, _P, _I64, ctypes.c_int]),
    "k_ipf": (_I64, [_P, _P, _P, _I64, _I64, _P, _P, _DBL, _I64, _I64, _I64, _P]),
    "k_deviance_sum": (_DBL, [_P, _P, _P, _I64]),
    "k_absorb": (ctypes.c_int, [_P, _P, _P, _I64, _I64, _P, _I64, _DBL]),
    "k_remap_codes": (_I64, [_P, _I64, _P, _I64, _P]),
    "k_drop_fe_levels": (
        _I64,
        [_P, _I64, _P, _P, _P, _I64, _P, *[ctypes.c_int] * 2, *[ctypes.c_int8] * 2, _P],
    ),
    "k_gram": (ctypes.c_int, [_P, _I64, _I64, _P, _I64, _I64, _P, _I64, _I64, _P, _P]),
    "k_grad_hess": (ctypes.c_int, [_P, _I64, _I64, _P, _P, _I64, _I64, _I64, _P, _P]),
    "k_lin_index": (_DBL, [_P, _I64, _I64, _P, _P, _I64, _I64, _I64]),
    "k_cluster_sums": (None, [_P, _I64, _I64, _P, _P, _I64, _I64, _I64, _P]),
    "k_nested_in": (ctypes.c_int, [_P, _I64, _I64, _P]),
    "kaigai_native_fail_after": (_I64, [_I64]),  # test hooks (see the C file's header)
    "kaigai_native_pool_fail": (ctypes.c_int, [ctypes.c_int]),
}


def mirrored() -> dict[str, str]:
    """Python kernel name -> hash of the source its C twin was written from (the
    ``mirrors NAME HASH`` lines of the C file's header comment)."""
    text = SOURCE.read_text(encoding="utf-8")
    end = text.find("*/")  # the header's end: the rest is not parsed (a millisecond)
    out = {}
    for line in (text if end < 0 else text[:end]).splitlines():
        parts = line.replace("*", " ").split()
        if len(parts) == 3 and parts[0] == "mirrors":
            out[parts[1]] = parts[2]
    return out


def _compiler() -> str | None:
    cc = os.environ.get("CC")
    if cc and shutil.which(cc):
        return cc
    for name in ("cc", "gcc", "clang"):
        if shutil.which(name):
            return name
    return None


def _dirs() -> Iterator[Path]:
    """Folders for the compiled library, in order: ``__pycache__`` beside the source, then
    the cache folder of the settings (``KAIGAI_CACHE_DIR``, else ``cache_dir`` in
    kaigai.toml, the CLI's ``--config`` file when one was given, else the user cache folder;
    read without pydantic, and only when the first folder does not hold the library)."""
    yield SOURCE.parent / "__pycache__"
    from kaigai.core.config_file import cache_dir, default_cache_dir

    try:
        configured = cache_dir()
    except Exception:  # an invalid kaigai.toml is reported by the settings, not here
        configured = default_cache_dir()
    yield configured / "kernels"
    if configured != default_cache_dir():
        yield default_cache_dir() / "kernels"


def _key(src: bytes) -> str:
    import platform

    h = hashlib.sha256(src)
    h.update(" ".join((*FLAGS, sys.platform, platform.machine(), str(ABI))).encode())
    return h.hexdigest()[:16]


def _open(path: Path) -> ctypes.CDLL | None:
    try:
        lib = ctypes.CDLL(str(path))
        if lib.kaigai_native_abi() != ABI:
            return None
        for name, (res, args) in _SIGNATURES.items():
            fn = getattr(lib, name)
            fn.restype = res
            fn.argtypes = args
        return lib
    except (OSError, AttributeError) as exc:  # truncated or foreign file: rebuilt below
        _log.info("compiled kernels %s unusable (%s); rebuilding", path, exc)
        return None


def _build(src: bytes, target: Path) -> bool | None:
    """Compile into ``target``: True when built, None when the folder is not writable (try
    the next), False when there is no compiler or it failed (give up)."""
    cc = _compiler()
    if cc is None:
        return False
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=target.stem + "-", suffix=".so.tmp", dir=target.parent)
        os.close(fd)
    except OSError:
        return None
    try:
        done = subprocess.run(
            [cc, *FLAGS, "-o", tmp, str(SOURCE), "-lm", "-lpthread"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            _log.warning("building the compiled kernels failed: %s", done.stderr.strip()[-500:])
            return False
        os.replace(tmp, target)
        return True
    except (OSError, subprocess.SubprocessError) as exc:
        _log.warning("building the compiled kernels failed: %s", exc)
        return False
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@lru_cache(maxsize=1)
def library() -> ctypes.CDLL | None:
    """The loaded C kernels (built on first use), or None (no compiler, build failed,
    or ``KAIGAI_KERNELS`` names another backend)."""
    if os.environ.get("KAIGAI_KERNELS", "auto") not in ("auto", "native"):
        return None
    try:
        src = SOURCE.read_bytes()
    except OSError:
        return None
    name = f"hdfe_native-{_key(src)}.so"
    dirs: list[Path] = []
    for d in _dirs():
        dirs.append(d)
        path = d / name
        if path.exists():
            lib = _open(path)
            if lib is not None:
                return lib
            try:
                path.unlink()
            except OSError:
                continue
    for d in dirs:
        built = _build(src, d / name)
        if built:
            return _open(d / name)
        if built is False:
            return None
    return None


__all__ = ["SOURCE", "library", "mirrored"]
