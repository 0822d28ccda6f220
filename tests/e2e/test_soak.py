"""The soak bench's short version (`bench/soak.py`): `serve` under 4 clients for 25 s with attackers in every
request — every request answered, every honest verdict unchanged, and RSS, descriptors, scratch entries and
sandbox processes as flat at the end as at the start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ..helpers import requires_firejail

BENCH = Path(__file__).resolve().parents[2] / "bench" / "soak.py"


@requires_firejail
def test_serve_stays_flat_under_attackers_for_a_while() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--seconds", "25", "--clients", "4", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["answered"] >= 4 and figures["failed"] == 0 and figures["changed"] == 0, figures
    assert figures["honest_samples"] >= 10
    assert figures["ok"] and done.returncode == 0, {k: figures[k] for k in ("start", "end", "grown")}
    assert figures["end"]["sandbox_processes"] == 0  # no test process outlives its job
