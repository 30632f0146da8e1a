"""Languages: every sentence a user reads goes through gettext catalogues (``zh_CN`` complete).

Sentences are written in English in the code, whole and with named placeholders
(``"clearing it alone restores access to {residents} residents"``), and translated when they are
shown, never glued together from fragments. Analyses keep a :class:`Message` (its msgid and
parameters, plus a stable ``code`` for tables) and the map, table or command line renders it in
the reader's language with :func:`translator`.

The catalogues are ``geoplan/locale/zh_CN/LC_MESSAGES/<domain>.po``, one domain per part of
the package (so each part's translations are kept beside each other). They are read with Babel
and compiled in memory, so no binary ``.mo`` file lives in the repository. To add or refresh
messages::

    pybabel extract -F babel.cfg -k N_ -k message -o /tmp/geoplan.pot geoplan
    # then add the new msgids with their translations to the domain's .po file;
    # tests/test_i18n.py fails while any message lacks a zh translation.
"""

from __future__ import annotations

import functools
import gettext as _gettext
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

#: Languages geoplan speaks; ``en`` is the language of the msgids.
LANGS: tuple[str, ...] = ("zh", "en")
#: geoplan's language → the catalogue folder.
_LOCALES = {"zh": "zh_CN"}
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def N_(msgid: str) -> str:
    """Mark a sentence for the catalogues without translating it (it is translated when shown)."""
    return msgid


@dataclass(frozen=True)
class Message:
    """A sentence kept untranslated until it is shown.

    Attributes
    ----------
    msgid : str
        The English sentence with ``{named}`` placeholders; the catalogue key.
    params : mapping
        Values for the placeholders (numbers are formatted by the sentence itself).
    code : str, optional
        A stable identifier for tables (e.g. ``cause_code``); defaults to none.
    """

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)
    code: str | None = None

    def render(self, lang: str = "en") -> str:
        """The sentence in ``lang``."""
        return translator(lang).render(self)

    def __str__(self) -> str:
        return self.render("en")


def message(msgid: str, *, code: str | None = None, **params: Any) -> Message:
    """A :class:`Message` (the name Babel's extractor looks for)."""
    return Message(msgid, params, code)


class Translator:
    """Translates msgids into one language."""

    def __init__(self, lang: str, catalog: _gettext.NullTranslations) -> None:
        self.lang = lang
        self._catalog = catalog

    def gettext(self, msgid: str) -> str:
        """``msgid`` in this language (itself where no translation exists)."""
        return self._catalog.gettext(msgid)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural form for the count ``n``, in this language."""
        return self._catalog.ngettext(singular, plural, n)

    def render(self, text: "Message | str", **params: Any) -> str:
        """A :class:`Message` or a msgid, translated and with its placeholders filled."""
        if isinstance(text, Message):
            params = {**text.params, **params}
            text = text.msgid
        out = self.gettext(text)
        return out.format(**params) if params else out

    # gettext-style aliases so ``_ = translator(lang)`` style code reads naturally
    __call__ = gettext


def normalize_lang(value: str | None, *, default: str = "en") -> str:
    """``"zh"`` or ``"en"`` from ``zh``, ``zh_CN``, ``zh-Hans``, ``en_US``…; ``default`` for ``None``.

    Raises
    ------
    ValueError
        A language geoplan does not speak.
    """
    if value is None or str(value).strip() == "":
        return default
    code = str(value).strip().replace("-", "_").split("_")[0].lower()
    if code not in LANGS:
        raise ValueError(f"unknown language {value!r}; use one of: {', '.join(LANGS)}")
    return code


@functools.lru_cache(maxsize=None)
def translator(lang: str | None = "en") -> Translator:
    """The :class:`Translator` of ``lang`` (``zh``/``en``, or forms like ``zh_CN``)."""
    lang = normalize_lang(lang)
    return Translator(lang, _load_catalog(_LOCALES.get(lang)))


def catalog_files(locale: str = "zh_CN") -> list[Path]:
    """The ``.po`` files of one locale, sorted (one per domain)."""
    return sorted((LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po"))


def _load_catalog(locale: str | None) -> _gettext.NullTranslations:
    """Every domain's ``.po`` of ``locale`` read with Babel, compiled in memory and chained."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    chain: _gettext.NullTranslations = _gettext.NullTranslations()
    if locale is None:
        return chain
    for path in reversed(catalog_files(locale)):
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        buf = io.BytesIO()
        write_mo(buf, catalog, use_fuzzy=False)
        buf.seek(0)
        compiled = _gettext.GNUTranslations(buf)
        compiled.add_fallback(chain)
        chain = compiled
    return chain


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2A6DF
            or 0xF900 <= code <= 0xFAFF or 0x3000 <= code <= 0x303F)


def guess_lang(names: Iterable[object], *, threshold: float = 0.2) -> str:
    """Guess the readers' language from the names in the data.

    Parameters
    ----------
    names : iterable
        Feature names (anything; non-strings and blanks are skipped).
    threshold : float, default 0.2
        Share of CJK characters among letters above which the map is drawn in Chinese.
        Low on purpose: Chinese names are short and often mixed with Latin codes ("3号楼 B").

    Returns
    -------
    {"zh", "en"}
    """
    cjk = letters = 0
    for name in names:
        if not isinstance(name, str):
            continue
        for ch in name:
            if _is_cjk(ch):
                cjk += 1
                letters += 1
            elif ch.isalpha():
                letters += 1
    if letters == 0:
        return "en"
    return "zh" if cjk / letters >= threshold else "en"
