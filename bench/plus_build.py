"""Build the plus inputs (`--tests plus`) twice from scratch, beside the cached file, and compare the bytes: the
build must be reproducible (no machine load, hash seed or dict order may change which inputs are kept). Prints
each build's wall time and the content's sha256; exit 1 on any difference.

    python bench/plus_build.py
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
from pathlib import Path

import anyio

import sigil_eval
from sigil_eval.engine.plus_inputs import build_plus_inputs, plus_inputs_path


async def build(out: Path) -> float:
    _, source = plus_inputs_path()
    started = time.perf_counter()
    async with sigil_eval.Evaluator(None, workers=2, clippy="off") as opened:
        await build_plus_inputs(out, source, opened.executor, opened.options)
    return time.perf_counter() - started


def main() -> int:
    with tempfile.TemporaryDirectory() as directory:
        outs = [Path(directory) / f"build{i}.jsonl" for i in (1, 2)]
        digests = []
        for out in outs:
            seconds = anyio.run(build, out)
            digests.append(hashlib.sha256(out.read_bytes()).hexdigest())
            print(f"{out.name}: {seconds:.1f} s, sha256 {digests[-1]}")
    same = digests[0] == digests[1]
    print("identical" if same else "DIFFERENT")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
