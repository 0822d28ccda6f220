"""Opt-in deny-list of dangerous APIs (`--policy`), matched on code only: comments and strings are ignored.

Off by default: the sandbox is the security boundary, and a verdict does not depend on this list (a pass needs
evidence the sample cannot produce, see `oracle`). This exists for users who want such samples refused
before they are compiled. Aliases do not hide a denied module: the modules are matched as path segments under any
root (`s::process::exit` after `use std as s`), and renaming std itself is denied. `std::mem::swap` and
friends stay allowed.
"""

from __future__ import annotations

import re

from sigil_eval.program.rust_lexer import code_mask

_DENIED = [
    ("process control", r"::\s*process\b|\bCommand\s*::\s*new\b"),
    ("networking", r"::\s*net\b|\b(?:TcpStream|TcpListener|UdpSocket)\b"),
    ("filesystem", r"::\s*fs\b|\bFile\s*::\s*(?:open|create)\b"),
    ("environment", r"::\s*env\b|\b(?:option_)?env\s*!"),
    ("OS-specific APIs", r"::\s*os\b|\blibc\b"),
    ("an alias of std", r"\b(?:std|core|alloc)\s+as\b"),
    ("unsafe code", r"\bunsafe\b"),
    ("foreign functions", r"\bextern\b"),
    ("file inclusion", r"\binclude(?:_str|_bytes)?\s*!"),
    ("grouped import of a denied module", r"\buse\s+(?:::\s*)?\w+\s*::\s*\{[^}]*\b(?:process|net|fs|os|env)\b"),
]
_PATTERNS = [(label, re.compile(pattern)) for label, pattern in _DENIED]


def policy_violation(code: str) -> str | None:
    masked = code_mask(code)
    for label, pattern in _PATTERNS:
        if match := pattern.search(masked):
            return f"{label} (`{match.group(0).strip()}`)"
    return None
