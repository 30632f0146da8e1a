"""What a feature is called on a map or in a table, in the reader's language.

The label is ``name:zh`` (else ``name``) for Chinese readers and ``name:en`` (else ``name``) for
English ones. An unnamed feature is called by what it is ("未命名公园" / "unnamed park"); its
OSM id stays in its own column (``facility_id``, ``site_id``…), never in the label.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geoplan.i18n import N_, translator

#: Label of an unnamed feature, by what it is (category, site kind or role).
UNNAMED: dict[str, str] = {
    "park": N_("unnamed park"), "kindergarten": N_("unnamed kindergarten"), "childcare": N_("unnamed nursery"),
    "health_station": N_("unnamed community health station"), "health": N_("unnamed health centre"),
    "elderly_day_care": N_("unnamed elderly day-care centre"), "elderly_care": N_("unnamed care home"),
    "community_service": N_("unnamed community service station"), "community_centre": N_("unnamed community centre"),
    "culture_centre": N_("unnamed culture centre"), "fitness": N_("unnamed sports ground"),
    "sports": N_("unnamed sports centre"), "pharmacy": N_("unnamed pharmacy"), "convenience": N_("unnamed convenience store"),
    "market": N_("unnamed market"), "primary_school": N_("unnamed primary school"),
    "secondary_school": N_("unnamed secondary school"), "unclassified": N_("unnamed school"),
    "square": N_("unnamed square"), "green_space": N_("unnamed green space"), "sports_ground": N_("unnamed sports ground"),
    "school_ground": N_("unnamed school ground"), "gymnasium": N_("unnamed gymnasium"),
    "assembly_point": N_("unnamed assembly point"), "fire": N_("unnamed fire station"),
    "ambulance": N_("unnamed ambulance station"), "hospital": N_("unnamed hospital"),
    "building": N_("unnamed building"), "compound": N_("unnamed compound"),
}
UNNAMED_OTHER = N_("unnamed place")


def _blank(values: pd.Series) -> pd.Series:
    text = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    return text.where(~text.isin(["", "nan", "None"]), "")


def labels(frame: pd.DataFrame, *, lang: str, kind: str | pd.Series) -> np.ndarray:
    """The label of every row of ``frame`` (columns ``name``, ``name_zh``, ``name_en`` where present).

    Parameters
    ----------
    lang
        ``"zh"`` or ``"en"``.
    kind
        What the features are (``"park"``), or a column of it per row (``facilities["category"]``).
    """
    empty = pd.Series("", index=frame.index, dtype=object)
    name = _blank(frame["name"]) if "name" in frame else empty
    own = _blank(frame["name_zh" if lang == "zh" else "name_en"]) if ("name_zh" if lang == "zh" else "name_en") in frame \
        else empty
    best = own.where(own != "", name)
    kinds = pd.Series(kind, index=frame.index) if isinstance(kind, str) else pd.Series(kind, index=frame.index)
    tr = translator(lang)
    unnamed = kinds.astype(str).map(lambda k: tr.gettext(UNNAMED.get(k, UNNAMED_OTHER)))
    return best.where(best != "", unnamed).to_numpy(dtype=object)
