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

Crate tasks (`crates.task`), chat API only, in Aider's order — the files to edit, then the instructions:
    system:    CRATE_SYSTEM (or --system)
    user:      the editable files, each as its path and a fenced block; the crate's Cargo.toml (read only: the
               crates it may use); the instructions (with their append and introduction); CRATE_ASK
The answer's files are read as `crates.answer` reads a samples file's (blocks headed by their path, JSON, or one
block for the main file).
"""

from __future__ import annotations

from typing import Any

from sigil_eval.crates.task import CrateTask
from sigil_eval.errors import InputError
from sigil_eval.generation.settings import DEFAULT_STOP, GenerationSettings
from sigil_eval.records import Problem

Prompted = Problem | CrateTask  # what a generation asks a model about

SYSTEM = "You are an expert Rust programmer. Answer with the complete function in a single ```rust code block."
USER_TEMPLATE = "Complete the following Rust function. Keep its signature.\n\n```rust\n{code}\n```"
CRATE_SYSTEM = (
    "You are an expert Rust programmer. Answer with the whole of every file you change: its path on a line of its "
    "own, then its content in a fenced code block."
)
CRATE_ASK = (
    "Edit the files above to solve the task. Keep the names and signatures the tests use, and use only the crates "
    "Cargo.toml declares. The tests are not shown and cannot be changed."
)


def code_shown(problem: Prompted) -> str:
    """The code a completion continues: the problem's declared `use` lines, then its prompt to the signature."""
    if isinstance(problem, CrateTask):
        raise InputError(f"crate task {problem.task_id}: a whole crate is asked for with --api chat")
    declared = problem.prelude if problem.shape in ("humaneval-x", "humanevalpack") else ""
    return (declared + "\n" if declared else "") + problem.code_prefix


def stop_sequences(problem: Prompted, settings: GenerationSettings) -> list[str]:
    if settings.stop is not None:
        return list(settings.stop)
    return list((problem.stop if isinstance(problem, Problem) else None) or DEFAULT_STOP)


def crate_request(task: CrateTask) -> str:
    """The user message for a crate task: the files to edit, the manifest, the instructions, what to answer."""
    parts = ["Here are the files of a Rust crate you will edit:"]
    for path in task.editable:
        if path in task.sources or path.endswith(".rs"):
            parts.append(f"{path}\n{_fenced(task.sources.get(path, ''), 'rust' if path.endswith('.rs') else '')}")
    parts.append(f"The crate's Cargo.toml (read only):\n{_fenced(task.cargo_toml, 'toml')}")
    if task.instructions:
        parts.append(task.instructions.strip())
    parts.append(CRATE_ASK)
    return "\n\n".join(parts)


def _fenced(text: str, language: str) -> str:
    fence = "```"
    while fence in text:  # a file holding a fence gets a longer one
        fence += "`"
    return f"{fence}{language}\n{text.rstrip()}\n{fence}"


def chat_messages(problem: Prompted, settings: GenerationSettings) -> list[dict[str, Any]]:
    if isinstance(problem, CrateTask):
        system, request = CRATE_SYSTEM, crate_request(problem)
    else:
        system, request = SYSTEM, USER_TEMPLATE.format(code=code_shown(problem).rstrip())
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": settings.system if settings.system is not None else system},
        {"role": "user", "content": request},
    ]
    if settings.response_prefix:
        messages.append({"role": "assistant", "content": settings.response_prefix})
    return messages
