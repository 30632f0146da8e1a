"""The CJK font every report is set in: Noto Sans CJK SC, installed with pip (``noto-cjk-sans-otc``).

No system font is needed. Matplotlib embeds the subset of glyphs a page uses (Type 42 / CID), so
Chinese text stays text (searchable, extractable) and the PDF stays small.
"""

from __future__ import annotations

import functools

#: The face of the collection used for Chinese and Latin text alike.
FAMILY = "Noto Sans CJK SC"


@functools.lru_cache(maxsize=1)
def register_cjk_font() -> str:
    """Make the bundled font known to matplotlib once per process; return its family name."""
    from matplotlib import font_manager

    try:
        from noto_cjk_sans_otc import FONT_PATH
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise RuntimeError("geoplan reports need the 'noto-cjk-sans-otc' package "
                           "(pip install noto-cjk-sans-otc)") from exc
    font_manager.fontManager.addfont(str(FONT_PATH))
    return FAMILY


def report_rc() -> dict:
    """Matplotlib settings of a report page (used through ``matplotlib.rc_context``)."""
    return {"font.family": [register_cjk_font()], "pdf.fonttype": 42, "axes.unicode_minus": False,
            "svg.hashsalt": "geoplan", "path.simplify": True}
