"""Fair against first-in first-out in `sigil-eval serve`, side by side: C clients send S samples each at once, and
while they are judged a small request (one sample) arrives every second. Prints, for each mode, the small
requests' latency p50/p99 and the whole load's throughput (samples/s), and the throughput ratio.

    python bench/fairness.py                          # 64 clients × 20 samples, 2 workers
    python bench/fairness.py --clients 16 --samples 10
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from service_load import serving, workload  # a sibling bench script


def run_mode(
    fifo: bool, requests: list[list[dict[str, Any]]], small: list[dict[str, Any]], workers: int
) -> dict[str, Any]:
    flags = ["--workers", str(workers), "--no-reuse", "--clippy", "off", *(["--fifo"] if fifo else [])]
    with serving(*flags) as (url, _):
        small_latencies: list[float] = []
        done = anyio.Event()

        async def client(rows: list[dict[str, Any]], http: httpx.AsyncClient) -> None:
            response = await http.post(url + "/v1/evaluate", json={"samples": rows})
            response.raise_for_status()

        async def smalls(http: httpx.AsyncClient) -> None:
            for sample in small:
                if done.is_set():
                    return
                started = time.perf_counter()
                response = await http.post(url + "/v1/evaluate", json={"samples": [sample]})
                response.raise_for_status()
                small_latencies.append(time.perf_counter() - started)
                await anyio.sleep(max(0.0, 1.0 - (time.perf_counter() - started)))

        async def load() -> float:
            async with httpx.AsyncClient(timeout=900) as http, anyio.create_task_group() as group:
                group.start_soon(smalls, http)
                started = time.perf_counter()
                async with anyio.create_task_group() as big:
                    for rows in requests:
                        big.start_soon(client, rows, http)
                wall = time.perf_counter() - started
                done.set()
            return wall

        wall = anyio.run(load)
    total = sum(len(rows) for rows in requests)
    p50, p99 = np.percentile(small_latencies, [50, 99])
    return {"wall": wall, "throughput": total / wall, "p50": p50, "p99": p99, "smalls": len(small_latencies)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    requests = workload(args.clients + 200, args.samples)
    small = [rows[0] | {"completion_id": f"small-{i}"} for i, rows in enumerate(requests[args.clients :])]
    figures = {
        "fifo": run_mode(True, requests[: args.clients], small, args.workers),
        "fair": run_mode(False, requests[: args.clients], small, args.workers),
    }
    print(
        f"{args.clients} clients × {args.samples} samples at once, one small request a second, {args.workers} workers"
    )
    print("| mode | small requests | small p50 s | small p99 s | load wall s | samples/s |\n|---|---|---|---|---|---|")
    for mode, f in figures.items():
        print(f"| {mode} | {f['smalls']} | {f['p50']:.2f} | {f['p99']:.2f} | {f['wall']:.1f} | {f['throughput']:.1f} |")
    print(f"fair / fifo throughput: {figures['fair']['throughput'] / figures['fifo']['throughput']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
