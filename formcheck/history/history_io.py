"""Moving the session history: export to JSON or CSV, import a JSON export.

The JSON export (schema ``formcheck.history/1``,
:meth:`formcheck.history.history.History.export_data`) is complete and re-importable: every session
with all its sets, as :meth:`~formcheck.history.history.History.session` gives it. Importing adds
the sessions not there yet (by uid) in one transaction, so a bad file imports nothing. The CSV
export is for spreadsheets: one row per rep, cat-cow round or hold (:data:`CSV_COLUMNS`).

Example:
    >>> import tempfile, pathlib
    >>> from formcheck.history.history import History
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with History(folder / "a.sqlite3") as history, history.start_session("live") as writer:
    ...     writer.add_hold(writer.add_set("plank"), {"duration_s": 25.0, "good_form_s": 22.0})
    >>> export_history(folder / "history.json", db=folder / "a.sqlite3")
    1
    >>> import_history(folder / "history.json", db=folder / "b.sqlite3")
    ImportResult(imported=1, skipped=0)
    >>> export_history(folder / "history.csv", db=folder / "b.sqlite3")
    1
    >>> print((folder / "history.csv").read_text().splitlines()[1].split(",")[7:9])
    ['plank', 'hold']
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from formcheck.errors import InputError, UsageError
from formcheck.history.history import History, ImportResult
from formcheck.history.history_rows import json_safe
from formcheck.media.outputs import write_text_atomic

CSV_COLUMNS = (
    "session_uid",
    "session_id",
    "started_at",
    "kind",
    "status",
    "source",
    "set",
    "exercise",
    "item",
    "index",
    "start_s",
    "end_s",
    "duration_s",
    "good",
    "faults",
    "peak_s",
    "top_hold_s",
    "peak_hip_angle_deg",
    "knee_angle_deg",
    "range_deg",
    "flexion_deg",
    "extension_deg",
    "hold_kind",
    "good_form_s",
    "longest_good_s",
)


def history_csv(data: Mapping[str, Any]) -> str:
    """The export as CSV: one row per rep, cat-cow round or hold."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for s in data["sessions"]:
        base = {
            "session_uid": s["uid"],
            "session_id": s["id"],
            "started_at": s["started_at"],
            "kind": s["kind"],
            "status": s["status"],
            "source": s["source"].get("path", ""),
        }
        for st in s["sets"]:
            row0 = {**base, "set": st["index"], "exercise": st["exercise"]}
            item = "round" if st["exercise"] == "cat_cow" else "rep"
            for rep in st["reps"]:
                writer.writerow(
                    {
                        **row0,
                        **json_safe(rep),
                        "item": item,
                        "good": int(bool(rep.get("good"))),
                        "faults": ";".join(rep.get("faults") or []),
                    }
                )
            for hold in st["holds"]:
                writer.writerow(
                    {
                        **row0,
                        **{k: v for k, v in json_safe(hold).items() if k != "kind"},
                        "item": "hold",
                        "hold_kind": hold.get("kind", ""),
                    }
                )
    return buf.getvalue()


def export_history(
    path: str | os.PathLike[str],
    fmt: Literal["json", "csv"] | None = None,
    *,
    db: str | os.PathLike[str] | None = None,
) -> int:
    """Write the history to ``path`` atomically: JSON (complete, re-importable) or CSV.

    Args:
        path: The output file.
        fmt: ``json`` or ``csv``; None = from the file's suffix (JSON unless ``.csv``).
        db: The history database.

    Returns:
        The number of sessions exported.
    """
    target = Path(path)
    fmt = fmt or ("csv" if target.suffix.lower() == ".csv" else "json")
    if fmt not in ("json", "csv"):
        raise UsageError(f"export format {fmt!r}: expected json or csv")
    with History(db, create=False) as history:
        data = history.export_data()
    if fmt == "csv":
        text = history_csv(data)
    else:
        text = json.dumps(json_safe(data), indent=1, allow_nan=False) + "\n"
    write_text_atomic(target, text)
    return len(data["sessions"])


def import_history(
    path: str | os.PathLike[str], *, db: str | os.PathLike[str] | None = None
) -> ImportResult:
    """Add the sessions of a JSON export to the history, skipping those already there.

    Raises:
        InputError: Missing or unreadable file, not JSON, not a formcheck history export.
    """
    source = Path(path)
    if source.suffix.lower() == ".csv":
        raise InputError(
            f"{source}: import reads the JSON export (formcheck export FILE.json); "
            "the CSV export is for spreadsheets"
        )
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{source}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{source}: cannot read the file ({exc})") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}: not JSON ({exc})") from None
    with History(db) as history:
        return history.import_data(data, origin=str(source))
