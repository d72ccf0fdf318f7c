"""Orders and terms in plain words, for the victim's pages and the order page.

The officer's pages and the prosecutor's pack use the catalogue's labels (``TermKind``); the
victim reads what the person the order is against must or must not do, without legal
shorthand. What the police did about a breach she reported is ``cairn.breaches.words``.
"""

from __future__ import annotations

from typing import Any

from cairn.orders.models import ApplicationStatusChange, TermKind
from cairn.orders.rules import order_type

TERM_WORDS = {
    TermKind.NO_CONTACT: "Must not contact you in any way",
    TermKind.NO_THIRD_PARTY_CONTACT: "Must not contact you through other people",
    TermKind.NO_ENTRY_PLACES: "Must not go to the places named in the order",
    TermKind.EXCLUSION_ZONE: "Must not go into the area marked in the order",
    TermKind.NOT_WITHIN_DISTANCE: "Must not come close to you",
    TermKind.NO_SOCIAL_MEDIA_REFERENCE: "Must not mention you on social media",
    TermKind.NO_IMAGES: "Must not take or share photos or videos of you",
    TermKind.NO_SURVEILLANCE: "Must not watch or track you, or your phone or computer",
    TermKind.NO_UNLOGGED_DEVICES: "Must not use phones or computers that hide what they "
    "were used for",
    TermKind.ATTEND_ASSESSMENT: "Must go to a mental health or treatment assessment",
    TermKind.ATTEND_PROGRAMME: "Must go to a course about their behaviour, drugs or alcohol",
    TermKind.SURRENDER_DEVICES: "Must hand their phones or computers to the police",
    TermKind.ACCOUNT_ACCESS: "Must let the police see their accounts and devices",
    TermKind.REPORT_TO_STATION: "Must report to a police station",
}


def term_words(term: Any) -> str:
    """One term of an order, for the victim: "Must not go to Park Road School"."""
    kind = term.kind
    text = TERM_WORDS.get(kind, str(kind))
    place = (term.place or "").strip()
    if kind == TermKind.NO_ENTRY_PLACES and place:
        text = f"Must not go to {place}"
    elif kind == TermKind.NOT_WITHIN_DISTANCE and term.radius_m:
        text = f"Must not come within {term.radius_m:,} metres of you"
    elif kind == TermKind.EXCLUSION_ZONE and term.radius_m and place:
        text = f"Must not go within {term.radius_m:,} metres of {place}"
    elif kind == TermKind.EXCLUSION_ZONE and place:
        text = f"Must not go into the area around {place} marked in the order"
    elif kind == TermKind.REPORT_TO_STATION and place:
        text = f"Must report to {place}"
    exception = (term.exception or "").strip()
    if exception:
        text += f", except: {exception}"
    details = (term.details or "").strip()
    return f"{text}. The order says: {details}" if details else f"{text}."


def term_label(term: Any) -> str:
    """The catalogue's label and the term's own details, for officers and the pack."""
    label = str(TermKind(term.kind).label) if term.kind in TermKind.values else term.kind
    parts = [label]
    if (term.place or "").strip():
        parts.append(f"place: {term.place.strip()}")
    if term.radius_m:
        parts.append(f"{term.radius_m:,} m")
    if (term.exception or "").strip():
        parts.append(f"except {term.exception.strip()}")
    text = "; ".join(parts)
    details = (term.details or "").strip()
    return f"{text}. {details}" if details else text


def order_title(order: Any) -> str:
    """ "Stalking Protection Order", "Interim Stalking Protection Order", "Bail conditions":
    the same words for every kind of order (``rules.ORDER_TYPES``)."""
    words = order_type(order.application.order_type).words
    return f"Interim {words}" if order.kind == "interim" else words


def order_words(order: Any) -> str:
    """ "Stalking Protection Order made on 5 January 2026", "Bail conditions set on ..."."""
    verb = "set" if order.application.order_type == "bail" else "made"
    return f"{order_title(order)} {verb} on {order.made_on.day} {order.made_on:%B %Y}"


# --- the s.9 notification, in a sentence (the order page and the breach pack) ------------


def day_words(value: Any) -> str:
    """ "3 March 2026", or nothing for no date."""
    return f"{value.day} {value:%B %Y}" if value is not None else ""


def _given(order: Any) -> str:
    if order.notified_on is not None:
        given = f"Given on {day_words(order.notified_on)}"
        if order.notification_due and order.notified_on > order.notification_due:
            given += f", after it was due on {day_words(order.notification_due)}"
        return given
    if order.notification_due is not None:
        return f"Due by {day_words(order.notification_due)}; not recorded as given"
    return "Due within 3 days of service; the order is not recorded as served"


def notification_facts(order: Any) -> str:
    """The s.9 notification of ``order`` in a sentence. A variation or renewal is not a new
    order: the duty continues from the order first made, whose notification is stated."""
    if order.replaces_id is not None:
        first = order
        while first.replaces_id is not None:
            first = first.replaces
        made = ApplicationStatusChange.objects.filter(order=order).first()
        step = {
            "varied": "varies",
            "interim_varied": "varies",
            "renewed": "renews",
            "interim_renewed": "renews",
        }.get(made.status if made else "", "varies or renews")
        return (
            f"No new notification: this order {step} the order made on "
            f"{day_words(first.made_on)}, and the duty under s.9 continues. For that order: "
            f"{notification_facts(first)}"
        )
    if not order.notification_required:
        return "Not required (a full order replacing an interim order, s.9(1)(a))"
    return _given(order)
