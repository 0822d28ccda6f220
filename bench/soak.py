"""`sigil-eval serve` soaked: C clients sending requests back to back for a while, honest samples mixed with
attackers (endless loops, output floods, memory hogs, early exits). Every few seconds it records the service's
RSS, its open file descriptors, the entries of its scratch directory and the processes running as a sandbox uid;
at the end it prints those at the start and at the end, the requests answered and failed, and whether every honest
sample kept its first verdict.

    python bench/soak.py                       # 16 clients for 20 minutes
    python bench/soak.py --seconds 60 --clients 4 --json

Exits 1 when a request failed, an honest verdict changed, or what must stay flat grew (see `FLAT`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from service_load import serving  # a sibling bench script

from sigil_eval.data import get_human_eval_dataset
from sigil_eval.inputs.problemsets import load_problem_set
from sigil_eval.runner.limits import RUN_UID_BASE
from sigil_eval.runner.scratch import OWNER_FILE, PREFIX

ATTACKS = {
    "endless_loop": "    loop {}\n}\n",
    "output_flood": '    loop { println!("{}", "x".repeat(4096)); }\n}\n',
    "memory_hog": "    let v: Vec<u8> = vec![1; 1 << 34]; v.len() as _\n}\n",
    "early_exit": "    std::process::exit(0)\n}\n",
}
# what may grow from start to end: RSS (MiB, allocator slack), descriptors, scratch entries, sandbox processes
FLAT = {"rss_mib": 64.0, "fds": 8, "scratch_entries": 4, "sandbox_processes": 0}


def snapshot(pid: int) -> dict[str, float]:
    status = Path(f"/proc/{pid}/status").read_text()
    rss_kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    scratch = [
        d
        for d in Path("/tmp").glob(PREFIX + "*")
        if (d / OWNER_FILE).is_file() and (d / OWNER_FILE).read_text().strip() == str(pid)
    ]
    sandboxed = 0
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and RUN_UID_BASE <= proc.stat().st_uid < RUN_UID_BASE + 10_000:
                sandboxed += 1
        except OSError:
            continue
    return {
        "rss_mib": round(rss_kib / 1024, 1),
        "fds": len(os.listdir(f"/proc/{pid}/fd")),
        "scratch_entries": sum(1 for d in scratch for _ in d.iterdir()),
        "sandbox_processes": sandboxed,
    }


def honest_samples() -> list[dict[str, Any]]:
    problems = [p for p in load_problem_set(get_human_eval_dataset()).problems.values() if p.canonical_solution]
    rows = []
    for i, problem in enumerate(problems[:40]):
        body = problem.canonical_solution if i % 2 else "    todo!()\n}\n"
        rows.append({"task_id": problem.task_id, "completion": body, "completion_id": f"honest-{i}"})
    return rows


async def soak(url: str, pid: int, seconds: float, clients: int) -> dict[str, Any]:
    honest = honest_samples()
    tasks = [row["task_id"] for row in honest]
    first: dict[str, bool] = {}
    counts = {"answered": 0, "failed": 0, "changed": 0}
    timeline: list[dict[str, float]] = []
    deadline = time.monotonic() + seconds

    async def client(number: int, http: httpx.AsyncClient) -> None:
        turn = 0
        while time.monotonic() < deadline:
            turn += 1
            mine = [honest[(number * 7 + turn + i) % len(honest)] for i in range(6)]
            kind, body = list(ATTACKS.items())[(number + turn) % len(ATTACKS)]
            mine.append({"task_id": tasks[turn % len(tasks)], "completion": body, "completion_id": kind})
            try:
                response = await http.post(url + "/v1/evaluate", json={"samples": mine})
                response.raise_for_status()
            except httpx.HTTPError:
                counts["failed"] += 1
                continue
            counts["answered"] += 1
            for result in response.json()["results"]:
                key = str(result.get("completion_id"))
                if key.startswith("honest-") and first.setdefault(key, result["passed"]) != result["passed"]:
                    counts["changed"] += 1

    async def watch() -> None:
        while time.monotonic() < deadline:
            timeline.append({"t": round(seconds - (deadline - time.monotonic()), 1), **snapshot(pid)})
            await anyio.sleep(max(1.0, seconds / 40))

    async with httpx.AsyncClient(timeout=600) as http, anyio.create_task_group() as group:
        group.start_soon(watch)
        for number in range(clients):
            group.start_soon(client, number, http)
    await anyio.sleep(3)  # the last jobs' processes end
    timeline.append({"t": round(seconds, 1), **snapshot(pid)})
    return {**counts, "honest_samples": len(first), "start": timeline[0], "end": timeline[-1], "timeline": timeline}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1200.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = parser.parse_args()
    flags = ["--workers", str(args.workers), "--clippy", "off", "--no-reuse", "--timeout", "2", "--max-queue", "100000"]
    with serving(*flags) as (url, server):
        time.sleep(2)  # the first snapshot after the warm-up
        figures = anyio.run(soak, url, server.pid, args.seconds, args.clients)
    grown = {k: figures["end"][k] - figures["start"][k] for k in FLAT}
    ok = not figures["failed"] and not figures["changed"] and all(grown[k] <= FLAT[k] for k in FLAT)
    if args.json:
        print(json.dumps({**figures, "grown": grown, "ok": ok}))
    else:
        print(
            f"{args.clients} clients, {args.seconds:.0f} s: {figures['answered']} requests answered, "
            f"{figures['failed']} failed; {figures['honest_samples']} honest samples, {figures['changed']} changed"
        )
        print("| | start | end | may grow |\n|---|---|---|---|")
        for key, bound in FLAT.items():
            print(f"| {key} | {figures['start'][key]} | {figures['end'][key]} | {bound} |")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
