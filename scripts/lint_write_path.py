#!/usr/bin/env python3
"""One write path: database writes happen in services modules, nowhere else.

A services module is ``services.py``, any module inside a ``services/`` package, or a module
named ``*_services.py`` (``statement_services.py``: an app's second set of services). Outside
them (and the migrations), this fails on a call that writes through Django's ORM:

- ``.bulk_create(``, ``.bulk_update(``, ``.get_or_create(``, ``.update_or_create(``, always;
- ``.save(``, ``.create(``, ``.update(``, ``.delete(`` called with no positional argument,
  which is how the ORM's are called (``obj.save(update_fields=...)``,
  ``Model.objects.create(**fields)``, ``queryset.update(field=value)``, ``obj.delete()``).
  A call with a positional argument (``digest.update(data)``, ``image.save(path)``,
  ``storage.delete(name)``) is some other object's method and is not looked at, and neither
  is ``name.update(...)`` where the function binds ``name`` to a dict (``{...}``,
  ``dict(...)``, a ``dict[...]`` annotation): a view's template context.

A write that belongs where it is anyway (a session store Django calls, the append-only ledger
writing its own rows, a dict updated with keywords) is listed in the allow-list file,
``scripts/write_path_allowed.txt``, one per line::

    src/cairn/app/module.py  function_or_Class.method  the reason it may write here

by path and enclosing function (not line numbers), so it survives edits. An entry with no
reason, or one that no longer matches a write, is an error too, so the list stays true.

Usage: ``lint_write_path.py [--allow FILE] [PATH ...]`` (default: ``src``). Exit status 1
with one line per problem, ``path:line: message``.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOW_FILE = ROOT / "scripts" / "write_path_allowed.txt"
ALWAYS = frozenset({"bulk_create", "bulk_update", "get_or_create", "update_or_create"})
WITHOUT_POSITIONAL = frozenset({"save", "create", "update", "delete"})


@dataclass(frozen=True)
class Write:
    path: str  # relative to the project root, with forward slashes
    function: str  # "Class.method", "function", "outer.inner" or "<module>"
    line: int
    method: str


def is_services_module(path: Path) -> bool:
    return (
        path.name == "services.py"
        or path.name.endswith("_services.py")
        or "services" in path.parent.parts
    )


def is_exempt(path: Path) -> bool:
    return is_services_module(path) or "migrations" in path.parts


def _is_write(call: ast.Call) -> str | None:
    if not isinstance(call.func, ast.Attribute):
        return None
    method = call.func.attr
    if method in ALWAYS:
        return method
    if method in WITHOUT_POSITIONAL and not call.args:
        return method
    return None


def _is_dict_type(annotation: ast.expr | None) -> bool:
    if isinstance(annotation, ast.Subscript):
        annotation = annotation.value
    return isinstance(annotation, ast.Name) and annotation.id == "dict"


def _makes_dict(value: ast.expr | None, makers: set[str]) -> bool:
    if isinstance(value, ast.Dict | ast.DictComp):
        return True
    if isinstance(value, ast.Call):
        return isinstance(value.func, ast.Name) and value.func.id in {"dict", *makers}
    if isinstance(value, ast.IfExp):
        return _makes_dict(value.body, makers) or _makes_dict(value.orelse, makers)
    return False


def _dict_names(node: ast.AST, makers: set[str]) -> set[str]:
    """Names this function binds to a dict: a display, ``dict(...)``, a call of a function of
    the module annotated ``-> dict[...]`` (``makers``), or a ``dict`` annotation."""
    names: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Assign) and _makes_dict(child.value, makers):
            names.update(t.id for t in child.targets if isinstance(t, ast.Name))
        elif (
            isinstance(child, ast.AnnAssign)
            and isinstance(child.target, ast.Name)
            and (_is_dict_type(child.annotation) or _makes_dict(child.value, makers))
        ):
            names.add(child.target.id)
    return names


class _Finder(ast.NodeVisitor):
    def __init__(self, path: str, makers: set[str]) -> None:
        self.path = path
        self.makers = makers
        self.scope: list[str] = []
        self.dicts: list[set[str]] = [set()]
        self.found: list[Write] = []

    def _scoped(self, node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append(node.name)
        is_class = isinstance(node, ast.ClassDef)
        self.dicts.append(set() if is_class else _dict_names(node, self.makers))
        self.generic_visit(node)
        self.dicts.pop()
        self.scope.pop()

    visit_ClassDef = _scoped
    visit_FunctionDef = _scoped
    visit_AsyncFunctionDef = _scoped

    def visit_Call(self, node: ast.Call) -> None:
        method = _is_write(node)
        if (
            method == "update"
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in self.dicts[-1]
        ):
            method = None  # a dict's update
        if method is not None:
            function = ".".join(self.scope) or "<module>"
            self.found.append(Write(self.path, function, node.lineno, method))
        self.generic_visit(node)


def writes_in(source: str, path: str) -> list[Write]:
    """The ORM-style write calls in ``source`` (named ``path`` in the results)."""
    tree = ast.parse(source, filename=path)
    makers = {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and _is_dict_type(node.returns)
    }
    finder = _Finder(path, makers)
    finder.visit(tree)
    return finder.found


def _relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return path.as_posix()


def python_files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(path.rglob("*.py"))
        else:
            yield path


def read_allowed(text: str, name: str) -> tuple[dict[tuple[str, str], str], list[str]]:
    """``{(path, function): reason}`` from the allow-list, and its malformed lines."""
    allowed: dict[tuple[str, str], str] = {}
    problems = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 2)
        if len(parts) < 3 or len(parts[2].split()) < 3:
            problems.append(
                f"{name}:{number}: an entry is `path function reason`, and the "
                "reason says why in a few words"
            )
            continue
        key = (parts[0], parts[1])
        if key in allowed:
            problems.append(f"{name}:{number}: {parts[0]} {parts[1]} is listed twice")
        allowed[key] = parts[2]
    return allowed, problems


def check(paths: list[Path], allow_text: str, allow_name: str) -> list[str]:
    allowed, problems = read_allowed(allow_text, allow_name)
    used: set[tuple[str, str]] = set()
    looked_at: set[str] = set()
    for file in python_files(paths):
        if is_exempt(file):
            continue
        relative = _relative(file)
        looked_at.add(relative)
        for write in writes_in(file.read_text(encoding="utf-8"), relative):
            key = (write.path, write.function)
            if key in allowed:
                used.add(key)
                continue
            problems.append(
                f"{write.path}:{write.line}: .{write.method}( in {write.function} writes "
                "outside a services module: move the write into a service (actor=, "
                f"transaction, audit record) or allow-list it with a reason in {allow_name}"
            )
    for path, function in sorted(allowed.keys() - used):
        if path in looked_at or not (ROOT / path).exists():
            problems.append(
                f"{allow_name}: {path} {function} is allow-listed but makes no "
                "write any more (or moved): remove or update the entry"
            )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--allow", type=Path, default=ALLOW_FILE)
    parser.add_argument("paths", nargs="*", type=Path, default=[ROOT / "src"])
    options = parser.parse_args(argv)
    allow_text = options.allow.read_text(encoding="utf-8") if options.allow.exists() else ""
    problems = check(options.paths, allow_text, _relative(options.allow))
    for problem in problems:
        print(problem)
    if problems:
        print(f"lint_write_path: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
