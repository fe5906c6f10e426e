"""Every notebook in notebooks/ runs top to bottom in a fresh kernel and shows what it is for.

The outputs are stripped in git; executed here with nbclient, each notebook must show its figures
(``image/png``, the inline backend) and its formulas rendered (``text/latex``), and use only the
public API (no internal test model).
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))

#: the least number of outputs of each kind that each notebook shows when executed
EXPECTED = {
    "01_einstein_notation": {"text/latex": 5, "text/markdown": 1},
    "02_compiling": {"text/latex": 1, "text/markdown": 1},
    "03_single_layer_gradients": {"text/latex": 8},
    "04_gradient_descent": {"image/png": 5, "text/latex": 1},
    "05_softmax_cross_entropy": {"text/latex": 6},
}


def test_the_notebooks_are_there():
    names = [p.stem for p in NOTEBOOKS]
    assert sorted(names) == sorted(EXPECTED)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_sources_use_the_public_api_and_show_figures(path: Path):
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{path.name}: strip the outputs"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "verify.model" not in code and "Problem" not in code  # the internal test model
    assert "matplotlib.use" not in code  # Agg shows no figures


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_shows_figures_and_rendered_maths(path: Path, monkeypatch):
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's own (inline) backend, as in Jupyter
    # the kernel imports this checkout's package (not another installed copy)
    root = str(path.parent.parent)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError with the failing cell and its traceback
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    kinds = Counter(mime for o in outputs for mime in o.get("data", {}))
    for mime, least in EXPECTED[path.stem].items():
        assert kinds[mime] >= least, f"{path.name}: {kinds[mime]} {mime} outputs, expected at least {least}: {kinds}"
    latex = [o["data"]["text/latex"] for o in outputs if "text/latex" in o.get("data", {})]
    assert all(t.strip().startswith("$") for t in latex)  # rendered maths, not LaTeX source printed as text
