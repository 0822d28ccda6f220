"""Requests to an OpenAI-compatible server, through the official `openai` client (async): it retries 429, 5xx,
timeouts and dropped connections with exponential backoff and jitter, honouring `Retry-After`, up to
`max_retries` times, each attempt under `request_timeout`. A request that still fails becomes a generation error
on each sample it was for: recorded, never judged, retried by a rerun.

n samples of a problem go in one request (`n`); a server that refuses `n > 1` (llama.cpp's server, Ollama) is
noticed once and then asked n times for one; a server that silently returns fewer choices is asked for the rest."""

from __future__ import annotations

import os
import time
from typing import Any

import openai
import structlog

from sigil_eval.generation.prompts import Prompted, chat_messages, code_shown, stop_sequences
from sigil_eval.generation.settings import GenerationSettings
from sigil_eval.records import GeneratedSample

log = structlog.get_logger("sigil_eval")
# (text, finish reason) per choice, the latency in seconds, (prompt tokens, completion tokens per choice)
Answers = tuple[list[tuple[str, str | None]], float, tuple[int | None, int | None]]
LOCAL_KEY = "sk-no-key-needed"  # local servers take any key; the client insists on one


class GenerationClient:
    def __init__(self, settings: GenerationSettings) -> None:
        self.settings = settings
        self._client = openai.AsyncOpenAI(
            base_url=settings.base_url,
            api_key=os.environ.get(settings.api_key_env) or LOCAL_KEY,
            max_retries=settings.max_retries,
            timeout=settings.request_timeout,
        )
        self.singles = False  # the server refuses n > 1: one request per sample
        self.requests = 0

    async def close(self) -> None:
        await self._client.close()

    async def generate(self, problem: Prompted, completion_ids: list[int]) -> tuple[list[GeneratedSample], list[int]]:
        """Samples for some of the ids (each an answer or a generation error), and the ids left for the caller
        to ask for one at a time (the server refuses n > 1, or returned fewer choices than asked)."""
        batch = completion_ids if not self.singles else completion_ids[:1]
        left = completion_ids[len(batch) :]
        got: Answers | str
        try:
            got = await self._request(problem, len(batch))
        except openai.BadRequestError as exc:
            if len(batch) > 1 and _refuses_n(exc):
                if not self.singles:
                    log.warning("the server refuses n > 1; asking for one sample per request", detail=_message(exc))
                self.singles = True
                return [], completion_ids
            got = _error(exc)
        except openai.APIError as exc:
            got = _error(exc)
        if isinstance(got, str):
            return [self._failed(problem, cid, got) for cid in batch], left
        answers, latency, usage = got
        if not answers:
            return [self._failed(problem, cid, "the server returned no choices") for cid in batch], left
        out = [
            GeneratedSample(
                task_id=problem.task_id,
                completion_id=cid,
                completion=self._with_prefix(text),
                model=self.settings.model,
                finish_reason=finish,
                prompt_tokens=usage[0],
                completion_tokens=usage[1],
                latency_s=round(latency, 3),
            )
            for cid, (text, finish) in zip(batch, answers, strict=False)
        ]
        return out, batch[len(answers) :] + left

    def _with_prefix(self, text: str) -> str:
        return (self.settings.response_prefix + text) if self.settings.api == "chat" else text

    def _failed(self, problem: Prompted, completion_id: int, why: str) -> GeneratedSample:
        return GeneratedSample(
            task_id=problem.task_id, completion_id=completion_id, model=self.settings.model, generation_error=why
        )

    async def _request(self, problem: Prompted, n: int) -> Answers:
        """(text, finish reason) per choice, the latency, and (prompt, completion) tokens per choice."""
        s = self.settings
        common: dict[str, Any] = {"model": s.model, "n": n, "temperature": s.temperature, "top_p": s.top_p}
        if s.seed is not None:
            common["seed"] = s.seed
        started = time.perf_counter()
        self.requests += 1
        answers: list[tuple[str, str | None]]
        usage: Any
        if s.api == "completions":
            response = await self._client.completions.create(
                prompt=code_shown(problem),
                max_tokens=s.max_tokens,
                stop=stop_sequences(problem, s),
                **common,
            )
            answers = [(choice.text or "", choice.finish_reason) for choice in response.choices]
            usage = response.usage
        else:
            chat = await self._client.chat.completions.create(
                messages=chat_messages(problem, s),  # type: ignore[arg-type]
                max_tokens=s.max_tokens,
                stop=list(s.stop) if s.stop else None,
                **common,
            )
            answers = [(choice.message.content or "", choice.finish_reason) for choice in chat.choices]
            usage = chat.usage
        latency = time.perf_counter() - started
        per_choice = max(len(answers), 1)
        tokens = (usage.prompt_tokens, usage.completion_tokens // per_choice) if usage is not None else (None, None)
        return answers, latency, tokens


def _message(exc: openai.APIError) -> str:
    return " ".join(str(exc.message or exc).split())[:300]


def _refuses_n(exc: openai.BadRequestError) -> bool:
    text = _message(exc).lower()
    return "choice" in text or " n " in f" {text} " or "'n'" in text or '"n"' in text or "n must" in text


def _error(exc: openai.APIError) -> str:
    status = f" {exc.status_code}" if isinstance(exc, openai.APIStatusError) else ""
    return f"{type(exc).__name__}{status}: {_message(exc)}"
