"""CSV exports: one row per rep, round or hold, and one row per analysed frame.

``write_csv(report, path)`` flattens a report (schema ``formcheck.report/1``) into a table a
spreadsheet opens: one row per bridge rep, cat-cow round and plank hold, across all sets, in set
order. The columns are fixed (:data:`REP_COLUMNS`; any key a future analyzer adds is appended
after them), cells that do not apply to a row's exercise are empty, faults are joined with
``;``, and ``good`` / ``open`` are ``1`` or ``0``. ``good_form_s`` of a bridge rep is its top
pause when the rep had no fault (0 otherwise), so each set's column sums to its summary's
``good_form_s``.

``write_frames_csv(analysis, path)`` writes every per-frame metric of every set (see
:func:`formcheck.report.traces.frame_rows`); empty cells are frames where nothing was measured.

Both files are written atomically and raise :class:`~formcheck.errors.OutputError` when they
cannot be. :func:`read_csv` reads a rep CSV back with numbers, lists and booleans restored.

Example:
    >>> import tempfile, pathlib
    >>> report = {"sets": [{"exercise": "plank", "reps": [], "holds": [{"index": 1,
    ...     "kind": "plank", "start_s": 2.5, "end_s": 22.5, "duration_s": 20.0,
    ...     "good_form_s": 12.2, "longest_good_s": 12.2, "open": False}]}]}
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "reps.csv"
    >>> _ = write_csv(report, path)
    >>> row = read_csv(path)[0]
    >>> row["kind"], row["hold_type"], row["duration_s"], row["open"]
    ('hold', 'plank', 20.0, False)
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from formcheck.errors import InputError
from formcheck.media.outputs import atomic_path

if TYPE_CHECKING:
    from formcheck.analysis import Analysis

#: Columns of the rep / round / hold CSV, in order.
REP_COLUMNS: tuple[str, ...] = (
    "set",
    "exercise",
    "kind",  # rep | round | hold
    "index",
    "start_s",
    "peak_s",
    "end_s",
    "duration_s",
    "good_form_s",
    "good",
    # glute bridge
    "top_hold_s",
    "lift_s",
    "lower_s",
    "peak_hip_angle_deg",
    "rest_hip_angle_deg",
    "knee_angle_deg",
    # cat-cow
    "cow_s",
    "tempo_s",
    "move_s",
    "flexion_deg",
    "extension_deg",
    "range_deg",
    "cat_pause_s",
    "cow_pause_s",
    # plank
    "hold_type",
    "longest_good_s",
    "open",
    "continues",
    "faults",
)
#: Columns read back as text.
TEXT_COLUMNS = frozenset({"exercise", "kind", "hold_type"})
#: Columns read back as ``int``.
INT_COLUMNS = frozenset({"set", "index"})
#: Columns read back as booleans.
BOOL_COLUMNS = frozenset({"good", "open", "continues"})
#: Report keys renamed in the CSV (a hold's ``kind`` would clash with the row kind).
RENAMED = {"kind": "hold_type"}

#: Decimals kept for per-frame metrics (1 ms, a thousandth of a degree).
FRAME_DIGITS = 3

_ROW_KIND = {"glute_bridge": "rep", "cat_cow": "round", "plank": "rep"}


def _cell(value: Any, digits: int | None = None) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return repr(value if digits is None else round(value, digits))
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return value


def rep_rows(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rows of the rep CSV as dicts (values as in the report; see :data:`REP_COLUMNS`)."""
    rows: list[dict[str, Any]] = []
    for number, block in enumerate(report.get("sets", []), start=1):
        exercise = block.get("exercise", "")
        items = [(_ROW_KIND.get(exercise, "rep"), r) for r in block.get("reps", [])]
        items += [("hold", h) for h in block.get("holds", [])]
        for kind, item in items:
            row: dict[str, Any] = {"set": number, "exercise": exercise, "kind": kind}
            for key, value in item.items():
                row[RENAMED.get(key, key) if kind == "hold" else key] = value
            if exercise == "glute_bridge" and kind == "rep" and "good_form_s" not in item:
                row["good_form_s"] = item.get("top_hold_s", 0.0) if item.get("good") else 0.0
            if kind == "hold" and "faults" not in item:
                # a hold's faults are the set's warnings that name it, in order of onset
                types = [
                    w.get("type", "")
                    for w in block.get("warnings", [])
                    if w.get("hold") == item.get("index")
                ]
                row["faults"] = list(dict.fromkeys(types))
            rows.append(row)
    return rows


def _columns(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    extra: dict[str, None] = {}
    for row in rows:
        for key in row:
            if key not in REP_COLUMNS:
                extra.setdefault(key, None)
    return [*REP_COLUMNS[:-1], *sorted(extra), REP_COLUMNS[-1]]


def _dump(
    fh: TextIO,
    columns: list[str],
    rows: Iterable[Mapping[str, Any]],
    digits: int | None = None,
) -> None:
    writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v, digits) for k, v in row.items()})


def _write(
    path: str | os.PathLike[str],
    columns: list[str],
    rows: Iterable[Mapping[str, Any]],
    digits: int | None = None,
) -> Path:
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        _dump(fh, columns, rows, digits)
        fh.flush()
        os.fsync(fh.fileno())
    return Path(path)


def csv_text(report: Mapping[str, Any]) -> str:
    """The rep / round / hold CSV of ``report`` as a string (what :func:`write_csv` writes)."""
    rows = rep_rows(report)
    buffer = io.StringIO()
    _dump(buffer, _columns(rows), rows)
    return buffer.getvalue()


def write_csv(report: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write one row per rep, round and hold of ``report`` to ``path`` (atomically).

    Args:
        report: A report dict (``formcheck.report/1``).
        path: The CSV file to write.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.

    Raises:
        OutputError: The file could not be written.
    """
    rows = rep_rows(report)
    return _write(path, _columns(rows), rows)


def write_frames_csv(analysis: Analysis, path: str | os.PathLike[str]) -> Path:
    """Write every analysed frame of every set, with all its metrics, to ``path`` (atomically).

    Columns: ``t_s``, ``set``, ``exercise``, ``measured`` (1/0), then each metric's name
    (degrees, seconds, or a share of a length; see :func:`formcheck.report.traces.frame_rows`).

    Raises:
        OutputError: The file could not be written.
    """
    from formcheck.report.traces import frame_columns, frame_rows

    return _write(path, frame_columns(analysis), frame_rows(analysis), FRAME_DIGITS)


def _parse(column: str, text: str) -> Any:
    if text == "":
        return [] if column == "faults" else None
    if column == "faults":
        return text.split(";")
    if column in TEXT_COLUMNS:
        return text
    if column in BOOL_COLUMNS or column == "measured":
        return text == "1"
    if column in INT_COLUMNS:
        return int(text)
    try:
        return float(text)
    except ValueError:
        return text


def read_csv(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read a CSV written by :func:`write_csv` (or :func:`write_frames_csv`) back.

    Numbers become floats (``set`` and ``index`` ints), ``good``/``open``/``measured`` booleans,
    ``faults`` a list, empty cells ``None``; the keys of cells that were empty are kept.

    Raises:
        InputError: The file cannot be read.
    """
    try:
        with Path(path).open(encoding="utf-8", newline="") as fh:
            return [{k: _parse(k, v) for k, v in row.items()} for row in csv.DictReader(fh)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path}: cannot read the CSV ({exc})") from None


__all__ = [
    "REP_COLUMNS",
    "csv_text",
    "read_csv",
    "rep_rows",
    "write_csv",
    "write_frames_csv",
]
