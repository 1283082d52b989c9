"""Every variable app/settings.py reads is documented: in docs/runtime.md's settings table, or in
the pages it sends readers to (each job's under docs/jobs/, the local scheduler's)."""

import ast
import re

from tests.support.processes import ROOT

SETTINGS = ROOT / "app" / "settings.py"
DOCS = ROOT / "docs"
NAME = re.compile(r"[A-Z][A-Z0-9_]+")


def names_read() -> set[str]:
    """First arguments of app/env.py's readers (`env.integer("NAME", ...)`), and of the settings'
    own helpers that read through them (`_addresses("ADMINS")`)."""
    tree = ast.parse(SETTINGS.read_text())
    helpers = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    names = set()
    for call in (node for node in ast.walk(tree) if isinstance(node, ast.Call)):
        func = call.func
        reader = isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "env"
        helper = isinstance(func, ast.Name) and func.id in helpers
        first = call.args[0] if call.args else None
        if (reader or helper) and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return {name for name in names if NAME.fullmatch(name)}


def names_documented() -> set[str]:
    """Names in backquotes in the rows of the settings pages' tables (`HOSTNAME` is documented as
    CRONSUITE_POD's default)."""
    pages = [DOCS / "runtime.md", DOCS / "scheduler.md", *sorted((DOCS / "jobs").glob("*.md"))]
    rows = [line for page in pages for line in page.read_text().splitlines() if line[:1] == "|"]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row)}


def test_it_finds_the_settings_it_compares():
    # It should read the settings file as it is written, not find nothing and pass.
    assert {"DATABASE_URL", "WEB_HTTPS", "ADMINS", "EMAIL_PORT"} <= names_read()


def test_every_variable_the_settings_read_is_documented():
    missing = names_read() - names_documented()

    assert missing == set(), f"add a row for each to docs/runtime.md (or its job's page): {missing}"
