"""The package installs as it says: pins agree with requirements.txt, entry points exist, no import-path hacks."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from .conftest import REPO_ROOT

PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]


def test_pyproject_pins_what_requirements_txt_pins() -> None:
    lines = (REPO_ROOT / "requirements.txt").read_text().splitlines()
    pinned = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    assert set(PROJECT["dependencies"]) | set(PROJECT["optional-dependencies"]["test"]) == pinned
    assert all("==" in requirement for requirement in pinned)


def test_console_scripts_name_functions_that_exist() -> None:
    assert set(PROJECT["scripts"]) == {"ae-models", "latent-explorer"}
    for target in PROJECT["scripts"].values():
        module, function = target.split(":")
        assert callable(getattr(importlib.import_module(module), function)), target


def test_latent_explorer_help_describes_it_without_starting_a_server() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "dashboard.serve", "--help"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0 and "latent-explorer" in out.stdout and "--weights-dir" in out.stdout


def test_no_module_edits_the_import_path() -> None:
    hack = re.compile(r"sys\.path\.(insert|append)|noqa: E402")
    folders = ("ae_models", "dashboard", "tests", "benchmarks")
    sources = [p for folder in folders for p in (REPO_ROOT / folder).rglob("*.py") if p != Path(__file__).resolve()]
    assert [str(p) for p in sources if hack.search(p.read_text())] == []


def test_the_readme_layout_names_every_module_and_folder() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    layout = readme.split("## Layout", 1)[1].split("```")[1]
    named = set(re.findall(r"[A-Za-z_]+", layout))
    modules = {p.stem for folder in ("ae_models", "dashboard") for p in (REPO_ROOT / folder).glob("*.py")}
    assert modules - {"__init__", "__main__"} - named == set()
    benchmarks = {p.stem for p in (REPO_ROOT / "benchmarks").glob("*.py")} - {"__init__"}
    assert benchmarks - named == set()
    for folder in ("ae_models/", "dashboard/", "weights/", "tests/", "benchmarks/", "docs/deploy/", "views/"):
        assert folder in layout, folder
