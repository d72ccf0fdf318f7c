"""Canonical JSON (RFC 8785, JCS) for everything Cairn hashes or signs.

Why: a hash or signature over JSON is only reproducible if everyone serialises the same value
to the same bytes. RFC 8785 fixes that: object members sorted by the UTF-16 code units of their
names, no insignificant whitespace, minimal string escaping, UTF-8 output, and numbers written
the way ECMAScript writes IEEE-754 doubles. Any JCS implementation in any language (and so an
independent verifier of an evidence pack) produces the same bytes.

The serialising is done by the ``rfc8785`` package, or for plain values (strings, safe
integers, flags, null, and lists and objects of them with ASCII keys: nearly everything
Cairn hashes) by ``orjson``, which writes the same bytes for them. This module first checks
the value itself, so that every unsupported input fails the same way
(:class:`CanonicalisationError`, naming where in the value the problem is) rather than with
whatever the library happens to raise (for example ``UnicodeEncodeError`` for a lone
surrogate in a key, or ``RecursionError`` for a cyclic list).

Allowed Python values:

- ``None``, ``True``, ``False`` (``null``, ``true``, ``false``);
- ``str`` without lone surrogates (``"\\ud800"`` cannot be UTF-8 encoded);
- ``int`` within JSON's exactly representable range, ``-(2**53 - 1)`` to ``2**53 - 1``
  inclusive (``rfc8785`` refuses larger magnitudes rather than rounding them; encode big
  numbers such as byte counts over 8 PiB as strings). ``bool`` and ``int`` subclasses such as
  ``IntEnum`` members are written as their plain values;
- finite ``float`` (``NaN`` and infinities are refused). ``-0.0`` is written ``0``; a
  float's shortest round-trip form is written in ECMAScript style (``1e+21``, ``1e-7``,
  ``0.000001``, ``100`` for ``100.0``). Floats are exact only as doubles, so prefer integers
  or strings in anything hashed;
- ``list`` and ``tuple`` (arrays), of allowed values;
- ``dict`` (including subclasses such as ``OrderedDict``) whose keys are all ``str``
  (``StrEnum`` keys are written as their value); insertion order does not matter.

Everything else is refused, among it ``bytes``, ``Decimal``, ``datetime``, ``set``, other
``Mapping`` types, non-string keys, cyclic structures, and nesting deeper than
:data:`MAX_DEPTH`. Convert such values explicitly (hex or base64 for bytes, ISO 8601 strings
for times) before canonicalising.
"""

from __future__ import annotations

import math
from typing import Any

import orjson
import rfc8785

__all__ = ["MAX_DEPTH", "MAX_SAFE_INTEGER", "CanonicalisationError", "canonical_json"]

MAX_SAFE_INTEGER = 2**53 - 1
"""Largest integer magnitude allowed (IEEE-754 doubles hold every integer up to this)."""

MAX_DEPTH = 64
"""Deepest nesting of arrays and objects allowed (ledger entries are nearly flat)."""


