"""The files Alex kept in the demo case, as plain data: what each is, which incident it
belongs to and when it was received or taken. ``cairn.demo.exhibits`` draws each file; the
loader stores them. Everything here is invented, as in ``cairn.demo.scenario``."""

from __future__ import annotations

from dataclasses import dataclass, field

from cairn.demo.scenario import SUSPECT_HANDLE, SUSPECT_VEHICLE


@dataclass(frozen=True, kw_only=True)
class ExhibitSpec:
    """A file to generate. ``kind`` picks the generator in ``cairn.demo.exhibits``.

    ``received``: the file's receipt time is the incident's start (a screenshot of a message,
    a voicemail). ``captured``: local "HH:MM" on the morning after (``next_day``) or the day
    of the incident, when a photo was taken. Otherwise both stay unknown.
    """

    key: str
    name: str
    kind: str
    incident: str | None
    description: str
    received: bool = False
    captured: str | None = None
    next_day: bool = False
    params: dict[str, object] = field(default_factory=dict)


EXHIBITS: tuple[ExhibitSpec, ...] = (
    ExhibitSpec(
        key="sms-first",
        name="Screenshot_texts_from_Mark.png",
        kind="sms_screenshot",
        incident="first-text",
        received=True,
        description="Screenshot of his first texts, showing his number and the times.",
        params={
            "sender": "+44 7700 900461",
            "messages": (
                ("them", "19:42", "Hi Alex, it's Mark. Long time!"),
                ("them", "19:43", "Been thinking about you a lot since I left"),
                ("them", "19:45", "Fancy a drink this week? My treat"),
                ("me", "20:10", "Hi Mark, I'm busy this week, but take care."),
                ("them", "20:11", "Busy every night? Come on"),
                ("them", "20:30", "I'll ask again next week x"),
            ),
        },
    ),
    ExhibitSpec(
        key="email-first",
        name="email_from_mark.eml",
        kind="email",
        incident="first-email",
        received=True,
        description="His first e-mail to my personal address, saved from my inbox.",
        params={
            "subject": "Us",
            "body": (
                "Alex,\n\n"
                "I know you said you were busy, but I think we both know that is not the real "
                "reason. We had a special connection at work. Everyone could see it. The way you "
                "used to smile when I came over to your desk, the coffees, the long chats at the "
                "Christmas do.\n\n"
                "You led me on for three years and then went to HR as if I was the problem. I "
                "have never been angry about that. I just want the chance to talk properly.\n\n"
                "I will wait as long as it takes.\n\n"
                "Mark\n"
            ),
        },
    ),
    ExhibitSpec(
        key="whatsapp-explicit",
        name="Screenshot_WhatsApp_blocked.png",
        kind="chat_screenshot",
        incident="explicit-photo",
        received=True,
        description=(
            "Screenshot of the WhatsApp chat before I blocked him. I have covered the photo and "
            "the sexual message for this copy; the original is still on my phone."
        ),
        params={
            "sender": "Mark",
            "subtitle": "+44 7700 900461",
            "messages": (
                ("them", "22:47", "You still up?"),
                ("them", "22:49", "Thinking about you"),
                ("them", "22:51", None),
                ("them", "22:51", "[covered: sexual message]"),
            ),
        },
    ),
    ExhibitSpec(
        key="card",
        name="card_through_door_typed_copy.txt",
        kind="text",
        incident="card-door",
        description="My typed copy of the card. I still have the card itself in a plastic wallet.",
        params={
            "text": (
                "Typed copy of the card pushed through my door.\n"
                "Front: a picture of a lighthouse. No envelope, no stamp.\n\n"
                "Inside, in blue biro, in handwriting I recognise as Mark's:\n\n"
                "    Whatever happens, I will always be there for you.\n"
                "    You only have to ask.\n\n"
                "Not signed.\n"
            )
        },
    ),
    ExhibitSpec(
        key="insta-post",
        name="Screenshot_instagram_post.png",
        kind="social_screenshot",
        incident="insta-post",
        description="Screenshot Priya sent me of his Instagram post with the photo of me.",
        params={
            "handle": SUSPECT_HANDLE,
            "caption": "Good to be back on track with this one. Some things are meant to be.",
            "likes": 23,
        },
    ),
    ExhibitSpec(
        key="tyre-1",
        name="IMG_nail_in_tyre.png",
        kind="tyre_photo",
        incident="nails-1",
        captured="07:46",
        next_day=True,
        description="Photo of the nail standing in the front tyre, taken before I pulled it out.",
        params={"nails": 1},
    ),
    ExhibitSpec(
        key="bus-map",
        name="map_bus_stops.png",
        kind="map_sketch",
        incident="new-stop",
        description=(
            "A map I drew of my home, the Hill Road stop I stopped using and the Beech Avenue "
            "stop where he was waiting."
        ),
    ),
    ExhibitSpec(
        key="threat-sms",
        name="Screenshot_threat_text.png",
        kind="sms_screenshot",
        incident="threat-text",
        received=True,
        description="Screenshot of the threatening texts, with his number and the times.",
        params={
            "sender": "+44 7700 900461",
            "messages": (
                ("them", "22:29", "You think blocking me changes anything?"),
                ("them", "22:34", "You'll regret making a fool of me."),
                ("them", "22:34", "Everyone will know what you are."),
            ),
        },
    ),
    ExhibitSpec(
        key="voicemail",
        name="voicemail_transcript.txt",
        kind="text",
        incident="voicemail",
        received=True,
        description="My word-for-word transcript of his voicemail. The recording is on my phone.",
        params={
            "text": (
                "Transcript of voicemail, caller's number withheld, length 0:41.\n"
                "Typed by me the same evening, listening to it three times.\n\n"
                "\"Alex, it's me. Don't hang up on this one, you can't hang up on a voicemail, "
                "can you. [laughs] Look. I just want to talk. That's all I've ever wanted. You "
                "keep making this into something it isn't. I'm not going to do anything stupid. "
                "You know where to find me. You always have. Call me back. Or don't, and I'll "
                'find another way."\n\n'
                "[end of message]\n"
            )
        },
    ),
    ExhibitSpec(
        key="tyre-2",
        name="IMG_two_nails_front_tyres.png",
        kind="tyre_photo",
        incident="nails-5",
        captured="07:31",
        next_day=True,
        description="Photo of the nails under the front tyre, taken before I moved the car.",
        params={"nails": 2},
    ),
    ExhibitSpec(
        key="car",
        name="IMG_car_outside_house.png",
        kind="car_photo",
        incident="car-on-street",
        captured="22:17",
        description="Graham's photo from his window of the car parked opposite, showing the "
        "registration. He sent it to me by WhatsApp.",
        params={"registration": SUSPECT_VEHICLE},
    ),
    ExhibitSpec(
        key="pub-notes",
        name="notes_red_lion_evening.txt",
        kind="text",
        incident="pub-return",
        description="Notes I wrote the next morning about the evening at the Red Lion.",
        params={
            "text": (
                "Notes written the morning after, while I still remembered it clearly.\n\n"
                "- Got to the Red Lion with Priya at about 8.45. We sat at the table by the "
                "window.\n"
                "- Mark came in at about 9.10 on his own. Dark jacket, grey jumper.\n"
                '- He came straight to our table and stood very close to me. He said "You look '
                "nice tonight, who's it for?\"\n"
                "- Priya told him to leave us alone. He laughed and went to the bar.\n"
                "- He stayed at the bar facing us for about an hour. He did not talk to anyone.\n"
                "- We left at about 10.20. He put his drink down and followed us out.\n"
                "- He walked about ten metres behind us all the way to the taxi rank on Market "
                "Street.\n"
                "- I was shaking. I thought he was going to grab my arm.\n"
                "- Priya saw all of this and has said she will write down what she remembers.\n"
            )
        },
    ),
    ExhibitSpec(
        key="early-notes",
        name="notes_before_I_started_this_log.txt",
        kind="text",
        incident=None,
        description=(
            "Notes from my phone about things before I started keeping this log. Not yet "
            "linked to any incident."
        ),
        params={
            "text": (
                "Things I remember from when Mark and I worked together (written later, dates "
                "approximate):\n\n"
                "- He asked me out for a drink at least five times in my second year there. I "
                "always said no.\n"
                "- He often waited by the lifts at home time so he could walk out with me.\n"
                "- He commented on what I wore most days.\n"
                "- After the team night out he messaged me late at night several times. I told my "
                "manager and then HR.\n"
                "- He was moved to another team. A few months later he left the company.\n"
            )
        },
    ),
)
