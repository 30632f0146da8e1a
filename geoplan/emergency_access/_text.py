"""Showing the audit's sentences in the reader's language.

The audit keeps every sentence as a :class:`geoplan.i18n.Message` (a msgid with named
placeholders, and a ``code`` for tables). Some sentences name other sentences or terms — a cause
names the obstructions it comes from, a bottleneck names why a road is impassable — so a
placeholder may hold a :class:`Message`, a :class:`Term` (a word of the catalogue such as an
obstruction kind) or a :class:`Items` list; :func:`render` shows them all in one language.
The catalogue is ``geoplan/locale/zh_CN/LC_MESSAGES/emergency_access.po``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from geoplan.i18n import Message, N_, message, translator

__all__ = ["COMMA", "Items", "LIST_SEPARATOR", "Message", "N_", "Term", "code_of", "message", "render", "render_all"]


@dataclass(frozen=True)
class Term:
    """A catalogue word shown as itself in English (``locked_gate``) and translated otherwise."""

    msgid: str

    def render(self, lang: str | None = "en") -> str:
        return render(self, lang)


@dataclass(frozen=True)
class Items:
    """A list of rendered items joined by the language's list separator (``"; "`` / ``"；"``)."""

    items: tuple[Any, ...]
    more: int = 0  # items left out of the list (said as "+N more")
    sep: str = "; "  # LIST_SEPARATOR or COMMA

    def render(self, lang: str | None = "en") -> str:
        return render(self, lang)


#: The separators of a list of whole items; catalogue entries so Chinese uses its own.
LIST_SEPARATOR = N_("; ")
COMMA = N_(", ")
MORE = N_("+{n} more")

#: Obstruction kinds are catalogue words (:class:`Term`): shown as the code in English tables.
OBSTRUCTION_KINDS = (N_("occupied_lane"), N_("locked_gate"), N_("sealed_compound"), N_("flooded"), N_("other"))
#: Vehicles and station kinds, also catalogue words.
VEHICLE_WORDS = (N_("fire"), N_("ambulance"), N_("hospital"))


def render(value: Any, lang: str | None = "en") -> str:
    """``value`` (a Message, Term, Items, plain text or number) in ``lang``; ``""`` for None."""
    tr = translator(lang or "en")
    if value is None:
        return ""
    if isinstance(value, Message):
        params = {k: _param(v, lang) for k, v in value.params.items()}
        text = tr.gettext(value.msgid)
        return text.format(**params) if params else text
    if isinstance(value, Term):
        return tr.gettext(value.msgid)
    if isinstance(value, Items):
        parts = [render(v, lang) for v in value.items]
        if value.more:
            parts.append(tr.gettext(MORE).format(n=value.more))
        return tr.gettext(value.sep).join(parts)
    return str(value)


def _param(value: Any, lang: str | None) -> Any:
    return render(value, lang) if isinstance(value, (Message, Term, Items)) else value


def render_all(values: Iterable[Any], lang: str | None = "en") -> list[str]:
    """Render a column of messages (``None`` and ``""`` give ``""``)."""
    return ["" if v is None or (isinstance(v, str) and not v) else render(v, lang) for v in values]


def code_of(value: Any) -> str:
    """The ``code`` of a message (``""`` for anything else)."""
    return value.code or "" if isinstance(value, Message) else ""
