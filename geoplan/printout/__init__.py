"""The printable report: an A3 landscape PDF for the study and one page per community.

Made from a finished run's output folder (the tables handed out) plus the study for its basemap
and community outlines, so the figures on paper are exactly those in the CSVs.

Example
-------
>>> from geoplan.printout import write_report          # doctest: +SKIP
>>> write_report(study, "outputs", lang="zh")           # outputs/report.pdf
"""

from __future__ import annotations

import datetime as _dt
import os
import tempfile
from pathlib import Path

from geoplan.printout._tables import RunTables, read_run

__all__ = ["RunTables", "read_run", "write_report", "REPORT_NAME"]

#: File name of the report inside the run folder.
REPORT_NAME = "report.pdf"


def write_report(study, out: str | Path, *, lang: str = "zh", date: str | None = None,
                 path: str | Path | None = None) -> Path:
    """Write the report PDF of the run in ``out`` (atomically); return its path.

    Parameters
    ----------
    study : geoplan.study.Study
        The study the run was made of (basemap, community outlines, name, preset).
    out : path
        The run's output folder (as written by ``geoplan run``/``demo``).
    lang : {"zh", "en"}
        Language of every fixed text; Chinese is set in the bundled Noto Sans CJK SC.
    date : str, optional
        Date printed on every page (ISO, default today). The PDF's own creation date is the
        only thing that differs between two reports of the same inputs and date.
    path : path, optional
        Where to write (default ``out/report.pdf``).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    from geoplan.maps.basemap import extract_basemap
    from geoplan.printout._fonts import report_rc
    from geoplan.printout._pages import page

    run = read_run(out, manifest=False)
    date = date or _dt.date.today().isoformat()
    target = Path(path) if path is not None else Path(out) / REPORT_NAME
    basemap = extract_basemap(study)
    names = ["ALL"] + [c for c in study.communities.get("community", []).astype(str) if c in run.communities]
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        with matplotlib.rc_context(report_rc()), PdfPages(tmp, metadata=_metadata(study, lang)) as pdf:
            for community in names:
                fig = page(run, study, basemap, community, lang=lang, date=date)
                pdf.savefig(fig)
                plt.close(fig)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _metadata(study, lang: str) -> dict:
    from geoplan.printout._text import text

    return {"Title": f"{study.name} — {text('Emergency-space planning report', lang)}", "Creator": "geoplan",
            "Producer": "geoplan (matplotlib)", "Subject": "© OpenStreetMap contributors, ODbL 1.0"}
