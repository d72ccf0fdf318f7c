"""``{% flags_in text as flagged %}``: the flags a text raises, as (label, words, how) triples
(how: the sorts of wording, "veiled: ..." for threats), for the
pages where the victim reads her incidents and imported messages; show them with
``{% include "flags/_flags_of.html" with flags=flagged %}``."""

from __future__ import annotations

from django import template

from cairn.flags.engine import flag_text, load_rules
from cairn.flags.reading import flag_tag

register = template.Library()


@register.simple_tag
def flags_in(text: str | None) -> list[tuple[str, str, str]]:
    rules = load_rules()
    return [flag_tag(f, rules) for f in flag_text(text or "", rules)]


@register.simple_tag
def flag_labels_in(text: str | None) -> list[str]:
    """The labels of the kinds of flag a text raises, once each (for tags in a list)."""
    rules = load_rules()
    kinds = {f.kind for f in flag_text(text or "", rules)}
    return [k.label for k in rules.kinds if k.key in kinds]
