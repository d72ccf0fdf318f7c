"""The layers hold by contract (.importlinter, ADR 0055), and each move of issue 20 holds
them up: with the import that move took away put back into the import graph (in memory,
through grimp's ``ImportGraph.add_import``; no file changes), a contract breaks.

The contracts run through import-linter's own use cases, as ``lint-imports`` runs them, on a
graph this test gives it. A module-level cycle check (scripts/import_cycles.py) covers what
``acyclic_siblings`` cannot see: a package and a module inside it importing each other.
"""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

import grimp
import pytest
from importlinter import api  # noqa: F401  (sets import-linter up: its readers and builder)
from importlinter.application import use_cases
from importlinter.application.app_config import settings as linter_settings

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / ".importlinter"

# Each move, and the import (importer -> imported) it removed from the code.
MOVES = {
    "membership_of and the case roles in accounts": [
        ("cairn.accounts.access", "cairn.cases.access"),
        ("cairn.accounts.two_factor", "cairn.cases.access"),
        ("cairn.web.context_processors", "cairn.accounts.access"),
    ],
    "require_case_member public in cases.access": [
        ("cairn.orders.court_orders", "cairn.cases.services"),
        ("cairn.cases.closure", "cairn.cases.services"),
    ],
    "the share-code hash in its own module": [("cairn.cases.access", "cairn.cases.services")],
    "posted_data and add_service_errors in web": [
        ("cairn.orders.views_orders", "cairn.cases.views"),
        ("cairn.accounts.recovery_views", "cairn.vault.forms"),
    ],
    "the reason for reading in cases.purpose": [("cairn.breaches.views", "cairn.cases.views")],
    "orders and breaches have their own URLs": [
        ("cairn.cases.urls", "cairn.orders.views_applications"),
        ("cairn.cases.urls", "cairn.breaches.views"),
        ("cairn.cases.victim_urls", "cairn.breaches.victim_views"),
    ],
    "the case page's order section is an inclusion tag": [
        ("cairn.cases.views", "cairn.orders.access"),
        ("cairn.cases.views", "cairn.orders.deadlines"),
    ],
    "breaches are their own app above orders": [
        ("cairn.orders.views_orders", "cairn.breaches.pack"),
    ],
    "the breach models, the failure to notify and the breach closure check in breaches": [
        ("cairn.orders.notification", "cairn.breaches.models"),
        ("cairn.orders.closure_checks", "cairn.breaches.models"),
        ("cairn.orders.words", "cairn.breaches.models"),
        ("cairn.orders.views_notification", "cairn.breaches.services"),
    ],
    "her own account's ties to logs and shares in cairn.own": [
        ("cairn.accounts.sign_up", "cairn.vault.services"),
        ("cairn.accounts.recovery", "cairn.cases.access"),
    ],
    "packs take the officer's scope from their caller": [
        ("cairn.packs.services", "cairn.cases.access"),
    ],
    "backup migrates without the CLI": [("cairn.backup.service", "cairn.cli.runtime")],
}


class GivenGraph:
    """import-linter's graph builder, answering with a graph built here."""

    def __init__(self, graph: grimp.ImportGraph) -> None:
        self.graph = graph

    def build(self, **_options: object) -> grimp.ImportGraph:
        return copy.deepcopy(self.graph)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("cairn", cache_dir=None)


def broken_contracts(graph: grimp.ImportGraph) -> list[str]:
    """The names of the contracts of .importlinter that ``graph`` breaks."""
    builder = linter_settings.GRAPH_BUILDER
    linter_settings.configure(GRAPH_BUILDER=GivenGraph(graph))
    try:
        use_cases._register_built_in_contract_types()  # as lint_imports does first
        report = use_cases.create_report(use_cases.read_user_options(str(CONFIG)), cache_dir=None)
    finally:
        linter_settings.configure(GRAPH_BUILDER=builder)
    assert not report.could_not_run, report.invalid_contract_options
    return [
        contract.name for contract, check in report.get_contracts_and_checks() if not check.kept
    ]


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    spec = importlib.util.spec_from_file_location(
        "import_cycles", ROOT / "scripts" / "import_cycles.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.cycles(graph)  # type: ignore[no-any-return]


def test_the_code_keeps_every_contract(graph):
    assert broken_contracts(graph) == []
    assert import_cycles(graph) == []


def test_lint_imports_passes_as_make_lint_runs_it():
    assert use_cases.lint_imports(str(CONFIG), cache_dir=None, no_logo=True) is True


def test_the_contracts_see_imports_inside_functions(graph):
    # cases.access reads the packs' selection inside a function; grimp counts it.
    assert graph.direct_import_exists(
        importer="cairn.cases.access", imported="cairn.packs.selection"
    )


@pytest.mark.parametrize(("move", "imports"), MOVES.items(), ids=list(MOVES))
def test_undoing_a_move_breaks_a_contract(graph, move, imports):
    for importer, imported in imports:
        undone = copy.deepcopy(graph)
        assert not undone.direct_import_exists(importer=importer, imported=imported), (
            f"{importer} still imports {imported}"
        )
        undone.add_import(
            importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}"
        )
        assert broken_contracts(undone), f"{move}: {importer} -> {imported} broke nothing"


def test_a_package_importing_its_own_module_back_is_a_cycle(graph):
    undone = copy.deepcopy(graph)
    undone.add_import(
        importer="cairn.demo.loader",
        imported="cairn.demo",
        line_number=1,
        line_contents="from cairn.demo import DemoRefused",
    )
    assert import_cycles(undone) == [["cairn.demo", "cairn.demo.loader"]]


def test_a_cycle_inside_an_app_breaks_the_acyclic_contract(graph):
    undone = copy.deepcopy(graph)
    undone.add_import(
        importer="cairn.cases.access",
        imported="cairn.cases.services",
        line_number=1,
        line_contents="from cairn.cases.services import x",
    )
    assert "No import cycle at any level of the package tree" in broken_contracts(undone)
