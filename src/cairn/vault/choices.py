"""Fixed vocabularies of the vault, in the words victims and officers use."""

from __future__ import annotations

from django.db import models

from cairn.web.timeframe import PRECISION_LABELS, Precision


class Channel(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE_CALL = "phone_call", "Phone call"
    TEXT_MESSAGE = "text_message", "Text message"
    MESSAGING_APP = "messaging_app", "Messaging app"
    SOCIAL_MEDIA = "social_media", "Social media"
    EMAIL = "email", "E-mail"
    LETTER_OR_GIFT = "letter_or_gift", "Letter or gift"
    THIRD_PARTY = "third_party", "Through someone else"
    PROPERTY = "property", "My home, car or belongings"
    OTHER_ONLINE = "other_online", "Other online"


PrecisionChoices = models.TextChoices(  # type: ignore[misc]
    "PrecisionChoices", [(p.name, (p.value, PRECISION_LABELS[p])) for p in Precision]
)


class PersonRole(models.TextChoices):
    SUSPECT = "suspect", "The person doing this"
    WITNESS = "witness", "Witness"


class CombinedAs(models.TextChoices):
    """How the victim says two people of her log belong together (PHA 1997 s.7(3A))."""

    SAME_PERSON = "same_person", "The same person"
    ACTING_TOGETHER = "acting_together", "Acting together"


class Relationship(models.TextChoices):
    EX_PARTNER = "ex_partner", "Ex-partner"
    EX_COLLEAGUE = "ex_colleague", "Ex-colleague"
    COLLEAGUE = "colleague", "Colleague"
    ACQUAINTANCE = "acquaintance", "Acquaintance"
    NEIGHBOUR = "neighbour", "Neighbour"
    STRANGER = "stranger", "Stranger"
    UNKNOWN = "unknown", "Not known"


class IdentifierKind(models.TextChoices):
    PHONE = "phone", "Phone number"
    EMAIL = "email", "E-mail address"
    HANDLE = "handle", "Social media handle"
    VEHICLE = "vehicle", "Vehicle registration"


class ExhibitSource(models.TextChoices):
    UPLOAD = "upload", "Uploaded on the website"
    CLI = "cli", "Added from the command line"
    IMPORT = "import", "Imported from an export file"
    DEMO = "demo", "Demo data"
    REDACTED = "redacted", "Redacted copy made in Cairn"
