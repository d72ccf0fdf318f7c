"""Anonymous accounts: which senders may be the same person as a suspect (pure).

The victim links senders to a person through identifiers (phone, e-mail, handle). This module
groups, per suspect, the accounts already linked, and points out *leads*: accounts she has not
linked that share identifier fragments with the suspect (``mark.ellis.photos`` and
``m.ellis_photos2``; the same last digits of a phone number) or that look like "account
hopping" (a new account starting soon after the suspect's went quiet, about the same things).

A lead is a reason to look, never proof: every lead carries the reasons that raised it, and
only the victim's confirmation links an account (through ``cairn.flags.services``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cairn.flags.engine import RuleSet, kinds_in, load_rules

HOP_WINDOW = timedelta(days=14)  # a new account within two weeks of the old one going quiet
MIN_STRENGTH = 2  # reasons needed before an account is shown as a lead
MIN_SHARED_WORDS = 3
PHONE_TAIL = 4
# Parts of handles and e-mail addresses too common to say anything about who is behind them.


def _word_list(text: str) -> frozenset[str]:
    return frozenset(text.split())


GENERIC_FRAGMENTS = _word_list("""
the real official its mr mrs miss ms uk gb xx xxx and gmail googlemail hotmail outlook yahoo
icloud live com net org co me my new backup private priv alt old account acc page fan insta ig
tiktok fb snap user official123 mail email info hello contact
""")
# Words too common in English messages to show a shared theme.
COMMON_WORDS = _word_list("""
about above after again against all also always am an and any anyone anything are around
as at away back be because been before being below best better between both but by came can
cant could day days did didnt do does doesnt doing done dont down each even ever every
everyone everything few for from get gets getting give go goes going gone good got had has
have having he her here hers him his how i if im in into is isnt it its ive just know last
let like little look made make many may me might more most much must my need never new next
no not nothing now of off oh ok okay on once one only or other our out over own please really
right said same say see seen she should since so some someone something still such sure take
tell than thank thanks that thats the their them then there these they thing things think
this those though time to today told tomorrow too two up us very want was way we well went
were what when where which while who why will with without wont would yeah yes yet you youd
youll your youre yours yourself ive hes shes theyre weve cant couldnt wouldnt shouldnt
wasnt werent hasnt havent hadnt message messages text call phone reply answer week night
morning tonight again back love miss sorry
""")
_SPLIT = re.compile(r"[^a-z0-9]+")
_RUNS = re.compile(r"[a-z]+|[0-9]+")
_WORD = re.compile(r"[a-z][a-z']{3,}")


@dataclass(frozen=True)
class Message:
    sent_at: datetime
    text: str


@dataclass(frozen=True)
class Account:
    """A sender in the vault: a person she recorded, or an unknown sender from an import."""

    key: str  # "person:<id>" or "candidate:<id>"
    name: str
    role: str  # "suspect", "witness" or "unknown" (an unconfirmed sender)
    identifiers: tuple[tuple[str, str], ...]  # (kind, normalised value)
    messages: tuple[Message, ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def person_id(self) -> str | None:
        return self.key.split(":", 1)[1] if self.key.startswith("person:") else None

    @property
    def first(self) -> datetime | None:
        return min((m.sent_at for m in self.messages), default=None)

    @property
    def last(self) -> datetime | None:
        return max((m.sent_at for m in self.messages), default=None)


@dataclass(frozen=True)
class Reason:
    kind: str  # "identifier" | "hopping"
    text: str
    strength: int


@dataclass(frozen=True)
class Lead:
    account: Account
    suspect: Account
    reasons: tuple[Reason, ...]

    @property
    def strength(self) -> int:
        return sum(r.strength for r in self.reasons)


@dataclass(frozen=True)
class Group:
    """A suspect and the accounts the victim has linked to them (sharing an identifier)."""

    suspect: Account
    linked: tuple[Account, ...]

    @property
    def message_count(self) -> int:
        return len(self.suspect.messages) + sum(len(a.messages) for a in self.linked)


def fragments(kind: str, value: str) -> list[str]:
    """The pieces of an identifier: words and digit runs of a handle or an e-mail's local
    part (the domain only when it is not a common provider)."""
    if kind == "phone":
        return []
    value = value.lower()
    if kind == "email" and "@" in value:
        local, _, domain = value.partition("@")
        value = local if domain.split(".")[0] in GENERIC_FRAGMENTS else f"{local} {domain}"
    pieces: list[str] = []
    for part in _SPLIT.split(value):
        pieces.extend(_RUNS.findall(part))
    return pieces


def _words_of_names(account: Account) -> set[str]:
    names = " ".join((account.name, *account.aliases)).lower()
    return {w for w in _SPLIT.split(names) if len(w) >= 3 and w not in GENERIC_FRAGMENTS}


def _compact(kind: str, value: str) -> str:
    return "".join(fragments(kind, value))


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def identifier_reasons(suspect: Account, account: Account) -> list[Reason]:
    """What the account's identifiers share with the suspect's identifiers and name."""
    reasons: list[Reason] = []
    theirs = [(k, v) for k, v in suspect.identifiers]
    ours = [(k, v) for k, v in account.identifiers]
    if account.name and account.name.lower() not in {v for _, v in ours}:
        ours.append(("name", account.name))  # a chat export may give only a name
    their_words = {
        f
        for k, v in theirs
        for f in fragments(k, v)
        if f.isalpha() and len(f) >= 3 and f not in GENERIC_FRAGMENTS
    }
    their_numbers = {f for k, v in theirs for f in fragments(k, v) if f.isdigit() and len(f) >= 2}
    their_compact = [_compact(k, v) for k, v in theirs if k != "phone"]
    names = _words_of_names(suspect)
    shown: set[str] = set()
    for kind, value in ours:
        pieces = fragments(kind, value)
        for n, piece in enumerate(pieces):
            if piece in shown:
                continue
            if piece.isalpha() and len(piece) >= 3 and piece not in GENERIC_FRAGMENTS:
                where = None
                if piece in their_words:
                    where = "do their known accounts"
                elif piece in names:
                    where = f"does the name {suspect.name}"
                elif len(piece) >= 4 and any(piece in c for c in their_compact):
                    where = "do their known accounts"
                if where:
                    shown.add(piece)
                    reasons.append(
                        Reason("identifier", f"'{value}' contains '{piece}', as does {where}", 1)
                    )
            elif piece.isdigit() and len(piece) >= 2 and piece in their_numbers:
                shown.add(piece)
                reasons.append(
                    Reason(
                        "identifier",
                        f"'{value}' and their known accounts both use the number {piece}",
                        1,
                    )
                )
            elif len(piece) == 1 and piece.isalpha() and n + 1 < len(pieces):
                surname = pieces[n + 1]
                first = [w for w in names if w.startswith(piece) and w != surname]
                if surname in names and first and f"{piece}.{surname}" not in shown:
                    shown.add(f"{piece}.{surname}")
                    reasons.append(
                        Reason(
                            "identifier",
                            f"'{value}' reads like the initial and surname of {suspect.name}",
                            1,
                        )
                    )
        if kind == "phone":
            mine = _digits(value)
            for their_kind, their_value in theirs:
                other = _digits(their_value)
                if their_kind != "phone" or other == mine:
                    continue
                tail = 0
                while tail < min(len(mine), len(other)) and mine[-1 - tail] == other[-1 - tail]:
                    tail += 1
                if tail >= PHONE_TAIL:
                    reasons.append(
                        Reason(
                            "identifier",
                            f"'{value}' ends in the same {tail} digits as {their_value}",
                            1 if tail < 6 else 2,
                        )
                    )
    return reasons


def _vocabulary(account: Account) -> set[str]:
    words: set[str] = set()
    for message in account.messages:
        words.update(w.replace("'", "") for w in _WORD.findall(message.text.lower()))
    return {w for w in words if w not in COMMON_WORDS}


class _Themes:
    """Each account's unusual words and flag kinds, worked out once per account."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self._words: dict[str, set[str]] = {}
        self._flags: dict[str, set[str]] = {}

    def words(self, account: Account) -> set[str]:
        if account.key not in self._words:
            self._words[account.key] = _vocabulary(account)
        return self._words[account.key]

    def flags(self, account: Account) -> set[str]:
        if account.key not in self._flags:
            self._flags[account.key] = set().union(
                *(kinds_in(m.text, self.rules) for m in account.messages)
            )
        return self._flags[account.key]


