"""Every third-party package the product imports is declared, pinned, in pyproject.toml: found by
reading the code, so a new import without a declaration fails here rather than on a fresh
install where some other package happened not to bring it along."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# The product's own packages: what setuptools packages (tests are not the product).
FIRST_PARTY = {
    pattern.rstrip("*")
    for pattern in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
}


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    return _normalize(re.match(r"[A-Za-z0-9._-]+", requirement).group(0))


def _product_files() -> list[Path]:
    return [
        path
        for package in sorted(FIRST_PARTY)
        for path in sorted((ROOT / package).rglob("*.py"))
        if "tests" not in path.relative_to(ROOT).parts
    ]


def _third_party_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in FIRST_PARTY}


def test_the_product_is_found():
    files = _product_files()
    assert ROOT / "integrations" / "mistral" / "backend.py" in files
    assert not any("tests" in path.parts for path in files)
    assert "mistralai" in _third_party_imports(ROOT / "integrations" / "mistral" / "backend.py")


def test_every_imported_package_is_declared_and_pinned():
    declared = {_requirement_name(r): r for r in PYPROJECT["project"]["dependencies"]}
    distributions = packages_distributions()
    undeclared: dict[str, list[str]] = {}
    for path in _product_files():
        for module in _third_party_imports(path):
            names = {_normalize(d) for d in distributions.get(module, [module])}
            if not names & declared.keys():
                undeclared.setdefault(module, []).append(str(path.relative_to(ROOT)))
    assert not undeclared, f"imported but not in [project].dependencies: {undeclared}"
    unpinned = [r for r in declared.values() if "==" not in r]
    assert not unpinned, f"dependencies without an exact version: {unpinned}"
