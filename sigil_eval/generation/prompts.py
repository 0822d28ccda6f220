"""What the model is shown for a problem.

Completions API (base models): the code the completion is appended to, as the evaluator assembles it — the
problem's own `use` lines (HumanEval-X declarations) and its prompt up to the open signature — so the model
continues the function body. Stop sequences: the problem set's (MultiPL-E's `stop_tokens`), else `\\n}`.

Chat API (instruction models), the template:
    system:    SYSTEM (or --system)
    user:      USER_TEMPLATE with the same code in a ```rust block
    assistant: --response-prefix, when given, as a prefill the model continues
The answer is judged as it comes (markdown, prose, `<think>` blocks and all): the evaluator's cleaner extracts the
code, exactly as for a samples file.
"""

from __future__ import annotations

from typing import Any

from sigil_eval.generation.settings import DEFAULT_STOP, GenerationSettings
from sigil_eval.records import Problem

SYSTEM = "You are an expert Rust programmer. Answer with the complete function in a single ```rust code block."
USER_TEMPLATE = "Complete the following Rust function. Keep its signature.\n\n```rust\n{code}\n```"


def code_shown(problem: Problem) -> str:
    """The code a completion continues: the problem's declared `use` lines, then its prompt to the signature."""
    declared = problem.prelude if problem.shape in ("humaneval-x", "humanevalpack") else ""
    return (declared + "\n" if declared else "") + problem.code_prefix


def stop_sequences(problem: Problem, settings: GenerationSettings) -> list[str]:
    if settings.stop is not None:
        return list(settings.stop)
    return list(problem.stop or DEFAULT_STOP)


def chat_messages(problem: Problem, settings: GenerationSettings) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": settings.system if settings.system is not None else SYSTEM},
        {"role": "user", "content": USER_TEMPLATE.format(code=code_shown(problem).rstrip())},
    ]
    if settings.response_prefix:
        messages.append({"role": "assistant", "content": settings.response_prefix})
    return messages
