"""The model and ``k`` a planner asks for, checked once, with one message each.

Both :func:`geoplan.sites` and :func:`~geoplan.shelters.solve_from_cost_matrix` call these
functions before any work, so a bad option reads the same wherever it is given.
"""

from __future__ import annotations

import numpy as np

from geoplan.errors import InputError
from geoplan.i18n import message

#: The location models, by their canonical names.
MODELS = ("lscp", "mclp", "pmedian")
#: Names a planner may type for them.
ALIASES = {"lscp": "lscp", "mclp": "mclp", "pmedian": "pmedian", "p-median": "pmedian", "p_median": "pmedian"}


def check_model(model: object) -> str:
    """The canonical name of ``model`` (``"lscp"``, ``"mclp"`` or ``"pmedian"``).

    Raises
    ------
    geoplan.errors.InputError
        An unknown model.
    """
    key = str(model).strip().lower() if model is not None else ""
    if key not in ALIASES:
        raise InputError(message("unknown site model {model!r}", model=model),
                         fix=message("use one of: {choices}", choices=", ".join(MODELS)))
    return ALIASES[key]


def check_k(k: object, model: str) -> int | None:
    """``k``, the number of new sites, as a whole number (``None`` for LSCP, which ignores it).

    Parameters
    ----------
    k : int or None
        New sites on top of the existing (preselected) ones.
    model : str
        A canonical model name (see :func:`check_model`).

    Raises
    ------
    geoplan.errors.InputError
        ``k`` missing for MCLP or p-median, negative, or not a whole number.
    """
    if model == "lscp":
        return None
    if k is None:
        raise InputError(message("{model} needs k, the number of new sites to propose", model=model.upper()),
                         fix=message("e.g. k=5 (--k 5)"))
    try:
        ok = not isinstance(k, (bool, np.bool_)) and float(k).is_integer() and float(k) >= 0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise InputError(message("k must be a whole number of sites >= 0, not {value!r}", value=k), fix=message("e.g. k=5 (--k 5)"))
    return int(k)


def check_k_max(k_max: object) -> int:
    """The largest ``k`` of a coverage curve, a whole number >= 1."""
    try:
        ok = not isinstance(k_max, (bool, np.bool_)) and float(k_max).is_integer() and float(k_max) >= 1
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise InputError(message("k_max must be a whole number >= 1, not {value!r}", value=k_max),
                         fix=message("e.g. {example}", example="k_max=10"))
    return int(k_max)
