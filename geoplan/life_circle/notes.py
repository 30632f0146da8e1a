"""Sentences a planner reads beside the coverage figures, kept translatable until shown.

A :class:`Note` *is* its English sentence (so it prints, joins and compares like text, and
JSON-serialises in a manifest) and also keeps its :class:`~geoplan.i18n.Message`, so tables,
maps and the command line render it in the reader's language (``note.render("zh")``).
"""

from __future__ import annotations

from geoplan.i18n import Message


class Note(str):
    """A warning or note: English text that can render itself in another language.

    Parameters
    ----------
    msg : geoplan.i18n.Message
        The whole sentence with its parameters (and a stable ``code``).
    """

    message: Message

    def __new__(cls, msg: Message) -> "Note":
        self = super().__new__(cls, msg.render("en"))
        self.message = msg
        return self

    @property
    def code(self) -> str | None:
        """Stable identifier of the kind of note (for tables), e.g. ``"facilities_off_network"``."""
        return self.message.code

    def render(self, lang: str | None = "en") -> str:
        """The sentence in ``lang`` (``zh`` or ``en``)."""
        return self.message.render(lang or "en")

    def __reduce__(self):  # pickled as its message (batch workers send results back)
        return (Note, (self.message,))
