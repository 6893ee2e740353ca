"""The notebooks in ``notebooks/`` run from top to bottom and show what they promise.

Each notebook is executed headless with nbclient, in a kernel running this interpreter (the
project's virtual environment, where formcheck is installed), with the notebook's own folder as
the working directory, as Jupyter would run it. Matplotlib never needs a display: the kernel's
default backend is Agg and the notebooks draw inline (PNG images in the outputs). The notebooks'
own ``assert`` lines are part of the check: a failing one fails the cell, and the test.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat", reason="the dev extra (nbformat, nbclient) is needed")
nbclient = pytest.importorskip("nbclient", reason="the dev extra (nbformat, nbclient) is needed")

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
KERNEL_NAME = "formcheck-tests"

RunNotebook = Callable[[Path], Any]


def code_cells(nb: Any) -> list[Any]:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def outputs_of(nb: Any, mime: str) -> list[str]:
    """Every output of ``mime`` type (e.g. ``image/png``, ``text/html``) in order."""
    found = []
    for cell in code_cells(nb):
        for output in cell.outputs:
            data = output.get("data", {})
            if mime in data:
                found.append(data[mime])
    return found


def shown_table(nb: Any, caption: str) -> list[list[str]]:
    """The rows (header first) of the table shown with ``caption``, read from its plain-text
    form (the caption, then one line a row, cells separated by two spaces or more)."""
    for text in outputs_of(nb, "text/plain"):
        lines = text.splitlines()
        if lines and lines[0] == caption:
            return [re.split(r"\s{2,}", line.strip()) for line in lines[1:]]
    raise AssertionError(f"no table {caption!r} in the outputs")


@pytest.fixture(scope="module")
def run_notebook(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunNotebook]:
    """Execute a notebook (once per module) in a kernel that runs this very interpreter.

    A kernelspec of our own, first on ``JUPYTER_PATH``, makes sure no other ``python3``
    kernel (a user's, another environment's) is picked up instead of this environment's.
    """
    jupyter = tmp_path_factory.mktemp("jupyter")
    spec_dir = jupyter / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "formcheck tests",
        "language": "python",
        "env": {"MPLBACKEND": "Agg"},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    done: dict[Path, Any] = {}

    def run(path: Path) -> Any:
        if path not in done:
            nb = nbformat.read(path, as_version=4)
            client = nbclient.NotebookClient(
                nb,
                kernel_name=KERNEL_NAME,
                timeout=600,
                resources={"metadata": {"path": str(path.parent)}},
            )
            client.execute()  # raises CellExecutionError, with the cell's traceback
            done[path] = nb
        return done[path]

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(jupyter))
        yield run


def test_the_notebook_of_a_session_is_there() -> None:
    assert NOTEBOOK_DIR / "explore_a_session.ipynb" in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_committed_valid_and_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in code_cells(nb):
        assert cell.outputs == [], f"clear the outputs before committing: {cell.source[:60]!r}"
        assert cell.execution_count is None


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_run_top_to_bottom_and_show_every_plot(
    path: Path, run_notebook: RunNotebook
) -> None:
    nb = run_notebook(path)
    for cell in code_cells(nb):
        assert cell.execution_count is not None, f"not executed: {cell.source[:60]!r}"
        kinds = [o.output_type for o in cell.outputs]
        assert "error" not in kinds
        if "plt.show()" in cell.source:
            assert any("image/png" in o.get("data", {}) for o in cell.outputs), (
                f"a plot that shows no image: {cell.source[:60]!r}"
            )


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_explore_a_session_shows_the_report_plots_and_threshold_changes(
    run_notebook: RunNotebook,
) -> None:
    nb = run_notebook(NOTEBOOK_DIR / "explore_a_session.ipynb")

    # the plank measure, the bridge measure, before/after of each threshold, the sweep
    assert len(outputs_of(nb, "image/png")) >= 5
    html = "\n".join(outputs_of(nb, "text/html"))
    for caption in ("Plank report: summary", "Plank before / after", "Bridge before / after"):
        assert f"<caption>{caption}" in html

    summary = shown_table(nb, "Plank report: summary")
    assert summary[0][:2] == ["exercise", "holds"]
    assert summary[1][:2] == ["plank", "1"]

    # looser sag limits (rows in order 5, 10, 15 deg) leave more of the same hold in good form
    plank = shown_table(nb, "Plank before / after: sag limit 10 deg (default) vs 5 and 15")
    header, rows = plank[0], plank[1:]
    limit, held, good = (header.index(k) for k in ("sag_deg", "held s", "good form s"))
    assert [float(r[limit]) for r in rows] == [5, 10, 15]
    assert len({r[held] for r in rows}) == 1
    good_form = [float(r[good]) for r in rows]
    assert good_form == sorted(good_form) and good_form[0] < good_form[-1]

    # the partial-rep margin changes verdicts, not the count: 40 deg lets the short reps pass
    bridge = shown_table(nb, "Bridge summary by margin")
    header, rows = bridge[0], bridge[1:]
    reps, good_reps = header.index("reps"), header.index("good reps")
    assert len({r[reps] for r in rows}) == 1
    by_margin = {float(r[0]): int(r[good_reps]) for r in rows}
    assert by_margin[40] == int(rows[0][reps]) > by_margin[15]
