"""The documented layering holds: every import inside the package goes to its own
layer or one above it, as the table in docs/ARCHITECTURE.md says."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "framework_qda"


def layers() -> dict[str, int]:
    """Each unit (``coding.py``, ``store/``) and the number of its layer, from the top."""
    text = (REPO / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    table = text.split("| layer | modules |", 1)[1].split("\n\n", 1)[0]
    rank: dict[str, int] = {}
    for n, row in enumerate(r for r in table.splitlines()[2:] if r.startswith("|")):
        for unit in re.findall(r"`([^`]+)`", row.split("|")[2]):
            assert unit not in rank, f"{unit} is in two layers"
            rank[unit] = n
    return rank


def unit_of(module: str) -> str:
    """``framework_qda.store.codings`` -> ``store/``; ``framework_qda.coding`` -> ``coding.py``."""
    parts = module.split(".")[1:]
    if not parts:
        return "__init__.py"
    if (PACKAGE / parts[0]).is_dir():
        return parts[0] + "/"
    return parts[0] + ".py"


def imports(path: Path) -> list[tuple[int, str]]:
    """Every module of the package that ``path`` imports (at any depth), with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] if node.module != "framework_qda" else [
                f"framework_qda.{a.name}" for a in node.names]
            found += [(node.lineno, n) for n in names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
    return [(line, n) for line, n in found if n.startswith("framework_qda.")
            and (PACKAGE / n.split(".")[1]).exists() | (PACKAGE / f"{n.split('.')[1]}.py").exists()]


def test_every_module_has_a_layer() -> None:
    rank = layers()
    units = {unit_of(".".join(("framework_qda", *p.relative_to(PACKAGE).with_suffix("").parts)))
             for p in PACKAGE.rglob("*.py")}
    assert sorted(units - set(rank)) == [], "modules the layer table does not place"
    assert sorted(set(rank) - units) == [], "the layer table names modules that do not exist"


def test_no_module_imports_from_a_layer_below_its_own() -> None:
    rank = layers()
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        me = unit_of(".".join(("framework_qda", *path.relative_to(PACKAGE).with_suffix("").parts)))
        for line, module in imports(path):
            other = unit_of(module)
            if other != me and rank[other] > rank[me]:
                upward.append(f"{path.relative_to(REPO)}:{line} imports {module} "
                              f"({other} is below {me})")
    assert upward == []


def test_nothing_in_the_package_imports_the_command_line() -> None:
    """The library never reaches for the command line (the layer table puts ``cli/`` last);
    and the checkout's own ``cli.py`` is only a name for it, imported by nothing."""
    for path in PACKAGE.rglob("*.py"):
        inside = path.relative_to(PACKAGE).parts[0] in ("cli", "__main__.py")
        for _, module in imports(path):
            assert inside or not module.startswith("framework_qda.cli"), path
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                assert all(a.name != "cli" for a in node.names), path
            if isinstance(node, ast.ImportFrom):
                assert node.module != "cli", path


def test_the_command_line_is_a_package_of_stages_and_cli_py_only_names_it() -> None:
    stages = sorted(p.stem for p in (PACKAGE / "cli").glob("*.py"))
    assert stages == ["__init__", "charting", "common", "familiarisation", "framework",
                      "indexing", "interpretation", "output", "study", "team"]
    root = ast.parse((REPO / "cli.py").read_text(encoding="utf-8"))
    defined = [n for n in root.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    assert defined == []


def test_the_library_reaches_the_store_only_through_its_seam() -> None:
    """Outside ``store/`` no module speaks to a database driver or to the SQLite
    implementation: the library types against ``StudyStore`` and the plain rows
    (docs/ARCHITECTURE.md, "The store's seam"), so another backend can stand in."""
    seam = {"framework_qda.store", "framework_qda.store.rows", "framework_qda.store.protocol"}
    reached = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] == "store":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            where = f"{path.relative_to(REPO)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Import):
                reached += [f"{where} imports {a.name}" for a in node.names
                            if a.name.split(".")[0] in ("sqlite3", "psycopg")]
            elif isinstance(node, ast.ImportFrom) and node.module:
                if node.module.split(".")[0] in ("sqlite3", "psycopg") or (
                        node.module.startswith("framework_qda.store.")
                        and node.module not in seam):
                    reached.append(f"{where} imports from {node.module}")
                elif node.module == "framework_qda.store":
                    reached += [f"{where} imports the SQLite Store" for a in node.names
                                if a.name == "Store"]
    assert reached == []