class CanonicalisationError(ValueError):
    """A value that cannot be written as RFC 8785 canonical JSON.

    ``path`` locates the offending part of the value in JSONPath-like form, e.g.
    ``$.exhibits[2].size`` (``$`` is the value itself).
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def _member_path(path: str, key: str) -> str:
    if key.isidentifier():
        return f"{path}.{key}"
    return f"{path}[{key!r}]"


def _check(value: object) -> None:
    """Walk ``value`` (without recursion) and raise on the first thing JCS cannot write."""
    # Each stack item carries its path, depth and the ids of the containers above it: a
    # container among its own ancestors is a cycle. (A list merely shared by two branches is
    # not a cycle and is fine.)
    stack: list[tuple[object, str, int, frozenset[int]]] = [(value, "$", 0, frozenset())]
    while stack:
        item, path, depth, ancestors = stack.pop()
        if item is None or isinstance(item, bool):
            continue
        if isinstance(item, int):
            if not -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER:
                raise CanonicalisationError(
                    path, f"integer {item} is outside ±(2**53 - 1); write it as a string"
                )
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                raise CanonicalisationError(path, f"{item!r} is not a finite number")
            continue
        if isinstance(item, str):
            _check_text(item, path)
            continue
        if isinstance(item, (list, tuple, dict)):
            if id(item) in ancestors:
                raise CanonicalisationError(path, "the value contains itself (a cycle)")
            if depth >= MAX_DEPTH:
                raise CanonicalisationError(path, f"nested deeper than {MAX_DEPTH} levels")
            inner = ancestors | {id(item)}
            if isinstance(item, dict):
                for key, member in item.items():
                    if not isinstance(key, str):
                        raise CanonicalisationError(
                            path, f"object key {key!r} is a {type(key).__name__}, not a str"
                        )
                    _check_text(key, f"{path} (key {key!r})")
                    stack.append((member, _member_path(path, key), depth + 1, inner))
            else:
                for position, element in enumerate(item):
                    stack.append((element, f"{path}[{position}]", depth + 1, inner))
            continue
        raise CanonicalisationError(
            path, f"a {type(item).__name__} has no canonical JSON form; convert it first"
        )


def _check_text(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise CanonicalisationError(
            path, "the string holds a lone surrogate, which is not valid Unicode text"
        ) from None


def _plain(value: object, depth: int) -> bool:  # noqa: PLR0911 (one return per JSON type, the fast path of RFC 8785)
    """True when a plain JSON encoder (orjson, or the standard library's, which write the same
    bytes for such values) already writes RFC 8785 for ``value``.

    That holds when the value is built only of ``dict`` (with ASCII keys, so code-point order
    is the UTF-16 order RFC 8785 sorts by), ``list``/``tuple``, ``str``, ``bool``, ``None``
    and ``int`` within the safe range: no floats (whose shortest round-trip form differs) and
    no subclasses (enums, custom mappings). Strings are escaped identically by both: the
    quote, the backslash, the short escapes for backspace, form feed, newline, carriage
    return and tab, and six-character lower-case escapes for the other control characters
    below U+0020; everything else is written as UTF-8. Anything else takes the strict path.
    """
    # Scalars inside a container are checked in its loop, not by a call each: content
    # hashed by the thousand (``cairn verify``) is mostly strings, numbers and flags.
    if depth > MAX_DEPTH:
        return False
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER  # type: ignore[operator]
    if kind is dict:
        for key in value:  # type: ignore[attr-defined]
            if type(key) is not str or not key.isascii():
                return False
        items = value.values()  # type: ignore[attr-defined]
    elif kind is list or kind is tuple:
        items = value
    else:
        return False
    if depth >= MAX_DEPTH:  # its items would be deeper than allowed
        return not value
    for item in items:
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int:
            if not -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER:
                return False
            continue
        if not _plain(item, depth + 1):
            return False
    return True


def canonical_json(value: Any) -> bytes:
    """Serialise ``value`` as RFC 8785 canonical JSON, UTF-8 encoded.

    Args:
        value: a JSON-like Python value; see the module docstring for exactly what is allowed.

    Returns:
        The canonical bytes: equal values (e.g. dicts with the same items in any order) always
        give identical bytes.

    Raises:
        CanonicalisationError: if the value, or anything inside it, is not allowed. The
            error's ``path`` says where.
    """
    if _plain(value, 0):
        # Fast path, same bytes: see ``_plain``. orjson writes plain values exactly as the
        # standard library's encoder does (compact, UTF-8, the same escapes), five times as
        # fast; tests/test_merkle.py holds both paths equal to rfc8785 on generated values.
        try:
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            pass  # a lone surrogate: the strict path below names where it is
    _check(value)
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, UnicodeError, RecursionError) as exc:
        # Not expected after _check; kept so that no library error escapes untranslated.
        raise CanonicalisationError("$", str(exc)) from exc
