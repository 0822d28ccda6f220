"""`sigil-eval serve` over real HTTP: concurrent clients share batches and get the verdicts file mode gives; bad
requests get their status codes; slow and vanishing clients stall nobody; OpenRLHF's reward shape."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import numpy as np
import pytest

from sigil_eval.records import AGREED_FIELDS

from ..helpers import EXAMPLE_PROBLEMS, judge, requires_firejail

pytestmark = requires_firejail
TOKEN = "s3cret-for-tests"
CLIENTS, PER_CLIENT = 16, 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Service:
    def __init__(self, *extra: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        exe = str(Path(sys.executable).with_name("sigil-eval"))
        argv = [exe, "serve", "--port", str(self.port), "--problems", str(EXAMPLE_PROBLEMS), "--workers", "2"]
        argv += ["--clippy", "off", "--no-reuse", *extra]
        self.process = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True, env=env)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited: {self.process.stderr.read() if self.process.stderr else ''}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("serve did not come up")

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        _, stderr = self.process.communicate(timeout=60)
        return stderr


@pytest.fixture(scope="module")
def service() -> Iterator[Service]:
    running = Service(
        "--token-env", "SIGIL_TEST_TOKEN", "--max-queue", "1000", env=dict(os.environ, SIGIL_TEST_TOKEN=TOKEN)
    )
    yield running
    assert running.stop() is not None
    assert running.process.returncode == 0, "SIGTERM: a graceful shutdown"


def samples_of(client: int) -> list[dict[str, Any]]:
    """Distinct programs, half right and half wrong, some duplicated across clients."""
    rows = []
    for i in range(PER_CLIENT):
        k = (client * PER_CLIENT + i) % 150
        body = f"    a + b + {k} - {k}\n}}\n" if k % 2 else f"    a - b + {k}\n}}\n"
        rows.append({"task_id": "Example/0", "completion": body, "completion_id": i})
    return rows


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_concurrent_clients_share_batches_and_get_file_mode_verdicts(service: Service) -> None:
    latencies: list[float] = []
    answers: dict[int, Any] = {}

    async def client(number: int, http: httpx.AsyncClient) -> None:
        started = time.perf_counter()
        response = await http.post(service.url + "/v1/evaluate", json={"samples": samples_of(number)}, headers=AUTH)
        latencies.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
        answers[number] = response.json()

    async def main() -> None:
        async with httpx.AsyncClient(timeout=300) as http, anyio.create_task_group() as group:
            for number in range(CLIENTS):
                group.start_soon(client, number, http)

    before = httpx.get(service.url + "/metrics", headers=AUTH).json()
    started = time.perf_counter()
    anyio.run(main)
    wall = time.perf_counter() - started
    after = httpx.get(service.url + "/metrics", headers=AUTH).json()
    every = [row for number in range(CLIENTS) for row in samples_of(number)]
    alone = judge(every, EXAMPLE_PROBLEMS, clippy="off", workers=2)
    served = [result for number in range(CLIENTS) for result in answers[number]["results"]]
    assert [r["sample_index"] for r in answers[3]["results"]] == list(range(PER_CLIENT)), "request order"
    for mine, reference in zip(served, alone, strict=True):
        assert {f: mine[f] for f in AGREED_FIELDS} == {f: getattr(reference, f) for f in AGREED_FIELDS}
    assert answers[0]["metrics"]["n_samples"] == PER_CLIENT and "pass@1" in answers[0]["metrics"]["pass_at_k"]
    batches = after["batches"] - before["batches"]
    assert batches < CLIENTS, f"{CLIENTS} requests in {batches} batches: samples of several requests share one"
    p50, p99 = np.percentile(latencies, [50, 99])
    print(
        f"\n{CLIENTS}×{PER_CLIENT} samples in {wall:.1f} s ({CLIENTS * PER_CLIENT / wall:.0f}/s), "
        f"{batches} batches, latency p50 {p50:.2f} s p99 {p99:.2f} s"
    )


def test_bad_requests_get_their_status_and_bad_samples_a_rejection(service: Service) -> None:
    url = service.url + "/v1/evaluate"
    assert httpx.post(url, json={"samples": []}).status_code == 401
    assert httpx.post(url, json={"samples": []}, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert httpx.post(url, content=b"{not json", headers=AUTH).status_code == 400
    assert httpx.post(url, json={"sample": []}, headers=AUTH).status_code == 400
    assert httpx.post(url, json={"samples": [], "options": {"timeout": 1}}, headers=AUTH).status_code == 400
    huge = httpx.post(url, content=b"x" * (33 << 20), headers={**AUTH, "content-type": "application/json"})
    assert huge.status_code == 413
    mixed = httpx.post(
        url,
        json={
            "samples": [
                {"task_id": "Nope/1", "completion": "x"},
                {"task_id": "Example/0", "completion": "    a + b\n}\n"},
                {"completion": "no task"},
            ]
        },
        headers=AUTH,
        timeout=120,
    )
    assert mixed.status_code == 200
    rows = mixed.json()["results"]
    assert rows[0] == {"position": 0, "rejected": "unknown task_id 'Nope/1' (not in the problem set)"}
    assert rows[1]["passed"] is True and rows[2]["rejected"] == "field 'task_id' missing"
    assert httpx.get(service.url + "/healthz").json()["status"] == "ok", "health needs no token"


def test_openrlhf_reward_shape(service: Service) -> None:
    prompt = "fn add(a: i64, b: i64) -> i64 {\n"
    body = {
        "query": [prompt + "    a + b\n}\n", prompt + "    a * b\n}\n", "    a + b\n}\n"],
        "prompts": [prompt, prompt, ""],
        "labels": ["Example/0", "Example/0", "Missing/0"],
    }
    response = httpx.post(service.url + "/get_reward", json=body, headers=AUTH, timeout=120)
    assert response.status_code == 200, response.text
    assert response.json()["rewards"] == [1.0, 0.0, 0.0]
    assert response.json()["rejected"][0]["position"] == 2


def test_a_vanishing_client_and_a_slow_one_stall_nobody(service: Service) -> None:
    async def vanishing() -> None:
        with anyio.move_on_after(0.2):
            async with httpx.AsyncClient(timeout=300) as http:
                await http.post(service.url + "/v1/evaluate", json={"samples": samples_of(40) * 3}, headers=AUTH)

    async def slow_sender() -> None:
        async def trickle() -> Any:
            data = json.dumps({"samples": samples_of(41)}).encode()
            for start in range(0, len(data), 200):
                yield data[start : start + 200]
                await anyio.sleep(0.05)

        async with httpx.AsyncClient(timeout=300) as http:
            response = await http.post(service.url + "/v1/evaluate", content=trickle(), headers=AUTH)
            assert response.status_code == 200

    async def quick(times: list[float]) -> None:
        async with httpx.AsyncClient(timeout=300) as http:
            started = time.perf_counter()
            response = await http.post(service.url + "/v1/evaluate", json={"samples": samples_of(42)[:2]}, headers=AUTH)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200

    times: list[float] = []

    async def main() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(vanishing)
            group.start_soon(slow_sender)
            await anyio.sleep(0.3)
            group.start_soon(quick, times)

    anyio.run(main)
    assert times and times[0] < 20, "a small request is answered while a slow client trickles and one vanished"
    assert httpx.get(service.url + "/healthz").status_code == 200


def test_a_full_queue_answers_429_with_retry_after() -> None:
    small = Service("--max-queue", "5")
    try:
        response = httpx.post(small.url + "/v1/evaluate", json={"samples": samples_of(0)[:10]}, timeout=60)
        assert response.status_code == 429 and response.headers["retry-after"] == "1"
        fits = httpx.post(small.url + "/v1/evaluate", json={"samples": samples_of(0)[:5]}, timeout=120)
        assert fits.status_code == 200
    finally:
        small.stop()


def test_binding_beyond_loopback_needs_a_token() -> None:
    exe = str(Path(sys.executable).with_name("sigil-eval"))
    done = subprocess.run(
        [exe, "serve", "--host", "0.0.0.0", "--port", str(free_port())], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "--token-env" in done.stderr
    unset = subprocess.run(
        [exe, "serve", "--token-env", "SIGIL_NO_SUCH_VARIABLE"], capture_output=True, text=True, timeout=60
    )
    assert unset.returncode == 2 and "SIGIL_NO_SUCH_VARIABLE" in unset.stderr


POISONER = (
    "    a + b\n}\n#[derive(Debug)]\npub struct Poison;\n"
    "impl PartialEq<Poison> for i64 {\n    fn eq(&self, _: &Poison) -> bool { false }\n}\n"
)
HONEST_WITH_EMPTY = "    let v = vec![a, b];\n    if v == [] {\n        return 0;\n    }\n    v.iter().sum()\n}\n"


def test_one_client_cannot_change_another_clients_verdicts(service: Service) -> None:
    """A client whose answers make `v == []` ambiguous for every neighbour in a crate (an impl for `i64`) and a
    client with honest answers that compare with `[]`, at once: the honest answers all pass."""
    poisoners = [{"task_id": "Example/0", "completion": POISONER + f"// {i}\n"} for i in range(4)]
    honest = [{"task_id": "Example/0", "completion": HONEST_WITH_EMPTY + f"// {i}\n"} for i in range(12)]
    answers: dict[str, Any] = {}

    async def client(name: str, samples: list[dict[str, Any]], http: httpx.AsyncClient) -> None:
        response = await http.post(service.url + "/v1/evaluate", json={"samples": samples}, headers=AUTH)
        assert response.status_code == 200, response.text
        answers[name] = response.json()["results"]

    async def main() -> None:
        async with httpx.AsyncClient(timeout=300) as http, anyio.create_task_group() as group:
            group.start_soon(client, "poisoner", poisoners, http)
            group.start_soon(client, "honest", honest, http)

    anyio.run(main)
    assert all(r["passed"] for r in answers["honest"]), [r["result"] for r in answers["honest"] if not r["passed"]]
    assert all(r["passed"] for r in answers["poisoner"])
