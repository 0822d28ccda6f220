"""The HTTP surface of `sigil-eval serve` (Starlette on uvicorn). Every request's samples go to one shared
`VerdictPool`, so samples of concurrent requests share batches.

    POST /v1/evaluate  {"samples": [{task_id, completion[, completion_id]}…], "options"?: {"k": [1, 10]}}
                       → {"results": [Result | {"position", "rejected"}…], "metrics": Report}   (request order)
    POST /get_reward   OpenRLHF's remote reward: {"query": [...], "prompts": [...], "labels": [...]}
                       → {"rewards": [...]}  (completion = query minus its prompt; label = task id)
    GET  /healthz      {"status": "ok", "pending": N}
    GET  /metrics      queue depth, samples/s, request latency p50/p99

401 without the bearer token (when one is set), 400 for malformed JSON or a wrong shape, 413 past the size limit,
429 with Retry-After when the pool is full. A bad sample is a per-sample rejection, not a failed request.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any

import anyio
import msgspec
import numpy as np
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from sigil_eval.engine.evaluator import Evaluator
from sigil_eval.engine.verdict_pool import VerdictPool
from sigil_eval.inputs.samples import sample_from_object
from sigil_eval.metrics.report import DEFAULT_KS, Tally
from sigil_eval.records import Result, Sample
from sigil_eval.rewards import RewardMode, reward_of


@dataclass(frozen=True, slots=True)
class ServiceLimits:
    max_pending: int = 20_000  # samples accepted and not yet judged, over all requests
    fair: bool = True  # requests' samples fed in turn (`engine.verdict_pool`), not first-in first-out
    reward: RewardMode = "pass"  # /get_reward's rewards (`rewards.reward_of`)
    max_request_bytes: int = 32 << 20
    max_samples_per_request: int = 10_000
    retry_after_s: int = 1
    compile_credit: float = 0.0  # /get_reward: the reward of a sample that compiles but fails its tests


class _Refused(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def _json(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(msgspec.json.encode(payload), status_code=status, media_type="application/json", headers=headers)


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return _json({"error": message}, status, headers)


class _Guard:
    """Bearer token (when set) and the declared body size, before any route reads a byte."""

    def __init__(self, app: ASGIApp, token: str | None, max_bytes: int) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode() if token else None
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = dict(scope["headers"])
            if self.expected is not None and scope["path"] != "/healthz":
                given = headers.get(b"authorization", b"")
                if not secrets.compare_digest(given, self.expected):
                    await _error(401, "missing or wrong bearer token")(scope, receive, send)
                    return
            declared = headers.get(b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
                await _error(413, f"request body over {self.max_bytes} bytes")(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def _body(request: Request, limit: int) -> Any:
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise _Refused(413, f"request body over {limit} bytes")
    try:
        return msgspec.json.decode(bytes(data))
    except msgspec.DecodeError as exc:
        raise _Refused(400, f"malformed JSON: {exc}") from None
    except RecursionError:
        raise _Refused(400, "malformed JSON: nested too deep") from None


@asynccontextmanager
async def open_pool(evaluator: Evaluator, limits: ServiceLimits) -> AsyncIterator[VerdictPool]:
    """Open `evaluator` (an InfraError here means the machine cannot evaluate: before any request is taken) and
    route its verdicts for as long as the block runs."""
    async with evaluator, anyio.create_task_group() as group:
        pool = VerdictPool(evaluator, limits.max_pending, fair=limits.fair)
        await group.start(pool.run)
        try:
            yield pool
        finally:
            pool.close()


def create_app(pool: VerdictPool, *, token: str | None = None, limits: ServiceLimits | None = None) -> ASGIApp:
    """The service's routes over an open pool (see `open_pool`)."""
    limits = limits or ServiceLimits()
    evaluator = pool.evaluator
    known = evaluator.problem_set.problems

    async def judged(items: list[Any]) -> tuple[list[Result | dict[str, Any]], list[Result]]:
        """Per position: a Result, or a rejection; and the Results alone."""
        if len(items) > limits.max_samples_per_request:
            raise _Refused(413, f"more than {limits.max_samples_per_request} samples in one request")
        parsed = [sample_from_object(item, known) for item in items]
        valid = [p for p in parsed if isinstance(p, Sample)]
        if not pool.reserve(len(valid)):
            raise _Refused(429, "the evaluator is full; retry later", {"Retry-After": str(limits.retry_after_s)})
        results = iter(await pool.judge(valid))
        out: list[Result | dict[str, Any]] = []
        mine: list[Result] = []
        for position, item in enumerate(parsed):
            if isinstance(item, str):
                out.append({"position": position, "rejected": item})
            else:
                result = msgspec.structs.replace(next(results), sample_index=position)
                out.append(result)
                mine.append(result)
        return out, mine

    async def evaluate_route(request: Request) -> Response:
        try:
            body = await _body(request, limits.max_request_bytes)
            if not isinstance(body, dict) or not isinstance(body.get("samples"), list):
                raise _Refused(400, 'expected {"samples": [...]}')
            options = body.get("options") or {}
            if not isinstance(options, dict) or set(options) - {"k"}:
                raise _Refused(400, 'options: only {"k": [..]} can be set per request')
            ks = options.get("k", list(DEFAULT_KS))
            if not (isinstance(ks, list) and ks and all(isinstance(k, int) and k > 0 for k in ks)):
                raise _Refused(400, "options.k: a list of positive integers")
            out, mine = await judged(body["samples"])
        except _Refused as refused:
            return _error(refused.status, str(refused), refused.headers)
        metrics = Tally.of(mine).report([], ks=ks, setting=evaluator.setting)
        return _json({"results": out, "metrics": metrics})

    async def reward_route(request: Request) -> Response:
        try:
            body = await _body(request, limits.max_request_bytes)
            if not isinstance(body, dict):
                raise _Refused(400, 'expected {"query": [...], "prompts": [...], "labels": [...]}')
            queries, prompts, labels = body.get("query"), body.get("prompts") or [], body.get("labels")
            if not (isinstance(queries, list) and isinstance(labels, list) and len(queries) == len(labels)):
                raise _Refused(400, "query and labels must be lists of the same length")
            if not isinstance(prompts, list):
                raise _Refused(400, "prompts: a list (the prompt of each query), when given")
            items = [
                {"task_id": label, "completion": _completion(query, prompts[i] if i < len(prompts) else "")}
                for i, (query, label) in enumerate(zip(queries, labels, strict=True))
            ]
            out, _ = await judged(items)
        except _Refused as refused:
            return _error(refused.status, str(refused), refused.headers)
        rewards = [reward_of(r, limits.compile_credit, limits.reward) if isinstance(r, Result) else 0.0 for r in out]
        rejected = [r for r in out if not isinstance(r, Result)]
        return _json({"rewards": rewards, **({"rejected": rejected} if rejected else {})})

    async def health_route(request: Request) -> Response:
        return _json({"status": "ok", "pending": pool.pending})

    async def metrics_route(request: Request) -> Response:
        latencies = np.array(pool.latencies_ms or [0.0])
        return _json(
            {
                "queue_depth": pool.pending,
                "max_pending": pool.max_pending,
                "judged": pool.judged,
                "requests": pool.requests,
                "batches": evaluator.stats.batches,
                "samples_per_s": round(pool.samples_per_s(), 2),
                "latency_ms_p50": round(float(np.percentile(latencies, 50)), 1),
                "latency_ms_p99": round(float(np.percentile(latencies, 99)), 1),
            }
        )

    app = Starlette(
        routes=[
            Route("/v1/evaluate", evaluate_route, methods=["POST"]),
            Route("/get_reward", reward_route, methods=["POST"]),
            Route("/healthz", health_route, methods=["GET"]),
            Route("/metrics", metrics_route, methods=["GET"]),
        ],
    )
    return _Guard(app, token, limits.max_request_bytes)


def _completion(query: Any, prompt: Any) -> Any:
    """OpenRLHF sends prompt + response as the query: the completion is what follows the prompt."""
    if isinstance(query, str) and isinstance(prompt, str) and prompt and query.startswith(prompt):
        return query[len(prompt) :]
    return query


class QuietServer(uvicorn.Server):
    """uvicorn re-raises a SIGTERM or SIGINT it caught once it has shut down, which would end the process before the
    evaluator closes (its scratch space left behind); here the signal only ends `serve()`, after the requests in
    flight are answered."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        self._captured_signals.clear()
