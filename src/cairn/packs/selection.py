"""What goes into a pack: the victim's choice, resolved against a snapshot (pure).

A ``Selection`` names incidents and exhibits by id, or ``None`` for all of them. Resolving it
gives a ``VaultSnapshot`` cut down to what is disclosed, so that every later step (the
analysis, the charts, the PDF, the bag) sees nothing else: selective disclosure holds by
construction rather than by each step remembering to filter.

Rules:
- ``incident_ids=None`` means every incident; otherwise exactly those (unknown ids are an
  error naming how many were not found, never which).
- ``exhibit_ids=None`` means the exhibits that belong with the chosen incidents: with every
  incident, *every* exhibit of the vault (those linked to no incident and the original files
  imports came from included: "everything" is everything); with some incidents, those
  attached to them, each derived copy with its original and each original with its derived
  copies, plus ``also`` (exhibits the owner named on their own, or the original exports
  behind the chosen incidents when she asks for them). Otherwise exactly ``exhibit_ids``:
  an officer's pack carries exactly what the victim shares, and a copy shared without its
  original must not bring the original with it.
- ``redacted`` maps an original exhibit's id to a redacted copy made from it: the copy is
  carried in its place, and the original's file is left out.
- Persons are those linked to a chosen incident.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from cairn.vault.snapshot import ExhibitSnapshot, VaultSnapshot


class SelectionError(ValueError):
    """The selection names something the vault does not hold."""


@dataclass(frozen=True)
class Selection:
    incident_ids: frozenset[str] | None = None
    exhibit_ids: frozenset[str] | None = None
    redacted: Mapping[str, str] = field(default_factory=dict)  # original id -> copy id
    also: frozenset[str] = frozenset()  # with exhibit_ids=None: named on their own, added

    @classmethod
    def of(
        cls,
        incidents: Iterable[str] | None = None,
        exhibits: Iterable[str] | None = None,
        redacted: Mapping[str, str] | None = None,
        also: Iterable[str] = (),
    ) -> Selection:
        return cls(
            frozenset(map(str, incidents)) if incidents is not None else None,
            frozenset(map(str, exhibits)) if exhibits is not None else None,
            {str(k): str(v) for k, v in (redacted or {}).items()},
            frozenset(map(str, also)),
        )

    @property
    def everything(self) -> bool:
        return self.incident_ids is None and self.exhibit_ids is None


@dataclass(frozen=True)
class Substitution:
    """A redacted copy carried instead of its original."""

    original: ExhibitSnapshot
    copy: ExhibitSnapshot


@dataclass(frozen=True)
class Disclosed:
    """The snapshot cut down to the selection, and what the pack says about substitutions."""

    snapshot: VaultSnapshot
    substitutions: tuple[Substitution, ...]

    @property
    def exhibit_ids(self) -> frozenset[str]:
        return frozenset(e.id for e in self.snapshot.exhibits)


def resolve(snapshot: VaultSnapshot, selection: Selection) -> Disclosed:
    incidents_by_id = {i.id: i for i in snapshot.incidents}
    exhibits_by_id = {e.id: e for e in snapshot.exhibits}
    if selection.incident_ids is None:
        incidents = list(snapshot.incidents)
    else:
        unknown = selection.incident_ids - incidents_by_id.keys()
        if unknown:
            raise SelectionError(
                f"{len(unknown)} chosen incident(s) are not in this vault "
                "(deleted, or from another vault)"
            )
        incidents = [i for i in snapshot.incidents if i.id in selection.incident_ids]
    chosen_incidents = {i.id for i in incidents}
    unknown = ((selection.exhibit_ids or frozenset()) | selection.also) - exhibits_by_id.keys()
    if unknown:
        raise SelectionError(f"{len(unknown)} chosen exhibit(s) are not in this vault")
    if selection.everything:
        exhibit_ids = set(exhibits_by_id)
    elif selection.exhibit_ids is None:
        exhibit_ids = _with_relatives(
            snapshot, {e.id for e in snapshot.exhibits if e.incident_id in chosen_incidents}
        )
        exhibit_ids |= selection.also
    else:
        exhibit_ids = set(selection.exhibit_ids)

    substitutions: list[Substitution] = []
    for original_id, copy_id in sorted(selection.redacted.items()):
        original, copy = exhibits_by_id.get(original_id), exhibits_by_id.get(copy_id)
        if original is None or copy is None or copy.derived_from != original_id:
            raise SelectionError("a redacted copy does not match the exhibit it replaces")
        if original_id not in exhibit_ids:
            continue
        exhibit_ids.discard(original_id)
        exhibit_ids.add(copy_id)
        # The copy stands where the original stood: attached to the same incident.
        substitutions.append(
            Substitution(original, replace(copy, incident_id=original.incident_id))
        )
    copies = {s.copy.id: s.copy for s in substitutions}
    exhibits = tuple(copies.get(e.id, e) for e in snapshot.exhibits if e.id in exhibit_ids)
    kept = {e.id for e in exhibits}
    incidents = [
        replace(
            i,
            exhibit_ids=tuple(
                [x for x in i.exhibit_ids if x in kept]
                + [s.copy.id for s in substitutions if s.original.id in i.exhibit_ids]
            ),
        )
        for i in incidents
    ]
    person_ids = {p for i in incidents for p in i.person_ids}
    persons = tuple(p for p in snapshot.persons if p.id in person_ids)
    cut = replace(
        snapshot,
        incidents=tuple(incidents),
        persons=persons,
        exhibits=exhibits,
        deleted_incidents=0,
        extra={},
    )
    return Disclosed(cut, tuple(substitutions))


def _with_relatives(snapshot: VaultSnapshot, exhibit_ids: set[str]) -> set[str]:
    """``exhibit_ids`` with each derived copy's original and each original's derived copies,
    however far the chain goes (a copy of a copy)."""
    related: dict[str, set[str]] = {}
    for exhibit in snapshot.exhibits:
        if exhibit.derived_from is not None:
            related.setdefault(exhibit.id, set()).add(exhibit.derived_from)
            related.setdefault(exhibit.derived_from, set()).add(exhibit.id)
    found, todo = set(exhibit_ids), list(exhibit_ids)
    while todo:
        for other in related.get(todo.pop(), ()):
            if other not in found:
                found.add(other)
                todo.append(other)
    return found
