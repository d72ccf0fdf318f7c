"""Who each analysis is about (DESIGN.md invariant 8: one person, one analysis).

A subject is one suspect, or the suspects the victim said are the same person or acting
together (Protection from Harassment Act 1997, s.7(3A)): those are joined, and nobody else.
The incidents linked to no suspect are a subject of their own, shown apart and never counted
against anyone. ``narrowed`` cuts a snapshot down to one subject's incidents. Pure: no Django.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from cairn.vault.snapshot import VaultSnapshot

SAME_PERSON = "same_person"
ACTING_TOGETHER = "acting_together"
NOBODY = "none"


@dataclass(frozen=True)
class Subject:
    key: str  # the first person's id, or NOBODY
    person_ids: tuple[str, ...]  # () for the incidents with nobody named
    names: tuple[str, ...]
    same_person: bool  # the victim said some of them are the same person
    acting_together: bool  # ...or acting together (s.7(3A))
    incident_ids: tuple[str, ...]

    @property
    def name(self) -> str:
        return " and ".join(self.names) if self.names else "Nobody named"

    @property
    def combined(self) -> bool:
        return len(self.person_ids) > 1

    def combined_words(self, *, victim: bool) -> str:
        """Why several people share one analysis, in the reader's voice ("" for one)."""
        if not self.combined:
            return ""
        how = " and ".join(
            words
            for flag, words in (
                (self.same_person, "the same person"),
                (self.acting_together, "acting together"),
            )
            if flag
        )
        said = "You said" if victim else "The victim said"
        return (
            f"{said} that {self.name} are {how}, so they are analysed together "
            "(Protection from Harassment Act 1997, s.7(3A))."
        )


def _groups(snapshot: VaultSnapshot) -> list[list[str]]:
    """The suspects joined by the victim's links (union-find), in the snapshot's order."""
    suspects = [p.id for p in snapshot.suspects()]
    parent = {p: p for p in suspects}

    def root(p: str) -> str:
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    for person in snapshot.suspects():
        other = person.combined_with
        if other in parent and person.combined_as in (SAME_PERSON, ACTING_TOGETHER):
            parent[root(person.id)] = root(other)
    found: dict[str, list[str]] = {}
    for p in suspects:
        found.setdefault(root(p), []).append(p)
    return list(found.values())


def subjects(snapshot: VaultSnapshot) -> tuple[Subject, ...]:
    """One subject per person or combined group with at least one incident, most incidents
    first (then the earliest first incident), and last the incidents with nobody named."""
    order = {
        i.id: n
        for n, i in enumerate(sorted(snapshot.incidents, key=lambda i: (i.start, i.number, i.id)))
    }
    found = []
    attributed: set[str] = set()
    for group in _groups(snapshot):
        members = set(group)
        ids = tuple(
            sorted(
                (i.id for i in snapshot.incidents if members & set(i.person_ids)),
                key=order.__getitem__,
            )
        )
        if not ids:
            continue
        attributed.update(ids)
        people = [p for p in map(snapshot.person, group) if p is not None]
        found.append(
            Subject(
                key=group[0],
                person_ids=tuple(group),
                names=tuple(p.name for p in people),
                same_person=any(p.combined_as == SAME_PERSON and p.combined_with for p in people),
                acting_together=any(
                    p.combined_as == ACTING_TOGETHER and p.combined_with for p in people
                ),
                incident_ids=ids,
            )
        )
    found.sort(key=lambda s: (-len(s.incident_ids), order[s.incident_ids[0]], s.key))
    rest = tuple(
        sorted((i.id for i in snapshot.incidents if i.id not in attributed), key=order.__getitem__)
    )
    if rest:
        found.append(Subject(NOBODY, (), (), False, False, rest))
    return tuple(found)


def narrowed(snapshot: VaultSnapshot, subject: Subject) -> VaultSnapshot:
    """The snapshot with only the subject's incidents (its exhibits and persons kept, so the
    analysis can name them)."""
    keep = set(subject.incident_ids)
    return dataclasses.replace(
        snapshot, incidents=tuple(i for i in snapshot.incidents if i.id in keep)
    )
