"""`.env.example` documents every environment variable the product reads.

The variables are found by reading the code (an AST walk over the product's modules), not from a
list kept here, so a new setting without documentation fails this test.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT_DIRS = [
    "agentstudio",
    "workspaces",
    "agents",
    "conversations",
    "integrations",
    "audit",
    "sandbox",
]
# Read by the process machinery, not settings a deployer chooses.
NOT_SETTINGS = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "PYTHONUNBUFFERED"}
# Calls whose first argument names an environment variable.
ENV_READERS = {
    "str",
    "int",
    "bool",
    "list",
    "float",
    "url",
    "db_url",
    "json",
    "path",
    "bool_var",
    "list_var",
    "get",
    "getenv",
    "setdefault",
    "require_env",
}


def _product_modules() -> list[Path]:
    files: list[Path] = []
    for name in PRODUCT_DIRS:
        base = ROOT / name
        if base.is_dir():
            files += [
                p
                for p in base.rglob("*.py")
                if "tests" not in p.parts and "migrations" not in p.parts
            ]
    return files


def _is_environ(node: ast.AST) -> bool:
    # os.environ / environ
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def _is_env_object(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "env"


def variables_read(source: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name = node.args[0].value
            if not isinstance(name, str) or not re.fullmatch(r"[A-Z][A-Z0-9_]+", name):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in ENV_READERS:
                if (
                    _is_environ(func.value)
                    or _is_env_object(func.value)
                    or (isinstance(func.value, ast.Name) and func.value.id == "os")
                ):
                    found.add(name)
            elif isinstance(func, ast.Name) and func.id in ENV_READERS | {"env"}:
                found.add(name)
        elif isinstance(node, ast.Subscript) and _is_environ(node.value):
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                found.add(key.value)
    return found


def test_the_reader_finds_each_kind_of_read():
    sample = (
        "import os\n"
        "a = env.str('ALPHA', default='')\n"
        "b = env.int('BETA_S', default=1)\n"
        "c = bool_var('GAMMA', False)\n"
        "d = os.environ.get('DELTA')\n"
        "e = os.environ['EPSILON']\n"
        "f = os.getenv('ZETA')\n"
        "g = {}.get('not_a_setting')\n"
    )
    assert variables_read(sample) == {"ALPHA", "BETA_S", "GAMMA", "DELTA", "EPSILON", "ZETA"}


def test_env_example_documents_every_variable_the_code_reads():
    read: set[str] = set()
    for path in _product_modules():
        read |= variables_read(path.read_text())
    read -= NOT_SETTINGS
    assert len(read) > 20, "the reader found too few variables; is it still reading the code?"
    documented = set(
        re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M)
    )
    missing = sorted(read - documented)
    assert not missing, f".env.example does not document: {', '.join(missing)}"
