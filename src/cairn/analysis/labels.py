"""Display words for the vault's vocabularies, kept here so the analysis stays pure (no
Django). A test checks they match ``cairn.vault.choices``."""

from __future__ import annotations

CHANNEL_LABELS: dict[str, str] = {
    "in_person": "In person",
    "phone_call": "Phone call",
    "text_message": "Text message",
    "messaging_app": "Messaging app",
    "social_media": "Social media",
    "email": "E-mail",
    "letter_or_gift": "Letter or gift",
    "third_party": "Through someone else",
    "property": "My home, car or belongings",
    "other_online": "Other online",
}
ONLINE_CHANNELS = frozenset(
    {"phone_call", "text_message", "messaging_app", "social_media", "email", "other_online"}
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def channel_label(value: str) -> str:
    return CHANNEL_LABELS.get(value, value.replace("_", " ").capitalize())
