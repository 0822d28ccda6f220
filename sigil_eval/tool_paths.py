"""Tools found on PATH, as a jail can run them. A firejail jail mounts private directories of its own over the
temporary ones, so a tool found through a link there (a temporary `bin/`, say) would make every command in the
jail fail: such a link is followed, before any jail starts, until it leads out of them. No further: multi-call
binaries and rustup's proxies (`~/.cargo/bin/rustc` is rustup) choose by the name they are called by."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sigil_eval.errors import SandboxError

PRIVATE_TMPFS = ("/tmp", "/var/tmp", "/dev/shm")  # replaced inside the jail by private, empty directories


def in_private_dir(path: Path) -> str | None:
    """The private directory `path` lies in, or None."""
    return next((private for private in PRIVATE_TMPFS if path.is_relative_to(private)), None)


def find_tool(name: str, *, runs_in_jail: bool = False) -> str | None:
    """`name` on PATH (None when absent), with a link in a private directory resolved. A tool that runs inside
    the jail (`runs_in_jail`) and still lies in one after that cannot run there: SandboxError, naming it."""
    found = shutil.which(name)
    if found is None:
        return None
    path = Path(found)
    # follow the links only until one leads out: the name there may matter (`~/.cargo/bin/rustc` is rustup)
    while in_private_dir(path) is not None and path.is_symlink():
        target = Path(os.readlink(path))
        path = Path(os.path.normpath(target if target.is_absolute() else path.parent / target))
    if runs_in_jail and (private := in_private_dir(path)) is not None:
        raise SandboxError(f"{name} is {path}, inside {private}, which the jail replaces: install it elsewhere")
    return str(path)
