"""The documentation: the Sphinx site builds with warnings as errors, every module has an API page, the README is a front page.

The pages' examples themselves are doctests collected by pytest (``--doctest-glob=*.md`` over
``docs/`` and ``README.md``); this file checks the site around them.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "einsteinpy_lite"
DOCS = ROOT / "docs"
README = ROOT / "README.md"

# the layers that issue 9 names; every other module is found by walking the package
LAYERS = ("core", "notation", "algebra", "compile", "equality", "nets", "optim", "bench", "verify", "cli")


def _modules() -> list[str]:
    """Every module of the package, dotted (``einsteinpy_lite.core.atoms``), from the files."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if not parts:
            continue  # the facade, einsteinpy_lite itself (documented on the API index page)
        out.append(".".join(["einsteinpy_lite", *parts]))
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the site into a temporary directory with warnings as errors; the HTML directory."""
    missing = [name for name in ("sphinx", "myst_parser") if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"the docs build needs {' and '.join(missing)}: pip install -e '.[docs]' (or '.[dev]')")
    out = tmp_path_factory.mktemp("docs")
    html = out / "html"
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-E", "-b", "html",
         "-d", str(out / "doctrees"), str(DOCS), str(html)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, f"sphinx-build -W failed:\n{proc.stdout}\n{proc.stderr}"
    assert "WARNING" not in proc.stderr, proc.stderr
    return html


def test_the_docs_build_without_warnings(built: Path):
    assert (built / "index.html").is_file()
    for page in ("guide/notation", "guide/compile", "guide/verify", "development/architecture",
                 "development/benchmarks", "api/index"):
        assert (built / f"{page}.html").is_file(), page


def test_every_module_has_an_api_page(built: Path):
    api = "\n".join(p.read_text(encoding="utf-8") for p in sorted((built / "api").glob("*.html")))
    documented = set(re.findall(r'id="module-(einsteinpy_lite[\w.]*)"', api))
    modules = _modules()
    for layer in LAYERS:  # the walk itself must find the layers, or the check below is empty
        assert f"einsteinpy_lite.{layer}" in modules, layer
    missing = [m for m in modules if m not in documented]
    assert not missing, f"modules without an API page: {missing}; add an automodule entry under docs/api/"
    assert "einsteinpy_lite" in documented  # the facade, on api/index


def test_the_api_pages_carry_the_docstrings(built: Path):
    # autodoc ran (not only the titles): a function, a class and the architecture notes are there
    core = (built / "api" / "core.html").read_text(encoding="utf-8")
    assert 'id="einsteinpy_lite.core.builders.tensor"' in core
    assert 'id="einsteinpy_lite.core.errors.EinsteinError"' in core
    arch = (built / "development" / "architecture.html").read_text(encoding="utf-8")
    assert "Architecture" in arch and "lower" in arch and "runtime" in arch


def test_the_readme_is_a_short_front_page():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) < 250, f"README.md has {len(lines)} lines; move details to docs/"
    text = "\n".join(lines)
    assert ">>> " in text  # its examples are doctests (pyproject's --doctest-glob)
    for heading in ("## Install", "## Quick start", "## Four examples", "## Documentation"):
        assert heading in text, heading


def test_the_readme_links_point_into_the_repository():
    text = README.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    assert any(link.startswith("docs/") for link in links)
    for link in links:
        assert not link.startswith(("http:", "https:", "/", "..")), f"README links outside the repository: {link}"
        assert (ROOT / link.split("#")[0]).exists(), f"README links to a missing file: {link}"


@pytest.mark.parametrize("path", [README, *sorted(DOCS.rglob("*.md")), *sorted(DOCS.rglob("*.rst"))],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_no_reference_outside_the_repository(path: Path):
    if "_build" in path.parts:
        pytest.skip("build output")
    text = path.read_text(encoding="utf-8")
    for outside in ("../shared", "shared/seeds", "DESIGN.md"):
        assert outside not in text, f"{path.name} refers to {outside}, which is not in this repository"
