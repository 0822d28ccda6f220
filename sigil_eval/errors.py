"""Errors that stop a run. Anything about a single sample is a verdict or a rejection, never an exception."""

from __future__ import annotations


class SigilError(Exception):
    exit_code = 1


class InputError(SigilError):
    """Bad invocation or unreadable input: exit code 2."""

    exit_code = 2


class InfraError(SigilError):
    """The machine cannot evaluate (no toolchain, no sandbox, missing crate): exit code 3.

    Raised instead of scoring samples, so an infrastructure failure is never counted as a model failure.
    """

    exit_code = 3

    def __init__(self, message: str, *, error_type: str = "infra_missing_toolchain") -> None:
        super().__init__(message)
        self.error_type = error_type
