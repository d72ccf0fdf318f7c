"""Which imported items to propose as incidents, and how (docs/import-rules.md).

Pure: plain dataclasses in, plain dataclasses out, no Django and no database, so the rules
get direct tests and give the same proposals for the same items. The victim reviews every
proposal; nothing here logs anything (issue 4, "Nothing becomes an incident without that
step").

Rules, each named by the code stored on the proposal:

- ``contact-day``: the messages of one sender who is a suspect, or an unknown sender not yet
  confirmed or dismissed, on one local day on one channel, become one proposal of act ``b``
  ("contacting, or attempting to contact, a person by any means", PHA 1997 s.2A(3)(b)).
  The victim's own messages, system lines, witnesses and dismissed senders propose nothing.
- ``media-damage``: a photo or video whose name or metadata mentions damage (smashed,
  scratched, keyed, slashed tyres...) becomes a proposal of act ``f`` ("interfering with any
  property in the possession of a person", s.2A(3)(f)), at its capture time.
- ``diary-row``: each dated row of a spreadsheet diary is the victim's own account of an
  incident, so it becomes a proposal; acts are suggested only from clear words in it
  (followed: ``a``; waiting or hanging around outside: ``e``; watching: ``g``; damage: ``f``).

Items without a time propose nothing (an incident needs a day): they stay in the import.
"""

from __future__ import annotations

import re
from array import array
from bisect import insort
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cairn.web.timeframe import from_local

CONTACT_DAY = "contact-day"
MEDIA_DAMAGE = "media-damage"
DIARY_ROW = "diary-row"

# How much of the messages is copied into a proposal's description.
DESCRIPTION_MESSAGES = 40
DESCRIPTION_CHARS = 6000

_DAMAGE = re.compile(
    r"\b(damage[ds]?|damaging|smash(?:ed)?|broken|broke|scratch(?:ed|es)?|keyed|slash(?:ed)?|"
    r"graffiti|vandal\w*|dent(?:ed)?|punctur\w*|tyres?|tires?|smashed)\b",
    re.IGNORECASE,
)
_FOLLOWED = re.compile(r"\bfollow(?:ed|ing)\b", re.IGNORECASE)
_LOITERING = re.compile(
    r"\b(outside (?:my|the) (?:house|home|flat|work|office|school)|"
    r"waiting (?:for me|outside)|hanging around|loiter\w*)\b",
    re.IGNORECASE,
)
_WATCHING = re.compile(r"\b(watch(?:ed|ing)|spy(?:ing)?|spied|staring)\b", re.IGNORECASE)


@dataclass(frozen=True)
class SenderView:
    """Who sent an item, as the rules need it: a stable key and what the vault knows."""

    key: str  # the same for every item from this sender in the batch
    name: str
    person_id: str | None = None
    person_role: str | None = None  # "suspect" | "witness" when linked to a person
    candidate_id: str | None = None
    candidate_status: str | None = None  # "pending" | "confirmed" | "dismissed"


@dataclass(frozen=True)
class ItemView:
    index: int  # position in the batch
    kind: str  # "message" | "media" | "diary"
    when: datetime | None  # aware: sent_at, captured_at or the diary row's start
    channel: str
    text: str = ""
    sender: SenderView | None = None
    is_owner: bool = False
    is_system: bool = False
    attachment_count: int = 0
    name: str = ""  # a media file's name
    hints: str = ""  # other metadata words (camera, caption)
    when_words: str = ""  # a diary row's own words for when
    end: datetime | None = None  # a diary row's interval, when it gives one
    precision: str = ""  # a diary row's precision, when the parser settled it
    warning: str = ""  # what the parser saw that the reader must know (an e-mail's spoof)


@dataclass(frozen=True)
class Proposal:
    rule: str
    day: date
    channel: str
    start: datetime
    end: datetime | None
    precision: str  # "exact" | "day"
    acts: tuple[str, ...]
    description: str
    item_indexes: tuple[int, ...]
    person_id: str | None = None
    candidate_id: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def proposes_contact(sender: SenderView | None) -> bool:
    """A suspect, or an unknown sender the victim has not yet confirmed or dismissed."""
    if sender is None:
        return False
    if sender.person_id is not None:
        return sender.person_role == "suspect"
    return sender.candidate_id is not None and sender.candidate_status == "pending"


def build_proposals(items: Iterable[ItemView], tz: ZoneInfo) -> list[Proposal]:
    """Every proposal the rules make for these items, in time order."""
    builder = ProposalBuilder(tz)
    for item in items:
        builder.add(item)
    return builder.proposals()