def hopping_reasons(
    suspect: Account,
    account: Account,
    *,
    frequency: Counter[str],
    rules: RuleSet,
    themes: _Themes | None = None,
) -> list[Reason]:
    """A hand-over in time from one account to the other, about the same things."""
    themes = themes or _Themes(rules)
    if not suspect.messages or not account.messages:
        return []
    s_first, s_last = suspect.first, suspect.last
    a_first, a_last = account.first, account.last
    assert s_first and s_last and a_first and a_last  # both have messages
    if s_last <= a_first <= s_last + HOP_WINDOW:
        gap, older = a_first - s_last, suspect.name
        when = (
            f"It started messaging {_days(gap)} after the last message from {older}'s "
            "known accounts"
        )
    elif a_last <= s_first <= a_last + HOP_WINDOW:
        gap = s_first - a_last
        when = (
            f"It went quiet {_days(gap)} before {suspect.name}'s known accounts started messaging"
        )
    else:
        return []
    shared = sorted(w for w in themes.words(suspect) & themes.words(account) if frequency[w] <= 2)
    shared_flags = sorted(themes.flags(suspect) & themes.flags(account))
    if len(shared) < MIN_SHARED_WORDS and not (shared_flags and shared):
        return []
    about = []
    if shared:
        about.append(
            "both use words no other sender in your log uses: "
            + ", ".join(f"'{w}'" for w in shared[:6])
        )
    if shared_flags:
        labels = rules.labels
        about.append(
            "both have messages flagged for: " + ", ".join(labels[k].lower() for k in shared_flags)
        )
    return [Reason("hopping", f"{when}; " + "; ".join(about) + ".", 2)]


