"""`sigil-eval serve` under load: C concurrent clients × S samples each, against file mode on the same samples.

    python bench/service_load.py                    # 16 clients × 20 samples, 2 workers
    python bench/service_load.py --clients 64 --samples 50

Starts the service (loopback, the built-in set), sends every client's request at once with httpx, and prints the
throughput, request latency p50/p99, the batches the service compiled (fewer than requests: samples of several
requests shared a crate), then judges the same samples as one file (`sigil-eval evaluate`) and prints the ratio.
The samples: the built-in set's reference solutions and `todo!()` bodies, distinct per client. Verdict store off.
This is a benchmark, not a test: nothing here gates CI.
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import numpy as np

from sigil_eval.data import get_human_eval_dataset
from sigil_eval.inputs.problemsets import load_problem_set

EXE = str(Path(sys.executable).with_name("sigil-eval"))


def workload(clients: int, per_client: int) -> list[list[dict[str, Any]]]:
    problems = [p for p in load_problem_set(get_human_eval_dataset()).problems.values() if p.canonical_solution]
    out = []
    for client in range(clients):
        rows = []
        for i in range(per_client):
            k = client * per_client + i
            problem = problems[k % len(problems)]
            body = problem.canonical_solution if (k // len(problems)) % 2 == 0 else "    todo!()\n}\n"
            rows.append({"task_id": problem.task_id, "completion": f"{body}// {k}\n", "completion_id": k})
        out.append(rows)
    return out


@contextmanager
def serving(*flags: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`sigil-eval serve` on a free loopback port with `flags`, up and healthy: (its URL, its process); stopped
    with SIGINT (requests in flight finish) at the end."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([EXE, "serve", "--port", str(port), *flags], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url, server
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=120)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    requests = workload(args.clients, args.samples)
    with serving("--workers", str(args.workers), "--no-reuse") as (url, _):
        latencies: list[float] = []

        async def client(rows: list[dict[str, Any]], http: httpx.AsyncClient) -> None:
            started = time.perf_counter()
            response = await http.post(url + "/v1/evaluate", json={"samples": rows})
            response.raise_for_status()
            latencies.append(time.perf_counter() - started)

        async def load() -> None:
            async with httpx.AsyncClient(timeout=600) as http, anyio.create_task_group() as group:
                for rows in requests:
                    group.start_soon(client, rows, http)

        started = time.perf_counter()
        anyio.run(load)
        wall = time.perf_counter() - started
        metrics = httpx.get(url + "/metrics").json()
    total = args.clients * args.samples
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "samples.jsonl"
        path.write_text("".join(json.dumps(row) + "\n" for rows in requests for row in rows))
        started = time.perf_counter()
        done = subprocess.run(
            [EXE, str(path), "--workers", str(args.workers), "--no-reuse", "--json"], capture_output=True, check=True
        )
        file_wall = time.perf_counter() - started
        file_judging = json.loads(done.stdout.decode().strip().splitlines()[-1])["elapsed_s"]
    p50, p99 = np.percentile(latencies, [50, 99])
    print(
        f"service: {args.clients} clients × {args.samples} samples in {wall:.1f} s = {total / wall:.1f} samples/s; "
        f"latency p50 {p50:.2f} s, p99 {p99:.2f} s; {metrics['batches']} batches for {args.clients} requests"
    )
    print(
        f"file mode, same samples: {file_wall:.1f} s with its process start-up = {total / file_wall:.1f} samples/s; "
        f"{file_judging:.1f} s judging = {total / file_judging:.1f} samples/s"
    )
    print(f"service / file mode throughput: {file_wall / wall:.2f} (start-up counted), {file_judging / wall:.2f} (not)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