class ProposalBuilder:
    """``build_proposals`` fed one item at a time, so an import need not hold every item: a
    contact day keeps every message's time and index but the text of only the first
    ``DESCRIPTION_MESSAGES`` (in time order), which are all its description shows."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self.contact: dict[tuple[str, date, str], _ContactDay] = {}
        self.senders: dict[str, SenderView] = {}
        self.others: list[Proposal] = []

    def add(self, item: ItemView) -> None:
        if item.when is None or item.is_system:
            return
        if item.kind == "message":
            if item.is_owner or not proposes_contact(item.sender):
                return
            assert item.sender is not None
            day = item.when.astimezone(self.tz).date()
            key = (item.sender.key, day, item.channel)
            group = self.contact.get(key)
            if group is None:
                group = self.contact[key] = _ContactDay(self.tz)
            group.add(item)
            self.senders[item.sender.key] = item.sender
        elif item.kind == "media":
            proposal = _media_proposal(item, self.tz)
            if proposal is not None:
                self.others.append(proposal)
        elif item.kind == "diary":
            self.others.append(_diary_proposal(item, self.tz))

    def proposals(self) -> list[Proposal]:
        proposals = list(self.others)
        for (sender_key, day, channel), group in self.contact.items():
            proposals.append(
                _contact_proposal(self.senders[sender_key], day, channel, group, self.tz)
            )
        proposals.sort(key=lambda p: (p.start, p.rule, p.item_indexes))
        return proposals


class _ContactDay:
    """One sender's messages on one day: the time and index of each (16 bytes), the first
    and the last, and the description lines of the first ``DESCRIPTION_MESSAGES`` in time
    order, which are all a description shows."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self.order = array("q")  # microseconds since the epoch, index; and so on
        self.first: tuple[datetime, int] | None = None
        self.last: tuple[datetime, int] | None = None
        self.shown: list[tuple[int, int, str]] = []

    def add(self, item: ItemView) -> None:
        when = item.when
        assert when is not None
        key = (when, item.index)
        if self.first is None or key < self.first:
            self.first = key
        if self.last is None or key > self.last:
            self.last = key
        micro = (when - _EPOCH) // _MICROSECOND
        self.order.extend((micro, item.index))
        shown = self.shown
        if len(shown) < DESCRIPTION_MESSAGES or (micro, item.index) < shown[-1][:2]:
            insort(shown, (micro, item.index, _message_line(item, self.tz)))
            del shown[DESCRIPTION_MESSAGES:]

    def indexes(self) -> tuple[int, ...]:
        """Every index, in (time, index) order."""
        order = self.order
        pairs = sorted(zip(order[::2], order[1::2], strict=True))
        return tuple(index for _, index in pairs)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _contact_proposal(
    sender: SenderView, day: date, channel: str, group: _ContactDay, tz: ZoneInfo
) -> Proposal:
    assert group.first is not None and group.last is not None
    first, last = group.first[0], group.last[0]
    acts = ("b",)
    count = len(group.order) // 2
    plural = "message" if count == 1 else "messages"
    span = (
        f"at {first.astimezone(tz):%H:%M}"
        if first == last
        else f"between {first.astimezone(tz):%H:%M} and {last.astimezone(tz):%H:%M}"
    )
    lines = [f"{count} {plural} from {sender.name or 'an unknown sender'} {span} (imported).", ""]
    lines.extend(line for _, _, line in group.shown)
    return Proposal(
        rule=CONTACT_DAY,
        day=day,
        channel=channel,
        start=first,
        end=last if last != first else None,
        precision="exact",
        acts=acts,
        description=_clip(lines, count),
        item_indexes=group.indexes(),
        person_id=sender.person_id,
        candidate_id=sender.candidate_id if not sender.person_id else None,
    )


def _message_line(item: ItemView, tz: ZoneInfo) -> str:
    assert item.when is not None
    text = " ".join(item.text.split()) or "(no text)"
    if item.attachment_count:
        plural = "s" if item.attachment_count > 1 else ""
        text += f" [{item.attachment_count} attachment{plural}]"
    if item.warning:
        text += f" [{item.warning}]"
    return f"{item.when.astimezone(tz):%H:%M} {text}"


def _clip(lines: list[str], count: int) -> str:
    text = "\n".join(lines)
    shown = min(count, DESCRIPTION_MESSAGES)
    if len(text) > DESCRIPTION_CHARS:
        text = text[:DESCRIPTION_CHARS].rsplit("\n", 1)[0]
        shown = text.count("\n") - 1
    if shown < count:
        text += f"\n... and {count - shown} more in the import."
    return text


def _media_proposal(item: ItemView, tz: ZoneInfo) -> Proposal | None:
    words = f"{item.name} {item.text} {item.hints}".replace("_", " ").replace("-", " ")
    if not _DAMAGE.search(words):
        return None
    assert item.when is not None
    local = item.when.astimezone(tz)
    return Proposal(
        rule=MEDIA_DAMAGE,
        day=local.date(),
        channel="property",
        start=item.when,
        end=None,
        precision="exact",
        acts=("f",),
        description=f"A photo or video taken at {local:%H:%M} that may show damage to my "
        "things (imported; check and describe what it shows).",
        item_indexes=(item.index,),
    )


def diary_acts(text: str) -> tuple[str, ...]:
    acts = set()
    if _FOLLOWED.search(text):
        acts.add("a")
    if _LOITERING.search(text):
        acts.add("e")
    if _DAMAGE.search(text):
        acts.add("f")
    if _WATCHING.search(text):
        acts.add("g")
    return tuple(sorted(acts))


def _diary_proposal(item: ItemView, tz: ZoneInfo) -> Proposal:
    """A diary row keeps the interval and precision its parser settled; failing that, a row
    at midnight exactly is taken as a date without a time: the whole day."""
    assert item.when is not None
    local = item.when.astimezone(tz)
    start, end, precision = item.when, item.end, item.precision
    if precision in ("", "unknown"):
        precision = "exact"
        if local.time() == time(0, 0) and end is None:
            start, end, made = from_local(local.date(), None, tz)
            precision = made.value
    return Proposal(
        rule=DIARY_ROW,
        day=local.date(),
        channel=item.channel,
        start=start,
        end=end,
        precision=precision,
        acts=diary_acts(item.text),
        description=item.text.strip() or "(no description in the diary)",
        item_indexes=(item.index,),
        extra={"when_words": item.when_words},
    )