def _days(gap: timedelta) -> str:
    days = gap.days
    if days < 1:
        return "less than a day"
    return f"{days} day{'s' if days != 1 else ''}"


def _linked(suspect: Account, account: Account) -> bool:
    """The victim linked them: a shared identifier, or the account's name kept as an alias."""
    aliases = {a.casefold() for a in suspect.aliases}
    return bool(set(suspect.identifiers) & set(account.identifiers)) or (
        account.role == "unknown" and account.name.casefold() in aliases
    )


def find_leads(
    accounts: Sequence[Account], rules: RuleSet | None = None
) -> tuple[tuple[Group, ...], tuple[Lead, ...]]:
    """Group each suspect with the accounts already linked to them, and list the leads.

    An account is linked when it shares an identifier with the suspect. Witnesses are never
    offered as leads. Leads come strongest first; each account is offered to each suspect at
    most once."""
    rules = rules or load_rules()
    suspects = [a for a in accounts if a.role == "suspect"]
    groups: list[Group] = []
    pooled: dict[str, Account] = {}
    for suspect in suspects:
        linked = tuple(
            a
            for a in accounts
            if a.key != suspect.key and a.role == "unknown" and _linked(suspect, a)
        )
        groups.append(Group(suspect, linked))
        pooled[suspect.key] = Account(  # the suspect with every account linked to them
            key=f"{suspect.key}+linked",
            name=suspect.name,
            role="suspect",
            aliases=suspect.aliases,
            identifiers=tuple(sorted({i for a in (suspect, *linked) for i in a.identifiers})),
            messages=tuple(
                sorted((m for a in (suspect, *linked) for m in a.messages), key=lambda m: m.sent_at)
            ),
        )
    themes = _Themes(rules)
    frequency: Counter[str] = Counter()
    for account in accounts:
        frequency.update(themes.words(account))
    grouped = {a.key for g in groups for a in g.linked}
    leads: list[Lead] = []
    for suspect in suspects:
        known = pooled[suspect.key]
        for account in accounts:
            if (
                account.key == suspect.key
                or account.role == "witness"
                or account.key in grouped
                or _linked(known, account)
            ):
                continue
            reasons = identifier_reasons(known, account) + hopping_reasons(
                known, account, frequency=frequency, rules=rules, themes=themes
            )
            lead = Lead(account, suspect, tuple(reasons))
            if lead.strength >= MIN_STRENGTH:
                leads.append(lead)
    leads.sort(key=lambda lead: (-lead.strength, lead.suspect.name, lead.account.key))
    return tuple(groups), tuple(leads)


def lead_for(leads: Iterable[Lead], suspect_key: str, account_key: str) -> Lead | None:
    return next(
        (
            lead
            for lead in leads
            if lead.suspect.key == suspect_key and lead.account.key == account_key
        ),
        None,
    )
