"""Sphinx configuration: the einsteinpy_lite documentation, built offline from this repository.

Build with warnings as errors (as ``.ci/run`` and ``tests/test_docs.py`` do)::

    sphinx-build -W --keep-going -b html docs docs/_build/html

Nothing is fetched at build time: the builtin ``alabaster`` theme, no intersphinx.
"""

from __future__ import annotations

import os
import sys

# the package of this checkout, not an installed copy
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

import einsteinpy_lite  # noqa: E402

project = "einsteinpy_lite"
author = "einsteinpy_lite contributors"
copyright = "einsteinpy_lite contributors"  # noqa: A001
version = release = einsteinpy_lite.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "conftest.py"]

# Google-style docstrings
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}

myst_heading_anchors = 3

html_theme = "alabaster"
html_title = f"einsteinpy_lite {release}"
html_static_path: list[str] = []
# the pages are built offline; no remote fonts
html_theme_options = {"font_family": "sans-serif", "head_font_family": "sans-serif", "code_font_family": "monospace"}


def _section_titles_to_rubrics(app, what, name, obj, options, lines: list[str]) -> None:
    """A docstring's underlined section title (``Architecture`` over dashes) becomes a rubric.

    Docutils forbids section titles inside a directive, so a docstring that reads well in ``help()``
    would otherwise stop the build.
    """
    for i in range(len(lines) - 1):
        title, rule = lines[i].strip(), lines[i + 1].strip()
        if title and len(rule) >= 3 and set(rule) <= set("-=~^") and len(set(rule)) == 1 and len(rule) >= len(title):
            indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
            lines[i], lines[i + 1] = f"{indent}.. rubric:: {title}", ""


def setup(app):  # noqa: ANN001, ANN201
    app.connect("autodoc-process-docstring", _section_titles_to_rubrics)
