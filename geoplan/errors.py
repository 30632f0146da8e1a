"""Errors a planner can act on.

Every problem with what the user gave us (a file, a layer, a parameter) is raised as
:class:`InputError`. The CLI prints its one-line message and exits with status 2; a
traceback is shown only with ``--debug``.
"""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """A problem with the user's input, with where it is and how to fix it.

    Parameters
    ----------
    what
        What is wrong, in planner's words.
    source
        The file (and, where known, the row or feature) the problem is in.
    fix
        What the user can do about it.
    """

    def __init__(self, what: str, *, source: str | Path | None = None, fix: str | None = None) -> None:
        self.what = what
        self.source = None if source is None else str(source)
        self.fix = fix
        super().__init__(self.line())

    def line(self) -> str:
        """Return the message as one line: ``source: what — fix``."""
        parts = [f"{self.source}: {self.what}" if self.source else self.what]
        if self.fix:
            parts.append(f"fix: {self.fix}")
        return " — ".join(parts).replace("\n", " ")
