"""Wrap compile and run commands in the sandbox and the resource limits.

firejail (0.9.72, as root): a new network namespace with no interfaces, seccomp, no new privileges, a read-only
view of the system, the job's scratch dir as the only writable and the only visible place in /tmp, home
directories hidden except the toolchain and the dependency rlibs, secrets blacklisted, a cleared environment.
The compiler runs inside too (`include_str!("/etc/shadow")` must fail). Test binaries additionally drop to an
unprivileged uid of their own (setpriv), so they cannot read anything root-only and RLIMIT_NPROC applies.

A running sample sees less than its compiler: no toolchain, and of the root filesystem only the system
directories (`RUN_VISIBLE_TOP`); everything else (the user's project, home directories, `/usr/local` with the
installed evaluator, caches holding problem sets) is hidden, so it cannot read the tests it is judged by.
Limits are rlimits set by `prlimit`: CPU time first, the wall clock in Python is only a backstop.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sigil_eval.errors import SandboxError
from sigil_eval.runner.limits import cpu_limit, run_uid
from sigil_eval.tool_paths import PRIVATE_TMPFS, find_tool

SandboxKind = Literal["firejail", "none"]
SECRETS = ("/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-", "/etc/ssh", "/root/.ssh")
# top-level directories a running test binary may see (it is dynamically linked against libc, nothing else)
RUN_VISIBLE_TOP = frozenset(
    {"bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr", "etc", "dev", "proc", "sys", "run", "tmp"}
)
RUN_HIDDEN = ("/usr/local",)


@dataclass(frozen=True, slots=True)
class Limits:
    cpu_seconds: float
    address_space: int
    file_size: int
    processes: int | None = None

    def prlimit_args(self, prlimit: str) -> list[str]:
        cpu = cpu_limit(self.cpu_seconds)
        args = [
            prlimit,
            f"--cpu={cpu}:{cpu + 1}",
            f"--as={self.address_space}",
            f"--fsize={self.file_size}",
            "--core=0",
            "--nofile=256",
        ]
        if self.processes is not None:
            args.append(f"--nproc={self.processes}")
        return [*args, "--"]


@dataclass(frozen=True, slots=True)
class Sandbox:
    kind: SandboxKind
    visible: tuple[Path, ...]  # read-only paths a jailed compiler needs (sysroot, dependency rlibs)
    firejail: str | None
    prlimit: str
    setpriv: str | None

    @property
    def reports_signal_as_exit_code(self) -> bool:
        return self.kind == "firejail"

    def _jail(self, scratch: Path, caps: list[str], *, running: bool = False) -> list[str]:
        if self.kind == "none":
            return []
        assert self.firejail is not None
        args = [
            self.firejail,
            "--noprofile",
            "--quiet",
            "--net=none",
            "--nonewprivs",
            "--seccomp",
            "--nosound",
            "--no3d",
            "--private-dev",  # a minimal /dev: null, zero, urandom, tty; no disks
            "--dbus-system=none",
            "--dbus-user=none",
            "--read-only=/",
            f"--whitelist={scratch}",
            # firejail's private /tmp, /var/tmp and /dev/shm are RAM-backed: read-only, so no one fills memory
            *(f"--read-only={path}" for path in PRIVATE_TMPFS),
            f"--read-write={scratch}",
        ]
        if running:
            hidden = [*SECRETS, *_hidden_from_runs(scratch)]
        else:
            args += [f"--whitelist={path}" for path in self.visible]
            hidden = [*SECRETS, *self._other_homes()]
        args += [f"--blacklist={path}" for path in hidden if Path(path).exists()]
        return [*args, *caps, "--"]

    def _other_homes(self) -> list[str]:
        """Home directories under /home that hold nothing the jail needs: the compiler runs as root (without
        capabilities, but root owns what it owns), so they are hidden outright."""
        try:
            homes = [p for p in Path("/home").iterdir() if p.is_dir()]
        except OSError:
            return []
        return [str(h) for h in homes if not any(v == h or h in v.parents for v in self.visible)]

    def compile_argv(self, argv: Sequence[str], scratch: Path, limits: Limits) -> list[str]:
        return [*self._jail(scratch, ["--caps.drop=all"]), *limits.prlimit_args(self.prlimit), *argv]

    def run_uid(self, slot: int) -> int:
        """The uid a test binary of worker slot `slot` runs as (ours, when we cannot switch)."""
        return run_uid(slot) if self.setpriv is not None else os.geteuid()

    def run_argv(self, argv: Sequence[str], scratch: Path, limits: Limits, slot: int) -> list[str]:
        drop: list[str] = []
        if self.setpriv is not None:
            uid = self.run_uid(slot)
            drop = [self.setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--"]
        caps = ["--caps.keep=setuid,setgid"] if drop else ["--caps.drop=all"]
        return [*self._jail(scratch, caps, running=True), *drop, *limits.prlimit_args(self.prlimit), *argv]

    def harness_argv(self, argv: Sequence[str], scratch: Path, limits: Limits) -> list[str]:
        """The batch harness: it forks one child per sample and drops each to a uid of its own, so it keeps
        only the capabilities to change uid and gid (when started as root)."""
        caps = ["--caps.keep=setuid,setgid"] if self.setpriv is not None else ["--caps.drop=all"]
        return [*self._jail(scratch, caps, running=True), *limits.prlimit_args(self.prlimit), *argv]

    def environment(self, scratch: Path) -> dict[str, str]:
        return {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(scratch),
            "LANG": "C.UTF-8",
            "TMPDIR": str(scratch),
            "RUST_BACKTRACE": "0",
        }


def _hidden_from_runs(scratch: Path) -> list[str]:
    """Every path a running sample must not see: the top-level entries outside `RUN_VISIBLE_TOP` and
    `RUN_HIDDEN`, except the ancestors of the scratch dir, whose other children are hidden instead."""
    keep = {scratch, *scratch.parents}
    hidden: list[str] = list(RUN_HIDDEN)
    pending = [entry for entry in _children(Path("/")) if entry.name not in RUN_VISIBLE_TOP]
    while pending:
        entry = pending.pop()
        if entry in keep:
            if entry != scratch:
                pending.extend(_children(entry))
        else:
            hidden.append(str(entry))
    return hidden


def _children(directory: Path) -> list[Path]:
    try:
        return sorted(directory.iterdir())
    except OSError:
        return []


def make_sandbox(requested: str, *, allow_no_sandbox: bool, visible: Sequence[Path]) -> Sandbox:
    """`auto`: firejail when installed, else refuse unless the caller allowed running without one. Tools that run
    inside the jail are found as the jail can run them (`tool_paths.find_tool`)."""
    firejail = find_tool("firejail")  # runs outside the jail
    jailed = requested == "firejail" or (requested == "auto" and firejail is not None)
    prlimit = find_tool("prlimit", runs_in_jail=jailed)
    if prlimit is None:
        raise SandboxError("prlimit not found (util-linux): needed to bound CPU, memory and file size")
    setpriv = find_tool("setpriv", runs_in_jail=jailed) if _is_root() else None  # only root switches uids
    if jailed:
        if firejail is None:
            raise SandboxError(
                "firejail not found: install it (apt-get install firejail) or pass --sandbox none",
            )
        return Sandbox("firejail", tuple(visible), firejail, prlimit, setpriv)
    if requested == "auto" and not allow_no_sandbox:
        raise SandboxError(
            "no sandbox available (firejail not installed): install firejail, or pass "
            "--allow-no-sandbox to run untrusted code unconfined",
        )
    return Sandbox("none", tuple(visible), None, prlimit, setpriv)


def _is_root() -> bool:
    return os.geteuid() == 0
