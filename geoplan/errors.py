"""Errors a planner can act on.

Every problem with what the user gave us (a file, a layer, a parameter) is raised as
:class:`InputError`. The CLI prints its one-line message in the run's language and exits with
status 2; a traceback is shown only with ``--debug``.

What is wrong and how to fix it are whole sentences (:func:`geoplan.i18n.message`, values as
named placeholders), so the line reads in Chinese as well as in English::

    raise InputError(message("OSM file not found"), source=path,
                     fix=message("check the path given to {option}", option="--osm"))
"""

from __future__ import annotations

from pathlib import Path

from geoplan.i18n import N_, Message, translator

#: The one-line frame, a whole sentence per combination of what is known.
_LINE = {
    (True, True): N_("{source}: {what} — fix: {fix}"),
    (True, False): N_("{source}: {what}"),
    (False, True): N_("{what} — fix: {fix}"),
    (False, False): N_("{what}"),
}


class InputError(Exception):
    """A problem with the user's input, with where it is and how to fix it.

    Parameters
    ----------
    what
        What is wrong, in planner's words: a :class:`~geoplan.i18n.Message` (translated when
        shown) or plain text (shown as it is).
    source
        The file (and, where known, the row or feature) the problem is in.
    fix
        What the user can do about it (a :class:`~geoplan.i18n.Message` or plain text).

    Notes
    -----
    ``str(exc)`` is the English line; :meth:`line` renders it in another language.
    """

    def __init__(self, what: str | Message, *, source: str | Path | None = None,
                 fix: str | Message | None = None) -> None:
        self.what = what
        self.source = None if source is None else str(source)
        self.fix = fix
        super().__init__(self.line())

    def line(self, lang: str | None = "en") -> str:
        """The message as one line in ``lang``: ``source: what — fix: fix``."""
        return translator(lang).render(self.as_message()).replace("\n", " ")

    def as_message(self) -> Message:
        """The whole line as a :class:`~geoplan.i18n.Message`: English as a ``str``, any language shown.

        For rows that outlive the error (a failed district's ``reason``): the table keeps the
        English line, the command line renders it in the run's language.
        """
        def part(text: "str | Message | None") -> Message:
            # plain text is shown as it is, or translated where it is a msgid (an N_ hint)
            return text if isinstance(text, Message) else Message(text or "")

        return Message(_LINE[(bool(self.source), bool(self.fix))],
                       {"source": self.source, "what": part(self.what), "fix": part(self.fix)})

    def __reduce__(self):  # keep the parts (errors travel back from dask workers) so they still translate
        return (_rebuild, (self.what, self.source, self.fix))


def _rebuild(what, source, fix) -> InputError:
    return InputError(what, source=source, fix=fix)
