"""Input errors that name the file, the line and the key, so a fork's typo gets a clear message."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One problem in one input file.

    Attributes
    ----------
    file : path of the file, as given.
    line : 1-based line number in the file, or None when it cannot be located.
    key : the key, column or registry id concerned (``"id=pue, column=high"``), or None.
    message : what is wrong, in words, with the allowed range where there is one.
    """

    file: str
    line: int | None
    key: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        key = f" [{self.key}]" if self.key else ""
        return f"{where}:{key} {self.message}"


class InputError(ValueError):
    """Raised when a scenario, registry or data file is invalid.

    Carries every problem found, so one run reports all of them at once. The command line
    prints ``str(error)`` without a traceback and exits with status 2.
    """

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):  # unpickles whole, e.g. from a build worker process
        return (type(self), (self.problems,))

    @classmethod
    def single(cls, file: str | Path, message: str, *, line: int | None = None,
               key: str | None = None) -> InputError:
        return cls([Problem(str(file), line, key, message)])


def display_path(path: str | Path) -> str:
    """A short path for messages: relative to the working directory when it lies below it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


class BuildError(RuntimeError):
    """A build step failed; the message names the notebook and cell, or the failing step."""
