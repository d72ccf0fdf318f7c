"""``{% flags_in text as flagged %}``: the flags a text raises, as (label, words) pairs, for the
pages where the victim reads her incidents and imported messages; show them with
``{% include "flags/_flags_of.html" with flags=flagged %}``."""

from __future__ import annotations

from django import template

from cairn.flags.engine import flag_text, load_rules

register = template.Library()


@register.simple_tag
def flags_in(text: str | None) -> list[tuple[str, str]]:
    labels = load_rules().labels
    return [(labels[f.kind], f.words) for f in flag_text(text or "")]
