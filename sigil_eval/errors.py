"""Errors that stop a run. Anything about a single sample is a verdict or a rejection, never an exception."""

from __future__ import annotations


class SigilError(Exception):
    exit_code = 1


class InputError(SigilError):
    """Bad invocation or unreadable input: exit code 2."""

    exit_code = 2


class InfraError(SigilError):
    """The machine cannot evaluate: exit code 3. Raised instead of scoring samples, so an infrastructure failure
    is never counted as a model failure. Catch this for all of them, or a subclass for one kind."""

    exit_code = 3


class ToolchainError(InfraError):
    """rustc, cargo or the linker missing or failing; the prebuilt crates unusable."""


class SandboxError(InfraError):
    """firejail, prlimit or setpriv missing, or the jail unable to start a compiler or a test binary."""


class StoreError(InfraError):
    """A directory or database sigil-eval keeps (the crate cache dir, the verdict store, the problem sets'
    sources) cannot be written, read or fetched."""


class MissingExtraError(InfraError):
    """An optional extra (`pip install 'sigil-eval[serve]'`, `[ray]`, `[report]`) that a command needs is not
    installed (see `extras.require_extra`)."""
