"""Progress bars for long phases: on stderr, only on a terminal, only when a phase is slow.

A planner loading a city watches counts go up instead of a silent prompt. Bars draw only
when stderr is a terminal (``disable=None``), appear only after a second (short phases on a
district stay silent) and vanish when done; ``TQDM_DISABLE=1`` turns them off everywhere.
"""

from __future__ import annotations

import sys
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")


def steps(items: Iterable[T], *, desc: str, total: int | None = None, unit: str = "it",
          lang: str | None = None) -> Iterator[T]:
    """``items``, with a progress bar named ``desc`` counting them (see the module notes).

    ``desc`` and ``unit`` are messages (:func:`geoplan.i18n.message`), shown in ``lang``; without
    one, in the language of the user's locale (``LANG``), as the terminal the bar draws on speaks.
    """
    from tqdm.std import tqdm

    from geoplan.i18n import lang_from_environment, translator

    tr = translator(lang or lang_from_environment())
    desc, unit = tr.render(desc), tr.render(unit)
    return iter(tqdm(items, desc=desc, total=total, unit=unit, file=sys.stderr, disable=None, leave=False,
                     delay=1.0, mininterval=0.5, dynamic_ncols=True))
