"""Opt-in deny-list of dangerous APIs (`--policy`), matched on code only: comments and strings are ignored.

Off by default: the sandbox is the security boundary. This exists for users who want such samples refused
before they are compiled. `std::mem::swap` and friends stay allowed.
"""

from __future__ import annotations

import re

from sigil_eval.program.rust_lexer import code_mask

_DENIED = [
    ("process control", r"\bstd\s*::\s*process\b|\bCommand\s*::\s*new\b"),
    ("networking", r"\bstd\s*::\s*net\b|\b(?:TcpStream|TcpListener|UdpSocket)\b"),
    ("filesystem", r"\bstd\s*::\s*fs\b|\bFile\s*::\s*(?:open|create)\b"),
    ("environment", r"\bstd\s*::\s*env\b|\b(?:option_)?env\s*!"),
    ("OS-specific APIs", r"\bstd\s*::\s*os\b|\blibc\b"),
    ("unsafe code", r"\bunsafe\b"),
    ("foreign functions", r"\bextern\b"),
    ("file inclusion", r"\binclude(?:_str|_bytes)?\s*!"),
    ("grouped import of a denied module", r"\buse\s+std\s*::\s*\{[^}]*\b(?:process|net|fs|os|env)\b"),
]
_PATTERNS = [(label, re.compile(pattern)) for label, pattern in _DENIED]


def policy_violation(code: str) -> str | None:
    masked = code_mask(code)
    for label, pattern in _PATTERNS:
        if match := pattern.search(masked):
            return f"{label} (`{match.group(0).strip()}`)"
    return None
