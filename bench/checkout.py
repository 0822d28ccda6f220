"""Running another checkout of sigil-eval beside this one (the benches' `--baseline`): a `python -c` program that
puts the checkout named by its first argument first on the path. An editable install's import finder would bring
this tree back whatever the path says, so it is taken off first."""

from __future__ import annotations

import sys
from pathlib import Path

_CHECKOUT_FIRST = (
    "import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]; "
    "sys.path.insert(0, sys.argv.pop(1)); "
)
# what each bench runs there: sigil-eval's command line, or a script (with its own arguments)
SIGIL_EVAL = "from sigil_eval.cli.main import main; raise SystemExit(main())"
# (its directory after the checkout on the path, as `python script.py` would have it)
SCRIPT = (
    "import os, runpy; sys.argv.pop(0); sys.path.insert(1, os.path.dirname(os.path.abspath(sys.argv[0]))); "
    "runpy.run_path(sys.argv[0], run_name='__main__')"
)


def in_checkout(checkout: Path, program: str) -> list[str]:
    """The argv start that runs `program` (`SIGIL_EVAL` or `SCRIPT`) with `checkout`'s sigil_eval; append its
    arguments (for `SCRIPT`, the script's path first)."""
    return [sys.executable, "-c", _CHECKOUT_FIRST + program, str(checkout)]
