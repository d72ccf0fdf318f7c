"""Acts associated with stalking (Protection from Harassment Act 1997, s.2A(3)): per act, the
incidents that show it."""

from __future__ import annotations

from dataclasses import dataclass

from cairn.analysis.base import Finding, Index, plural
from cairn.law.pha1997 import ACTS, SOURCE_S2A_3


@dataclass(frozen=True)
class ActEvidence:
    code: str
    label: str  # the statute's words
    plain: str  # the victim's words
    incident_ids: tuple[str, ...]
    finding: Finding


def acts_shown(index: Index) -> tuple[ActEvidence, ...]:
    by_code: dict[str, list[str]] = {act.code: [] for act in ACTS}
    for incident in index.incidents:
        for code in incident.acts:
            if code in by_code:
                by_code[code].append(incident.id)
    found = []
    for act in ACTS:
        ids = tuple(by_code[act.code])
        if not ids:
            continue
        where = f"s.2A(3)({act.code})" if act.code != "other" else "another act"
        found.append(
            ActEvidence(
                code=act.code,
                label=act.label,
                plain=act.plain,
                incident_ids=ids,
                finding=index.find(
                    f"{act.plain} ({where}): {plural(len(ids), 'incident')}.", ids, SOURCE_S2A_3
                ),
            )
        )
    return tuple(found)
