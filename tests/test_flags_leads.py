"""Account leads on built timelines where the answer is known (issue 9, point 3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cairn.flags.leads import Account, Message, find_leads, fragments, identifier_reasons

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def messages(start_day: int, texts: list[str], every: int = 1) -> tuple[Message, ...]:
    return tuple(
        Message(T0 + timedelta(days=start_day + n * every), text) for n, text in enumerate(texts)
    )


MARK = Account(
    "person:mark",
    "Mark Ellis",
    "suspect",
    (("handle", "mark.ellis.photos"), ("phone", "+447700900123")),
)
FRIEND = Account(
    "person:jen",
    "Jen Price",
    "witness",
    (("phone", "+447700900456"),),
    messages(
        0,
        ["Are we still on for the quiz on Thursday?", "Bring the spare tickets for the match"],
        every=10,
    ),
)


def test_identifier_fragments_are_split_into_words_and_numbers():
    assert fragments("handle", "m.ellis_photos2") == ["m", "ellis", "photos", "2"]
    assert fragments("email", "MarkEllis84@gmail.com") == ["markellis", "84"]
    assert fragments("email", "kim@ellis-photography.co.uk")[:2] == ["kim", "ellis"]
    assert fragments("phone", "+447700900123") == []


def test_a_handle_sharing_name_and_words_with_a_suspect_is_a_lead_with_its_reasons():
    burner = Account("candidate:1", "m.ellis_photos2", "unknown", (("handle", "m.ellis_photos2"),))
    groups, leads = find_leads([MARK, burner, FRIEND])
    (lead,) = leads
    assert lead.account is burner and lead.suspect is MARK
    texts = " | ".join(r.text for r in lead.reasons)
    assert "'ellis'" in texts and "'photos'" in texts and "initial and surname" in texts
    assert all(r.kind == "identifier" for r in lead.reasons)
    assert groups[0].suspect is MARK and groups[0].linked == ()


def test_the_same_last_digits_of_a_phone_number_count_once_and_six_count_twice():
    four = Account("candidate:4", "Unknown", "unknown", (("phone", "+447911110123"),))
    six = Account("candidate:6", "Unknown", "unknown", (("phone", "+447800900123"),))
    assert [r.strength for r in identifier_reasons(MARK, four)] == [1]
    assert [r.strength for r in identifier_reasons(MARK, six)] == [2]
    _, leads = find_leads([MARK, four, six])
    assert [lead.account for lead in leads] == [six]  # one shared tail of 4 is not enough


def test_no_lead_between_unrelated_accounts():
    strangers = [
        Account("candidate:a", "Sarah Jones", "unknown", (("handle", "sarah.jones"),)),
        Account("candidate:b", "photos_by_kim", "unknown", (("handle", "photos_by_kim"),)),
        Account("candidate:c", "Dentist", "unknown", (("phone", "+442079460000"),)),
        Account("candidate:d", "the.real.official", "unknown", (("handle", "the.real.official"),)),
    ]
    assert find_leads([MARK, FRIEND, *strangers])[1] == ()


def test_an_account_sharing_an_identifier_is_grouped_not_offered():
    known = Account(
        "candidate:k",
        "Mark",
        "unknown",
        (("phone", "+447700900123"),),
        messages(0, ["Why did you block me"]),
    )
    groups, leads = find_leads([MARK, known])
    assert groups[0].linked == (known,)
    assert groups[0].message_count == 1
    assert leads == ()


THEMES = [
    "You ungrateful cow, after everything at the allotment",
    "Remember the allotment? I built that greenhouse for you",
    "Ungrateful. I'll smash your face in",
    "That greenhouse cost me eight hundred quid",
]
NEW_THEMES = [
    "Bet you miss the greenhouse and the allotment",
    "Still ungrateful I see",
    "I will smash your face in one day",
]


def test_account_hopping_a_new_account_soon_after_the_old_went_quiet_on_the_same_themes():
    old = Account(
        "person:mark",
        "Mark Ellis",
        "suspect",
        (("phone", "+447700900123"),),
        messages(0, THEMES, every=2),
    )  # days 0..6
    new = Account(
        "candidate:n", "Anonymous", "unknown", (("handle", "xq_77"),), messages(10, NEW_THEMES)
    )  # from day 10
    _, leads = find_leads([old, new, FRIEND])
    (lead,) = leads
    (reason,) = lead.reasons
    assert reason.kind == "hopping"
    assert "4 days after" in reason.text
    assert "'allotment'" in reason.text and "'greenhouse'" in reason.text
    assert "threat of violence" in reason.text


def test_no_hopping_when_the_new_account_starts_long_after():
    old = Account(
        "person:mark",
        "Mark Ellis",
        "suspect",
        (("phone", "+447700900123"),),
        messages(0, THEMES, every=2),
    )
    late = Account(
        "candidate:n", "Anonymous", "unknown", (("handle", "xq_77"),), messages(60, NEW_THEMES)
    )
    assert find_leads([old, late])[1] == ()


def test_no_hopping_when_the_accounts_talk_about_different_things():
    old = Account(
        "person:mark",
        "Mark Ellis",
        "suspect",
        (("phone", "+447700900123"),),
        messages(0, THEMES, every=2),
    )
    shop = Account(
        "candidate:s",
        "Boots",
        "unknown",
        (("handle", "bootsuk"),),
        messages(8, ["Your prescription is ready to collect", "Your order has been dispatched"]),
    )
    assert find_leads([old, shop, FRIEND])[1] == ()


def test_no_hopping_when_both_write_at_the_same_time():
    old = Account(
        "person:mark",
        "Mark Ellis",
        "suspect",
        (("phone", "+447700900123"),),
        messages(0, THEMES, every=5),
    )  # days 0..15
    overlapping = Account(
        "candidate:o", "Anonymous", "unknown", (("handle", "xq_77"),), messages(3, NEW_THEMES)
    )
    assert find_leads([old, overlapping])[1] == ()


def test_witnesses_are_never_offered_as_leads():
    witness = Account("person:w", "Mark's brother", "witness", (("handle", "m.ellis_photos2"),))
    assert find_leads([MARK, witness])[1] == ()


def test_hopping_reads_the_themes_of_every_account_linked_to_the_suspect():
    # The suspect's own record has no messages; a linked sender holds them all.
    bare = Account("person:mark", "Mark Ellis", "suspect", (("phone", "+447700900123"),))
    linked = Account(
        "candidate:k",
        "Mark",
        "unknown",
        (("phone", "+447700900123"),),
        messages(0, THEMES, every=2),
    )
    new = Account(
        "candidate:n", "Anonymous", "unknown", (("handle", "xq_77"),), messages(10, NEW_THEMES)
    )
    groups, leads = find_leads([bare, linked, new, FRIEND])
    assert groups[0].linked == (linked,)
    assert [lead.account for lead in leads] == [new]
    assert leads[0].suspect is bare
