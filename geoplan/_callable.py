"""Let an analysis package be called like its main function.

``geoplan.access(study)`` and ``geoplan.access.read_scenario`` must both work. Importing the
subpackage ``geoplan.access`` binds the *module* as ``geoplan.access``, shadowing any function
of that name, so the package itself is made callable instead.
"""

from __future__ import annotations

import sys
import types
from typing import Callable


def make_callable(package: str, func: Callable) -> None:
    """Make the already-imported module ``package`` forward calls to ``func``."""

    class _CallablePackage(types.ModuleType):
        def __call__(self, *args, **kwargs):
            return func(*args, **kwargs)

    _CallablePackage.__call__.__doc__ = func.__doc__
    sys.modules[package].__class__ = _CallablePackage
