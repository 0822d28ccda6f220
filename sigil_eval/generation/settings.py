"""What a generation run asks a server for, in one typed record shared by the API and the CLI."""

from __future__ import annotations

from typing import Literal

import msgspec

from sigil_eval.errors import InputError

Api = Literal["completions", "chat"]
DEFAULT_STOP = ("\n}",)  # a body-only completion then ends before its closing brace, which the cleaner adds


class GenerationSettings(msgspec.Struct, frozen=True, kw_only=True):
    base_url: str
    model: str
    api: Api = "completions"
    n: int = 1  # samples per problem
    temperature: float = 0.2
    top_p: float = 0.95
    max_tokens: int = 512
    stop: tuple[str, ...] | None = None  # completions API: default the problem set's stop tokens, else DEFAULT_STOP
    seed: int | None = None
    concurrency: int = 16  # requests in flight
    system: str | None = None  # chat API: the system message (default: see `prompts.SYSTEM`)
    response_prefix: str = ""  # chat API: the start of the assistant's answer, sent as a prefill
    request_timeout: float = 120.0  # seconds per attempt
    max_retries: int = 4  # attempts after the first (429, 5xx, timeouts, dropped connections)
    api_key_env: str = "OPENAI_API_KEY"

    def validate(self) -> GenerationSettings:
        if not self.base_url.startswith(("http://", "https://")):
            raise InputError(f"--base-url must be an http(s) URL, got {self.base_url!r}")
        if not self.model:
            raise InputError("--model is required")
        for name, value, least in (
            ("n", self.n, 1),
            ("concurrency", self.concurrency, 1),
            ("max-tokens", self.max_tokens, 1),
        ):
            if value < least:
                raise InputError(f"--{name} must be at least {least}, got {value}")
        if self.max_retries < 0:
            raise InputError(f"--max-retries must not be negative, got {self.max_retries}")
        if not self.request_timeout > 0:
            raise InputError(f"--request-timeout must be positive, got {self.request_timeout}")
        if not 0.0 <= self.temperature <= 2.0:
            raise InputError(f"--temperature must lie in [0, 2], got {self.temperature}")
        if not 0.0 < self.top_p <= 1.0:
            raise InputError(f"--top-p must lie in (0, 1], got {self.top_p}")
        return self
