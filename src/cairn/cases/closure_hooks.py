"""Where apps above ``cases`` hook into the closure guard (``cairn.cases.closure``).

Two kinds of hook, each named by its dotted path and imported only when a case is closed, so
that starting Cairn does not import every app's closure code (and the analysis engine with
it) to register it:

- a **blocker** (``register_blocker``) takes a case and returns what refuses closing it
  whatever a supervisor says, one plain sentence each (an order in force, a breach with no
  outcome);
- a **sign-off reason** (``register_sign_off_reason``) takes the actor and the case and
  returns clauses, to follow "because", for which closing needs a supervisor's sign-off
  (footage nobody asked for). Its reads are audited with the guard's purpose.

Each app registers its hooks from its ``AppConfig.ready``; they run in the order registered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.module_loading import import_string

_BLOCKERS: list[str] = []
_SIGN_OFF_REASONS: list[str] = []


def register_blocker(path: str) -> None:
    if path not in _BLOCKERS:
        _BLOCKERS.append(path)


def register_sign_off_reason(path: str) -> None:
    if path not in _SIGN_OFF_REASONS:
        _SIGN_OFF_REASONS.append(path)


def blockers() -> list[Callable[[Any], list[str]]]:
    return [import_string(path) for path in _BLOCKERS]


def sign_off_reasons() -> list[Callable[[Any, Any], list[str]]]:
    return [import_string(path) for path in _SIGN_OFF_REASONS]
