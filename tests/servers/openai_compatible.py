"""A small OpenAI-compatible model server for tests and benchmarks: real HTTP on loopback (uvicorn), answering
`/v1/completions` and `/v1/chat/completions` from a problem set's reference bodies, with scripted faults.

    with ModelServer(problem_set) as server:        # server.url → "http://127.0.0.1:PORT/v1"
        server.script("HumanEval/3", "429", "500")  # the next requests for that task fail so, then it answers
        server.wrong.add("HumanEval/4")             # that task always gets a wrong body

Faults: "429" (with `Retry-After: 1`), "500", "slow" (answers after `slow_s`), "drop" (the connection closes
mid-body). Modes: `refuse_n` (n > 1 gets llama.cpp's 400), `think` (chat answers start with a <think> block),
`token_delay_s` (a per-token delay, for overlap benchmarks). With `crate_tasks`, a chat request for one of them
gets its reference files, each headed by its path (Aider's whole-file format); a wrong one gets the stub. Stop
sequences are honoured as servers do: the text ends before the first one. `served` counts answered samples per
task; `requests` counts requests per task.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import anyio
import uvicorn

from sigil_eval.crates.task import CrateTask
from sigil_eval.generation.prompts import Prompted, code_shown, crate_request
from sigil_eval.inputs.problemsets import ProblemSet

WRONG_BODY = "    todo!()\n}\n"
Scope = dict[str, Any]


class ModelServer:
    def __init__(
        self,
        problem_set: ProblemSet,
        *,
        slow_s: float = 3.0,
        token_delay_s: float = 0.0,
        crate_tasks: Sequence[CrateTask] = (),
    ) -> None:
        self.problems = [p for p in problem_set.problems.values() if p.canonical_solution]
        self.crate_tasks = {crate_request(task): task for task in crate_tasks}
        self._by_prompt = {code_shown(p): p for p in self.problems}
        self.slow_s = slow_s
        self.token_delay_s = token_delay_s
        self.refuse_n = False
        self.think = False
        self.wrong: set[str] = set()
        self.faults: dict[str, list[str]] = {}
        self.requests: Counter[str] = Counter()
        self.served: Counter[str] = Counter()
        self.stops: dict[str, list[str]] = {}  # the stop sequences of each task's last request
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, task_id: str, *faults: str) -> None:
        with self._lock:
            self.faults.setdefault(task_id, []).extend(faults)

    def __enter__(self) -> ModelServer:
        config = uvicorn.Config(
            self._app, host="127.0.0.1", port=0, log_level="critical", lifespan="off", interface="asgi3"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test model server did not start")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.should_exit = True
        self._thread.join(timeout=10)

    # the ASGI app: raw, so that a fault can drop a connection mid-body

    async def _app(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path = scope["path"]
        if scope["method"] != "POST" or path not in ("/v1/completions", "/v1/chat/completions"):
            await _respond(send, 404, {"error": {"message": f"no route {path}"}})
            return
        request = json.loads(body)
        chat = path.endswith("chat/completions")
        problem = self._problem(request, chat)
        if problem is None:
            await _respond(send, 400, {"error": {"message": "unknown prompt"}})
            return
        n = int(request.get("n") or 1)
        with self._lock:
            self.requests[problem.task_id] += 1
            self.stops[problem.task_id] = list(request.get("stop") or [])
        if self.refuse_n and n > 1:  # before any scripted fault: a refusal does not use one up
            refusal = {"message": "Only one completion choice is allowed", "type": "invalid_request_error"}
            await _respond(send, 400, {"error": refusal})
            return
        with self._lock:
            fault = self.faults[problem.task_id].pop(0) if self.faults.get(problem.task_id) else None
        if fault == "429":
            await _respond(send, 429, {"error": {"message": "rate limited"}}, headers=[(b"retry-after", b"1")])
            return
        if fault == "500":
            await _respond(send, 500, {"error": {"message": "internal error"}})
            return
        if fault == "slow":
            await anyio.sleep(self.slow_s)
        texts = [self._answer(problem, request, chat) for _ in range(n)]
        if self.token_delay_s:
            await anyio.sleep(self.token_delay_s * max(len(t) // 4 for t in texts))
        if fault == "drop":
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1000")]})
            await send({"type": "http.response.body", "body": b'{"id": "cut', "more_body": True})
            raise ConnectionAbortedError("dropped by the test server")
        with self._lock:
            self.served[problem.task_id] += n
        await _respond(send, 200, _completion(request, texts, chat))

    def _problem(self, request: dict[str, Any], chat: bool) -> Prompted | None:
        if not chat:
            return self._by_prompt.get(request.get("prompt", ""))
        user = next((m["content"] for m in request.get("messages", []) if m.get("role") == "user"), "")
        if user in self.crate_tasks:
            return self.crate_tasks[user]
        return next((p for prompt, p in self._by_prompt.items() if prompt.rstrip() in user), None)

    def _answer(self, problem: Prompted, request: dict[str, Any], chat: bool) -> str:
        if isinstance(problem, CrateTask):
            files = problem.sources if problem.task_id in self.wrong else problem.reference
            blocks = "".join(f"{path}\n```rust\n{text}```\n\n" for path, text in files.items())
            return f"I changed these files:\n\n{blocks}Every test passes now."
        body = WRONG_BODY if problem.task_id in self.wrong else problem.canonical_solution or ""
        if chat:
            text = f"Here is the function:\n```rust\n{code_shown(problem)}{body}```\n"
            if self.think:
                text = "<think>\nThe tests call it with small inputs; a loop will do.\n</think>\n" + text
            prefix = next((m["content"] for m in request["messages"] if m.get("role") == "assistant"), "")
            text = text.removeprefix(prefix) if prefix and text.startswith(prefix) else text
        else:
            text = body
        stops = request.get("stop") or []
        cut = min((text.find(s) for s in stops if s and s in text), default=-1)
        return text[:cut] if cut >= 0 else text


def _completion(request: dict[str, Any], texts: list[str], chat: bool) -> dict[str, Any]:
    tokens = sum(len(t) // 4 for t in texts)
    usage = {"prompt_tokens": 100, "completion_tokens": tokens, "total_tokens": 100 + tokens}
    if chat:
        choices: list[dict[str, Any]] = [
            {"index": i, "message": {"role": "assistant", "content": t}, "finish_reason": "stop"}
            for i, t in enumerate(texts)
        ]
        kind = "chat.completion"
    else:
        choices = [{"index": i, "text": t, "finish_reason": "stop", "logprobs": None} for i, t in enumerate(texts)]
        kind = "text_completion"
    return {
        "id": "cmpl-test",
        "object": kind,
        "created": int(time.time()),
        "model": request.get("model", ""),
        "choices": choices,
        "usage": usage,
    }


async def _respond(
    send: Any, status: int, payload: dict[str, Any], headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
