"""Languages: every sentence a user reads goes through gettext catalogues (``zh_CN`` complete).

Sentences are written in English in the code, whole and with named placeholders
(``"clearing it alone restores access to {residents} residents"``), and translated when they are
shown, never glued together from fragments. Analyses keep a :class:`Message` (its msgid and
parameters, plus a stable ``code`` for tables) and the map, table or command line renders it in
the reader's language with :func:`translator`.

The ways to write a sentence:

``message("{n} residents", code="x", n=3)``
    a :class:`Message`, translated when shown (``.render(lang)``); it is also a ``str`` holding
    its English text, so code that stored, joined or searched plain sentences keeps working.
``nmessage("{n} building", "{n} buildings", n)``
    the same with a plural form chosen by ``n`` in each language.
``N_("Walking network")``, ``NC_("facility category", "Park")``
    mark a constant msgid (with a context where one English word has two translations);
    show it with ``translator(lang).text(msgid)``.
``translator(lang).render(message("{n} residents", n=3))``
    a sentence shown at once.

The catalogues are ``geoplan/locale/zh_CN/LC_MESSAGES/<domain>.po``, one domain per part of
the package (so each part's translations are kept beside each other). They are read with Babel
and compiled in memory, so no binary ``.mo`` file lives in the repository; a msgid found in
several domains takes the translation of the first file in name order. To add or refresh
messages (``babel.cfg`` at the repository root lists the marker functions)::

    pybabel extract -F babel.cfg -o /tmp/geoplan.pot geoplan
    # then add each new msgid of your part, with its zh msgstr, to your domain's .po
    # (python -m pytest tests/test_i18n.py lists exactly the msgids still missing)

``tests/test_i18n.py`` extracts every message with the same ``babel.cfg`` and fails, listing
them, while any msgid lacks a zh translation in the union of the catalogues or a translation's
``{placeholders}`` differ from its msgid's.
"""

from __future__ import annotations

import functools
import gettext as _gettext
import io
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


def NC_(context: str, msgid: str) -> tuple[str, str]:
    """Mark a msgid with its context (``msgctxt``), for an English word with two meanings.

    The pair is shown with :meth:`Translator.text`; e.g. ``NC_("facility category", "Park")``
    (公园绿地) and ``NC_("shelter site kind", "Park")`` (公园).
    """
    return (context, msgid)


class Message(str):
    """A sentence kept untranslated until it is shown.

    A ``Message`` is also a ``str``: its value is the English sentence with its placeholders
    filled, so it can be stored in tables, joined, searched (``"estimated" in msg``) or written
    to JSON like the plain sentences it replaces; :meth:`render` shows it in another language.

    Attributes
    ----------
    msgid : str
        The English sentence with ``{named}`` placeholders; the catalogue key.
    params : mapping
        Values for the placeholders (numbers are formatted by the sentence itself, e.g.
        ``{n:,}``). A value that is itself a :class:`Message` is rendered in the same language.
    code : str, optional
        A stable identifier for tables (e.g. ``cause_code``); defaults to none.
    plural : str, optional
        The English plural msgid; ``n`` (a key of ``params``) chooses the form.
    """

    msgid: str
    params: Mapping[str, Any]
    code: str | None
    plural: str | None

    def __new__(cls, msgid: str, params: Mapping[str, Any] | None = None, code: str | None = None,
                plural: str | None = None) -> "Message":
        params = dict(params or {})
        english = _fill(msgid if plural is None or params.get("n") == 1 else plural, params, "en")
        self = super().__new__(cls, english)
        self.msgid, self.params, self.code, self.plural = msgid, params, code, plural
        return self

    def render(self, lang: str | None = "en") -> str:
        """The sentence in ``lang``, as a plain ``str``."""
        return translator(lang).render(self)

    def __str__(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, {self.params!r}, code={self.code!r})"

    def __reduce__(self):  # pickled by its parts (results travel to dask workers and back)
        return (Message, (self.msgid, self.params, self.code, self.plural))


def message(msgid: str, *, code: str | None = None, **params: Any) -> Message:
    """A :class:`Message` (the name Babel's extractor looks for)."""
    return Message(msgid, params, code)


def nmessage(singular: str, plural: str, n: int, *, code: str | None = None, **params: Any) -> Message:
    """A :class:`Message` with a plural form chosen by ``n`` (also available as ``{n}``)."""
    return Message(singular, {"n": n, **params}, code, plural)


def _fill(template: str, params: Mapping[str, Any], lang: str | None) -> str:
    """``template`` with its placeholders filled; nested messages rendered in ``lang``."""
    if not params:
        return template
    values = {k: _shown(v, lang) for k, v in params.items()}
    return template.format(**values)


def _shown(value: Any, lang: str | None) -> Any:
    """A placeholder's value in ``lang``: nested messages and other renderable words (an object
    with ``render(lang)``, e.g. the access audit's catalogue terms) translated."""
    if isinstance(value, Message):
        return value.render(lang) if lang != "en" else value
    if not isinstance(value, str) and callable(getattr(value, "render", None)):
        return value.render(lang)
    return value


class Translator:
    """Translates msgids into one language."""

    def __init__(self, lang: str, catalog: _gettext.NullTranslations) -> None:
        self.lang = lang
        self._catalog = catalog

    def gettext(self, msgid: str) -> str:
        """``msgid`` in this language (itself where no translation exists)."""
        return self._catalog.gettext(msgid) if msgid else msgid  # "" would give the catalogue header

    def pgettext(self, context: str, msgid: str) -> str:
        """``msgid`` of ``context`` (its ``msgctxt``) in this language."""
        return self._catalog.pgettext(context, msgid)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural form for the count ``n``, in this language."""
        return self._catalog.ngettext(singular, plural, n)

    def text(self, msgid: "str | tuple[str, str]", **params: Any) -> str:
        """A msgid or an :func:`NC_` pair, translated and with its placeholders filled."""
        if isinstance(msgid, tuple):
            return _fill(self.pgettext(*msgid), params, self.lang)
        return self.render(msgid, **params)

    def render(self, text: "Message | str", **params: Any) -> str:
        """A :class:`Message` or a msgid, translated and with its placeholders filled.

        A plain string that is no msgid comes back unchanged (apart from its placeholders),
        so free text from the data can pass through.
        """
        plural = None
        if isinstance(text, Message):
            params = {**text.params, **params}
            plural = text.plural
            text = text.msgid
        if plural is not None:
            out = self.ngettext(text, plural, int(params.get("n", 0)))
        else:
            out = self.gettext(str(text))
        return _fill(out, params, self.lang)

    # gettext-style alias so ``_ = translator(lang)`` style code reads naturally
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
    """The :class:`Translator` of ``lang`` (``zh``/``en``, or forms like ``zh_CN``; ``None``: en)."""
    code = normalize_lang(lang)
    if code != lang:
        return translator(code)  # one cached instance per language, whatever the spelling
    return Translator(code, _load_catalog(_LOCALES.get(code)))


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


def lang_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The user's language from the locale variables (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``).

    The first set variable decides, as gettext reads them: ``zh_CN.UTF-8`` gives ``"zh"``;
    ``C``, ``POSIX``, unset or a language geoplan does not speak gives ``"en"``.
    """
    import os

    env = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = (env.get(name) or "").split(":")[0].split(".")[0].strip()
        if value:
            try:
                return normalize_lang(value)
            except ValueError:
                return "en"  # C, POSIX, fr_FR…: the msgids' language
    return "en"
