"""The README's reference tables match the code, so the README cannot drift (as Datasette's
documentation tests do): every setting, every command and its options, every API route and page.

Each test reads a table from README.md and compares it, both ways, with what the code defines:
``app.settings.Settings``, the argparse parser of ``app.cli`` and the app's routes.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT

from app import vocab
from app.cli import build_parser
from app.main import create_app
from app.settings import Settings

README = (ROOT / "README.md").read_text(encoding="utf-8")


def table(header: str) -> list[list[str]]:
    """The rows (cells without the outer backticks' surroundings) of the README table whose
    header row starts with ``| header |``."""
    lines = README.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {header} |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows


def code_spans(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


# --- settings -----------------------------------------------------------------------------------


def _same_default(documented: str, default: Any) -> bool:
    if isinstance(default, Path):
        return Path(documented) == default
    if isinstance(default, bool | int | float | list):
        return bool(json.loads(documented) == default)
    return documented == (default if default != "" else '""')


def test_every_setting_is_documented_with_its_default() -> None:
    rows = {code_spans(row[0])[0]: row for row in table("variable")}
    fields = {f"EVIDENCE_KB_{name.upper()}": field for name, field in Settings.model_fields.items()}
    assert set(rows) == set(fields), "README's settings table and app/settings.py differ"
    for name, row in rows.items():
        documented = code_spans(row[1])[0]
        assert _same_default(documented, fields[name].default), f"{name}: README says {documented}"
        assert row[2], f"{name}: no meaning given"


# --- commands -----------------------------------------------------------------------------------


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_is_documented() -> None:
    documented = {code_spans(row[0])[0].split()[1] for row in table("command")}
    assert documented == set(_subcommands())


@pytest.mark.parametrize("row", table("command"), ids=lambda row: code_spans(row[0])[0])
def test_documented_options_exist(row: list[str]) -> None:
    usage = code_spans(row[0])[0]
    parser = _subcommands()[usage.split()[1]]
    known = {option for action in parser._actions for option in action.option_strings}
    for option in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", usage):
        assert option in known, f"{usage}: {option} is not an option of the command"


@pytest.mark.parametrize("name", sorted(_subcommands()))
def test_every_option_is_documented(name: str) -> None:
    """Each option of a command appears in its row of the table (or, for serve, in the
    deployment notes the row links to)."""
    usages = " ".join(
        code_spans(row[0])[0] + " " + row[1]
        for row in table("command")
        if row[0].startswith(f"`evidence-kb {name}")
    )
    parser = _subcommands()[name]
    elsewhere = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8") if name == "serve" else ""
    documented = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", usages + " " + elsewhere))
    missing = {
        action.option_strings[-1]
        for action in parser._actions
        if action.option_strings and action.dest != "help" and not documented & set(action.option_strings)
    }
    assert not missing, f"evidence-kb {name}: {sorted(missing)} not in README's commands table"


# --- routes -------------------------------------------------------------------------------------


def _flat(routes: list[Any]) -> list[Any]:
    """Routes, with those of included routers (FastAPI keeps them nested) brought up."""
    found = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        found += _flat(inner.routes) if inner is not None else [route]
    return found


def _routes() -> dict[tuple[str, str], Any]:
    app = create_app(Settings(database_url="sqlite://", data_dir=ROOT / "data"))
    found = {}
    for route in _flat(app.routes):
        if getattr(route, "methods", None):
            for method in route.methods - {"HEAD"}:
                found[(method, re.sub(r"\{[^}]+\}", "{}", route.path))] = route
    return found


def _documented_routes(header: str, default_method: str | None) -> dict[tuple[str, str], list[str]]:
    """(method, path with ``{}`` for parameters) -> the query parameters the table lists."""
    found = {}
    for row in table(header):
        for span in code_spans(row[0]):
            method, _, target = span.rpartition(" ") if default_method is None else (default_method, "", span)
            path, _, query = target.partition("?")
            params = [p.split("=")[0] for p in query.split("&") if p]
            found[(method, re.sub(r"\{[^}]+\}", "{}", path))] = params
    return found


def test_the_api_table_lists_every_api_route() -> None:
    documented = _documented_routes("route", None)
    actual = {key for key in _routes() if key[1].startswith("/api/")}
    assert set(documented) == actual


def test_the_pages_table_lists_every_page() -> None:
    documented = _documented_routes("page", "GET")
    actual = {
        key
        for key in _routes()
        if key[0] == "GET" and not key[1].startswith(("/api/", "/docs", "/openapi", "/redoc", "/static"))
    }
    assert set(documented) == actual


def test_documented_query_parameters_exist(seed_client: Any) -> None:
    openapi = seed_client.get("/openapi.json").json()
    for (method, path), params in _documented_routes("route", None).items():
        operation = next(
            op
            for p, item in openapi["paths"].items()
            if re.sub(r"\{[^}]+\}", "{}", p) == path
            for m, op in item.items()
            if m == method.lower()
        )
        names = {p["name"] for p in operation.get("parameters", [])}
        assert set(params) <= names, f"{method} {path}: {set(params) - names} not parameters"


# --- vocabularies in tables ---------------------------------------------------------------------


def test_the_flag_and_format_tables_list_the_vocabularies() -> None:
    flags = {code_spans(row[0])[0] for row in table("flag")}
    assert flags == set(vocab.FlagCode)
    formats = {span for row in table("format") for span in code_spans(row[0])}
    assert formats == set(vocab.ExportFormat)


def test_the_layout_names_every_module() -> None:
    layout = README[README.index("## Layout") :]
    modules = [p.name for p in (ROOT / "app").glob("*.py") if p.name != "__init__.py"]
    packages = [f"{p.parent.name}/" for p in (ROOT / "app").glob("*/__init__.py")]
    missing = sorted(name for name in modules + packages if name not in layout)
    assert not missing, f"README's layout section does not mention {missing}"


def _layout_block() -> str:
    """The app/ part of the tree in README's layout section (up to the next top-level folder)."""
    layout = README[README.index("## Layout") :]
    start = layout.index("```\napp/\n") + len("```\napp/\n")
    return layout[start : layout.index("\ndata/", start)]


def test_the_layout_lists_each_module_once() -> None:
    """Every ``name.py`` the layout tree names is a module of app/ (or of its packages), and is
    named once: a second line for the same module (``listing.py`` was listed twice, with two
    descriptions) lets the two drift apart."""
    named = re.findall(r"\b([a-z_][a-z0-9_]*\.py)\b", _layout_block())
    existing = {p.name for p in (ROOT / "app").rglob("*.py")}
    assert not [n for n in named if n not in existing], "README's layout names modules that do not exist"
    twice = sorted({n for n in named if named.count(n) > 1})
    assert not twice, f"README's layout lists {twice} more than once"


def test_every_path_the_readme_names_exists() -> None:
    """A source file the README points to (``app/certainty.py``, ``scripts/fit_factcheck.py``, ...)
    exists, so a reader sent there finds it."""
    paths = set(re.findall(r"\b((?:app|scripts|bench|tests)/[\w/]+\.py)\b", README))
    missing = sorted(p for p in paths if not (ROOT / p).is_file())
    assert not missing, f"README names {missing}, which do not exist"


def test_the_methodology_row_names_the_module_of_the_rules() -> None:
    """The pages table says which module /methodology is generated from: the module that defines
    the rules the page lists (``api.methodology_doc`` reads ``certainty.RULES``)."""
    import importlib

    from app import api, certainty

    row = next(r for r in table("page") if r[0] == "`/methodology`")
    named = [span for span in code_spans(row[1]) if span.startswith("app/")]
    assert named and named[0] == "app/certainty.py", row[1]
    module = importlib.import_module(named[0].removesuffix(".py").replace("/", "."))
    rules = api.methodology_doc()["rules"]
    assert [r["text"] for r in rules] == [r.text for r in module.RULES] == [r.text for r in certainty.RULES]


def test_test_runs_leave_tracked_files_alone() -> None:
    """Browser tests write their screenshots to an ignored folder (the reviewed screenshots committed
    in test-artifacts/ are not rewritten) and schemathesis' cache is ignored, so running the README's
    test command leaves ``git status`` clean."""
    import subprocess

    from test_browser import ARTIFACTS

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)

    for written in (ARTIFACTS / "claim-desktop.png", ROOT / ".schemathesis" / "default" / "x.json"):
        assert git("check-ignore", "-q", "--no-index", str(written)).returncode == 0, written
    assert git("ls-files", str(ARTIFACTS)).stdout == ""
    assert git("ls-files", ".schemathesis").stdout == ""
    assert (ROOT / "test-artifacts").resolve() != ARTIFACTS.resolve()


def test_the_readme_states_the_score_models_cut_offs() -> None:
    """The fact-check cut-offs README quotes are those of the shipped score model (one sentence:
    the English reading's, then the concept reading's when they differ)."""
    model = json.loads((ROOT / "app/factcheck/data/score-model.json").read_text(encoding="utf-8"))
    section = README[README.index("`threshold` in every response") :][:200]
    quoted = [float(x) for x in re.findall(r"\b0\.\d+\b", section)]
    cut_offs = {float(v) for v in model["thresholds"].values()}
    assert quoted and set(quoted) == cut_offs, f"README says {quoted}; the model file says {sorted(cut_offs)}"
