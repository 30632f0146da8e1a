"""The report's and the comparison's fixed texts: msgids (English) translated through gettext.

The zh translations are in ``geoplan/locale/zh_CN/LC_MESSAGES/printout.po``. Codes from the
tables (categories, statuses, station and obstruction kinds) are looked up here by code so a
new code shows as itself rather than failing a meeting.
"""

from __future__ import annotations

from geoplan.i18n import N_, translator

STATUS = {
    "ok": N_("Reachable in time"), "slow": N_("Too slow"), "blocked": N_("Blocked"),
    "unreachable": N_("Unreachable"), "far_from_road": N_("Far from a road"),
}
STATION = {"fire": N_("Fire station"), "ambulance": N_("Ambulance post"), "hospital": N_("Emergency hospital")}
OBSTRUCTION = {"occupied_lane": N_("Occupied lane"), "locked_gate": N_("Locked gate"),
               "sealed_compound": N_("Sealed compound"), "flooded": N_("Flooded"), "other": N_("Other obstruction")}
SITE_KIND = {"park": N_("Park"), "square": N_("Square"), "green_space": N_("Green space"),
             "sports_ground": N_("Sports ground"), "school_ground": N_("School ground"), "school": N_("School"),
             "community_centre": N_("Community centre"), "gymnasium": N_("Gymnasium"), "other": N_("Other site"),
             "assembly_point": N_("Assembly point")}
VEHICLE = {"fire": N_("fire engine"), "ambulance": N_("ambulance")}


def text(msgid: str, lang: str, **params) -> str:
    """``msgid`` in ``lang`` with its placeholders filled."""
    return translator(lang).render(msgid, **params)


def category_label(code, lang: str) -> str:
    """A life-circle category's label in ``lang``, as the maps name it (one table for both)."""
    from geoplan.maps._i18n import label

    return label(str(code), lang, prefix="cat.")


def code_label(table: dict[str, str], code, lang: str) -> str:
    """The label of a table code in ``lang``; an unknown code is shown as it is."""
    msgid = table.get(str(code))
    return text(msgid, lang) if msgid else str(code)


def percent(value: float) -> str:
    """A share as ``85.3%`` (``–`` when unknown)."""
    return "–" if value is None or value != value else f"{value * 100:.1f}%"
