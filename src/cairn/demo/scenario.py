"""The demo case, as plain data: who is involved, what happened and when (the files kept are
in ``cairn.demo.exhibit_specs``).

Everything here is invented. Names, places, the phone numbers (Ofcom's drama range
07700 900xxx), the e-mail domains (example.com / example.org, reserved by RFC 2606) and the
vehicle registration are fictitious.

Times are given relative to the day the demo is loaded: ``days_ago`` counts local days
(Europe/London) back from the local date of ``now``, and ``at`` is the local wall-clock time.
So the same ``now`` always gives the same vault. No entry is less than three days old, so
nothing can fall in the future.

The story (Alex Morgan, the vault's owner, writing in her own words):

- Mark Ellis worked in Alex's team until about two years ago. He asked her out several
  times; she said no; after a complaint he was moved to another team and then left.
- Phase 1 (about 23 to 13 months ago): messages first, then turning up at her bus stop, her
  office and evenings out; explicit messages; nails under her car's tyres; posts about her.
- A quiet period of about four months with nothing at all.
- Phase 2 (the last nine months): he comes back harder: more often, more in person, threats.
  She fears violence, changes her route, stops taking the bus, has her desk moved, stops
  going out in the evening, and reports several incidents to the police.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cairn.vault.choices import Channel, IdentifierKind, PersonRole, Relationship
from cairn.web.timeframe import Precision

VAULT_NAME = "Alex's log"
VAULT_INITIALS = "AM"
OWNER_DISPLAY_NAME = "Alex Morgan"
OWNER_EMAIL = "alex.morgan@example.org"
SEED = 20260117  # the seed of the random numbers used to draw the pictures


# --- people -------------------------------------------------------------------------------

@dataclass(frozen=True)
class PersonSpec:
    key: str
    name: str
    role: str
    relationship: str
    notes: str = ""
    aliases: tuple[str, ...] = ()
    identifiers: tuple[tuple[str, str, str], ...] = ()  # (kind, value, platform)


SUSPECT_PHONE = "07700 900461"
SUSPECT_SECOND_PHONE = "07700 900874"
SUSPECT_EMAIL = "mark.ellis@example.com"
SUSPECT_HANDLE = "mark.ellis.photos"
SUSPECT_VEHICLE = "KX16 DMO"

PERSONS: tuple[PersonSpec, ...] = (
    PersonSpec(
        key="mark", name="Mark Ellis", role=PersonRole.SUSPECT,
        relationship=Relationship.EX_COLLEAGUE, aliases=("Marky",),
        notes=(
            "Worked in my team for three years. He asked me out several times and I always "
            "said no. After I complained to HR he was moved to another team, and he left the "
            "company about two years ago. Drives a dark grey hatchback."
        ),
        identifiers=(
            (IdentifierKind.PHONE, SUSPECT_PHONE, ""),
            (IdentifierKind.PHONE, SUSPECT_SECOND_PHONE, ""),
            (IdentifierKind.EMAIL, SUSPECT_EMAIL, ""),
            (IdentifierKind.HANDLE, "@" + SUSPECT_HANDLE, "instagram"),
            (IdentifierKind.VEHICLE, SUSPECT_VEHICLE, ""),
        ),
    ),
    PersonSpec(
        key="priya", name="Priya Shah", role=PersonRole.WITNESS,
        relationship=Relationship.ACQUAINTANCE,
        notes="My closest friend. She was with me at the Red Lion and at Luca's.",
        identifiers=((IdentifierKind.PHONE, "07700 900218", ""),),
    ),
    PersonSpec(
        key="graham", name="Graham Wood", role=PersonRole.WITNESS,
        relationship=Relationship.NEIGHBOUR,
        notes="Lives next door. His doorbell camera looks over the street where I park.",
    ),
)


# --- places -------------------------------------------------------------------------------

HOME = "Outside my house, Alder Close"
CAR_AT_HOME = "My car, parked outside my house on Alder Close"
BUS_STOP = "Bus stop on Hill Road (stop H2), five minutes from home"
NEW_STOP = "Bus stop on Beech Avenue, the stop I switched to"
OFFICE = "Outside my office, Kingsway"
CAR_PARK = "Office car park, Kingsway"
PUB = "The Red Lion, Market Street"
RESTAURANT = "Luca's restaurant, High Street"


# --- incidents ----------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class IncidentSpec:
    """One incident. ``at`` is local time "HH:MM" for exact and hour precision; ``until``
    ends an exact incident; ``span_days`` is the length of an "unknown" interval."""

    key: str
    days_ago: int
    precision: Precision = Precision.EXACT
    at: str | None = None
    until: str | None = None
    span_days: int = 7
    when_words: str = ""
    channel: str
    acts: str
    location: str = ""
    description: str
    impact: str = ""
    feared_violence: bool = False
    witnesses: tuple[str, ...] = ()  # keys into PERSONS
    # "{date}" is replaced by the incident's local date as dd/mm, as a CAD number reads.
    police_reference: str = ""


def _i(key: str, days_ago: int, **kwargs: object) -> IncidentSpec:
    return IncidentSpec(key=key, days_ago=days_ago, **kwargs)  # type: ignore[arg-type]


EXACT, HOUR, DAY = Precision.EXACT, Precision.HOUR, Precision.DAY
OVERNIGHT, UNKNOWN = Precision.OVERNIGHT, Precision.UNKNOWN
IN_PERSON, TEXT, APP = Channel.IN_PERSON, Channel.TEXT_MESSAGE, Channel.MESSAGING_APP
SOCIAL, EMAIL, LETTER = Channel.SOCIAL_MEDIA, Channel.EMAIL, Channel.LETTER_OR_GIFT
PROPERTY, PHONE_CALL = Channel.PROPERTY, Channel.PHONE_CALL

NAILS_WORDS = "Overnight. I found it when I went to the car in the morning"

PHASE_ONE: tuple[IncidentSpec, ...] = (
    _i("first-text", 712, at="19:42", channel=TEXT, acts="b", description=(
        "Mark texted me for the first time since he left the company. He said he missed "
        "seeing me every day and asked me to meet him for a drink. I replied that I was busy "
        "and wished him well. He sent two more messages saying he would ask again.")),
    _i("whatsapp-why", 703, at="21:15", channel=APP, acts="b", description=(
        "He messaged me on WhatsApp asking why I had been 'cold' with him. He sent nine "
        "messages in about an hour. I did not reply.")),
    _i("insta-requests", 695, precision=DAY, when_words="I noticed it in the afternoon",
       channel=SOCIAL, acts="b", description=(
           "He sent me a follow request on Instagram and three direct messages asking to meet. "
           "I declined the request and did not open the messages after the first one.")),
    _i("first-bus-stop", 684, at="08:05", channel=IN_PERSON, acts="a,e,g", location=BUS_STOP,
       description=(
           "Mark was standing at my bus stop when I got there. He does not live anywhere near "
           "here. He said 'fancy seeing you', got on the same bus, got off at my stop in town "
           "and walked behind me all the way to the office door.")),
    _i("late-texts", 671, at="23:38", channel=TEXT, acts="b", description=(
        "Six texts between 23:38 and just after midnight. They started friendly and got angry "
        "when I did not answer. I switched my phone off."),
       impact="I could not get back to sleep and was exhausted at work the next day."),
    _i("first-email", 659, at="20:04", channel=EMAIL, acts="b", description=(
        "He e-mailed my personal address, which I never gave him. The e-mail was long and said "
        "we had a 'special connection' at work and that I had led him on. I did not reply.")),
    _i("explicit-photo", 646, at="22:51", channel=APP, acts="b", description=(
        "He sent me a sexual message and a photo I did not ask for. I took a screenshot and "
        "blocked him on WhatsApp straight away."),
       impact="I felt sick and shaken. I told my sister what was happening for the first time."),
    _i("text-after-block", 640, at="07:58", channel=TEXT, acts="b", description=(
        "Because I had blocked him on WhatsApp he texted me instead, asking why I had blocked "
        "him and saying I was being childish.")),
    _i("bus-stop-2", 627, at="08:14", channel=IN_PERSON, acts="a,e,g", location=BUS_STOP,
       description=(
           "He was at my bus stop again. This time he did not get on. He stood and watched me "
           "until the bus pulled away.")),
    _i("pub-friends", 619, at="20:35", channel=IN_PERSON, acts="a,e,g", location=PUB,
       witnesses=("priya",), description=(
           "I was at the Red Lion with Priya and two other friends. Mark came in about twenty "
           "minutes after us, bought a drink and stood at the end of the bar looking at our "
           "table. He left when we left.")),
    _i("card-door", 611, precision=DAY, when_words="I found it when I got home from work",
       channel=LETTER, acts="b", location=HOME, description=(
           "A card had been pushed through my letterbox. It was not signed, but I recognise "
           "his handwriting from work. It said he would 'always be there' for me.")),
    _i("insta-post", 602, precision=DAY, when_words="Priya told me about it that evening",
       channel=SOCIAL, acts="c", witnesses=("priya",), description=(
           "He posted a photo of me on Instagram, taken at the Red Lion, with a caption making "
           "out we were back together. We have never been in a relationship. Priya saw it and "
           "sent me a screenshot.")),
    _i("nails-1", 590, precision=OVERNIGHT, when_words=NAILS_WORDS, channel=PROPERTY,
       acts="f", location=CAR_AT_HOME, description=(
           "When I went to my car in the morning there was a nail pushed into the tread of the "
           "driver's side front tyre, standing upright so I would drive onto it. I took a "
           "photo and pulled it out.")),
    _i("follow-from-work", 582, at="17:42", channel=IN_PERSON, acts="a,e,g", location=OFFICE,
       description=(
           "When I left work Mark was across the road from the office. He followed about twenty "
           "metres behind me all the way to the bus stop and waited there until my bus came.")),
    _i("email-2", 574, at="06:55", channel=EMAIL, acts="b", description=(
        "Another e-mail to my personal address, sent early in the morning, listing things I "
        "said to him at work years ago and what he thinks they meant.")),
    _i("explicit-text", 566, at="23:05", channel=TEXT, acts="b", description=(
        "He sent a sexual text about what he wanted to do with me. I did not reply and saved "
        "a screenshot."),
       impact="I stopped keeping my phone by the bed at night."),
    _i("flowers-work", 559, precision=UNKNOWN, span_days=5,
       when_words="Sometime that week; reception told me on the Friday",
       channel=LETTER, acts="b", location=OFFICE, description=(
           "Reception told me flowers had been delivered for me earlier in the week and left in "
           "the post room. There was no card. The florist told my manager a man paid in cash.")),
    _i("nails-2", 548, precision=OVERNIGHT, when_words=NAILS_WORDS, channel=PROPERTY,
       acts="f,g", location=CAR_AT_HOME, witnesses=("graham",), description=(
           "Two nails under the back tyres this time, one on each side. Graham next door told "
           "me he saw a man crouching by my car just after 6 am and thought he was checking "
           "for a flat tyre.")),
    _i("office-waiting", 541, at="17:10", until="17:40", channel=IN_PERSON, acts="e,g",
       location=OFFICE, description=(
           "Mark was waiting outside my office at home time, leaning on the railings opposite "
           "the entrance. I stayed inside for half an hour until a colleague could walk out "
           "with me. He had gone by then.")),
    _i("bus-sat-behind", 530, at="08:22", channel=IN_PERSON, acts="a,g", location=BUS_STOP,
       description=(
           "He got on my bus one stop after mine and sat directly behind me. He did not say "
           "anything. I got off two stops early and walked the rest of the way."),
       impact="I was late for work."),
    _i("text-barrage", 519, precision=HOUR, at="21:00", when_words="All evening, from about 9 pm",
       channel=TEXT, acts="b", description=(
           "Fourteen texts across the evening. One was sexual; the others said I owed him an "
           "explanation and that he was 'not going anywhere'.")),
    _i("insta-linkedin", 507, precision=DAY, channel=SOCIAL, acts="c", description=(
        "He posted a screenshot of my LinkedIn profile on his Instagram story, with a comment "
        "about 'people who think they're too good for you'. It showed my job title and "
        "employer.")),
    _i("birthday-meal", 494, at="19:50", channel=IN_PERSON, acts="a,e,g", location=RESTAURANT,
       witnesses=("priya",), description=(
           "At Priya's birthday meal at Luca's, Mark came in alone and sat where he could see "
           "our table. He did not order food. He left a few minutes after us and Priya saw him "
           "walk the same way we went.")),
    _i("nails-3", 480, precision=OVERNIGHT, when_words=NAILS_WORDS, channel=PROPERTY, acts="f",
       location=CAR_AT_HOME, police_reference="CAD 2187 {date}", description=(
           "A nail under the front tyre again. This time I reported it to the police on 101 and "
           "they gave me a reference number. They told me to keep a record of everything.")),
    _i("explicit-email", 466, at="22:30", channel=EMAIL, acts="b", description=(
        "An e-mail with a sexual comment about a photo of me from an office party years ago. "
        "I did not reply.")),
    _i("follow-to-work", 452, at="08:35", channel=IN_PERSON, acts="a,e", location=OFFICE,
       description=(
           "He walked behind me from the bus stop in town to my office and stood at the corner "
           "until I went inside.")),
    _i("gym", 438, at="19:25", channel=IN_PERSON, acts="e,g",
       location="Outside my gym, Mill Lane", description=(
           "He was sitting on the wall outside my gym when I came out. He watched me walk to "
           "my car but did not come over.")),
    _i("explicit-new-number", 424, at="23:12", channel=APP, acts="b", description=(
        "He messaged me on WhatsApp from a second number, with his photo on the profile. He "
        "sent another sexual message and a picture I did not ask for. I blocked this number "
        "too.")),
    _i("insta-used", 409, precision=DAY, channel=SOCIAL, acts="c", description=(
        "He posted a long caption on Instagram about being 'used and thrown away' by a woman at "
        "his old job. He did not name me, but he tagged my office and people from work "
        "recognised it was about me.")),
    _i("letter-space", 396, precision=DAY, when_words="It was on the mat when I got home",
       channel=LETTER, acts="b", location=HOME, description=(
           "A letter through my door saying he would give me 'space to think', but that he "
           "knew where I was.")),
)

# Nothing for about four months (days 395 to 269): the lull.

PHASE_TWO: tuple[IncidentSpec, ...] = (
    _i("return-bus-stop", 268, at="07:52", channel=IN_PERSON, acts="a,e,g", location=BUS_STOP,
       description=(
           "After more than four months of nothing, Mark was at my bus stop again. He said 'Did "
           "you think I'd gone away?' and smiled. I went back home and rang work to say I would "
           "be late.")),
    _i("texts-return", 267, at="20:18", channel=TEXT, acts="b", description=(
        "He texted 'Missed me?' and then eleven more messages that night about how I had "
        "ruined his life.")),
    _i("follow-bus", 264, at="17:38", channel=IN_PERSON, acts="a,e,g", location=OFFICE,
       description=(
           "He was outside the office at home time and followed me to the bus stop. He got on "
           "my bus and stayed on past my stop, looking at me through the window as it pulled "
           "away.")),
    _i("nails-4", 261, precision=OVERNIGHT, when_words=NAILS_WORDS, channel=PROPERTY,
       acts="f", location=CAR_AT_HOME, description=(
           "Three nails under the tyres: one under each front tyre and one at the back. One "
           "front tyre was already going soft.")),
    _i("pub-return", 257, at="21:10", channel=IN_PERSON, acts="a,e,g", location=PUB,
       witnesses=("priya",), feared_violence=True, description=(
           "I was at the Red Lion with Priya. Mark came over, stood by our table and said 'You "
           "look nice tonight, who's it for?'. When we left he followed us out and walked "
           "behind us to the taxi rank. I was frightened he was going to grab me."),
       impact="Priya now insists on driving me home whenever we go out."),
    _i("explicit-instagram", 254, at="23:47", channel=SOCIAL, acts="b", description=(
        "A sexual message and a photo I did not ask for, sent through Instagram messages "
        "after I had blocked both of his numbers.")),
    _i("insta-front-door", 250, precision=DAY, when_words="I saw it first thing in the morning",
       channel=SOCIAL, acts="c,g", feared_violence=True, description=(
           "He posted a photo of my front door on his Instagram story with the caption 'home "
           "sweet home'. He must have stood in my street to take it."),
       impact="I had a door chain and a doorbell camera fitted."),
    _i("new-stop", 247, at="08:06", channel=IN_PERSON, acts="a,e,g", location=NEW_STOP,
       feared_violence=True, description=(
           "Mark was waiting at the Beech Avenue stop, the one I changed to so I would not see "
           "him. He said 'You can change bus stops all you like'. He got on my bus and sat "
           "near the front facing backwards, looking at me the whole way."),
       impact=(
           "I have stopped taking the bus. I drive to work now, even though parking costs "
           "me nine pounds a day.")),
    _i("threat-text", 245, at="22:34", channel=TEXT, acts="b", feared_violence=True,
       police_reference="CAD 1234 {date}", description=(
           "He texted 'You'll regret making a fool of me. Everyone will know what you are.' I "
           "read it several times and then called 101.")),
    _i("car-park", 241, at="17:52", channel=IN_PERSON, acts="e,g", location=CAR_PARK,
       description=(
           "He was standing next to my car in the office car park when I came out. I went "
           "back inside and security walked me to the car. By then he had gone."),
       impact=(
           "My manager moved my desk away from the ground-floor window and gave security his "
           "description.")),
    _i("voicemail", 238, at="19:06", channel=PHONE_CALL, acts="b", description=(
        "He rang from a withheld number and left a voicemail. He sounded calm, which made it "
        "worse. He said he just wanted to talk and that I knew where to find him. I have "
        "typed out what he said.")),
    _i("nails-5", 234, precision=OVERNIGHT, when_words=NAILS_WORDS, channel=PROPERTY,
       acts="f,g", location=CAR_AT_HOME, witnesses=("graham",), description=(
           "Nails under both front tyres. I found them before I drove off. Graham's doorbell "
           "camera recorded someone in a dark hooded top by my car at about ten to five.")),
    _i("midnight-email", 231, at="23:55", channel=EMAIL, acts="b", description=(
        "A very long e-mail sent just before midnight, going over everything he thinks happened "
        "between us and saying he will 'not be ignored'.")),
    _i("supermarket", 228, precision=HOUR, at="18:00", when_words="Early evening, after work",
       channel=IN_PERSON, acts="a,g", location="The supermarket on Station Road", description=(
           "I saw him two aisles away in the supermarket. He was not shopping. He followed me "
           "round at a distance and was standing outside when I left.")),
    _i("car-on-street", 225, precision=HOUR, at="22:00", when_words="Around 10 pm",
       channel=IN_PERSON, acts="e,g", location=HOME, witnesses=("graham",), description=(
           "His car was parked across the road from my house with the engine running for over "
           "an hour. Graham saw it too, wrote down the registration and took a photo from his "
           "window.")),
    _i("fake-account", 221, precision=DAY, channel=SOCIAL, acts="c", description=(
        "An Instagram account with my name and a photo of me sent follow requests to my "
        "friends and colleagues. The posts made it look as if I was inviting men to contact "
        "me. I think it is him because it used the Red Lion photo he posted before. I "
        "reported the account to Instagram.")),
    _i("texts-night", 216, at="23:20", channel=TEXT, acts="b", description=(
        "Twenty-two texts between 23:20 and two in the morning. Some were apologies and some "
        "called me names.")),
    _i("follow-car", 208, at="17:24", channel=IN_PERSON, acts="a,g",
       location="Driving home on the ring road", feared_violence=True,
       police_reference="CAD 3318 {date}", description=(
           "Driving home from work I noticed his car behind me. He stayed right behind me for "
           "about three miles, through two roundabouts. I drove to the police station instead "
           "of going home, and he drove on past.")),
    _i("rose-windscreen", 201, precision=DAY, when_words="When I left work",
       channel=LETTER, acts="b,f", location=CAR_PARK, description=(
           "A single rose and a note under my windscreen wiper in the office car park. The note "
           "said 'I'll always find you'."),
       impact="I only park in the bay next to the security office now."),
    _i("nails-6", 194, precision=OVERNIGHT, when_words=NAILS_WORDS, channel=PROPERTY, acts="f",
       location=CAR_AT_HOME, description="Nails under the tyres again, both on the kerb side."),
    _i("restaurant-2", 186, at="20:15", channel=IN_PERSON, acts="a,e,g", location=RESTAURANT,
       witnesses=("priya",), description=(
           "Out for dinner with Priya for the first time in weeks. Mark came in, sat at the bar "
           "and watched us in the mirror behind it. We left without finishing."),
       impact=(
           "I have stopped going out in the evenings. I have not been to the pub or out for a "
           "meal since.")),
    _i("explicit-third-number", 178, at="23:30", channel=APP, acts="b", description=(
        "More sexual messages on WhatsApp from a third number, with a picture I did not ask "
        "for. I now save everything before I block.")),
    _i("posted-workplace", 169, precision=DAY, channel=SOCIAL, acts="c", description=(
        "He posted my work address and a photo of the building on Instagram, saying anyone "
        "who wanted to 'know the truth' about me could find me there."),
       impact="My employer has agreed that I can work from home two days a week."),
    _i("outside-house", 160, at="07:41", channel=IN_PERSON, acts="e,g", location=HOME,
       feared_violence=True, police_reference="CAD 0412 {date}", description=(
           "When I opened my front door to leave for work, Mark was standing on the pavement "
           "opposite. He did not move or speak, he just stared. I shut the door and called "
           "999.")),
    _i("letter-work", 151, precision=UNKNOWN, span_days=7,
       when_words="Sometime that week; the post room gave it to me on the Friday",
       channel=LETTER, acts="b", location=OFFICE, feared_violence=True, description=(
           "A hand-delivered letter for me at work. It said he was sorry and only wanted to "
           "talk, and that if I would not talk to him he would 'have to make me listen'.")),
    _i("threat-text-2", 139, at="21:48", channel=TEXT, acts="b", feared_violence=True,
       police_reference="CAD 2290 {date}", description=(
           "A text saying he had been 'patient long enough' and that I should 'watch myself'.")),
    _i("nails-7", 126, precision=OVERNIGHT, when_words=NAILS_WORDS, channel=PROPERTY,
       acts="f,g", location=CAR_AT_HOME, witnesses=("graham",),
       police_reference="CAD 0977 {date}", description=(
           "Nails under the tyres again. Graham's camera recorded a man by my car at about "
           "5 am. I told the police the footage is there if they want it.")),
    _i("walk-from-friends", 111, at="19:40", channel=IN_PERSON, acts="a,e,g",
       location="Orchard Street, walking home from Priya's", witnesses=("priya",),
       feared_violence=True, description=(
           "I walked back from Priya's while it was still light. Mark stepped out of a side "
           "road and walked next to me, talking about how I had 'made him like this'. I rang "
           "Priya and she came out to meet me. He walked off."),
       impact="I do not walk anywhere on my own now, even in daylight."),
    _i("email-watching", 94, at="06:40", channel=EMAIL, acts="b,g", description=(
        "An e-mail saying he had seen me through my office window and that I looked tired.")),
    _i("office-morning", 72, at="08:31", channel=IN_PERSON, acts="e,g", location=OFFICE,
       police_reference="CAD 1877 {date}", description=(
           "He was standing at the corner by my office when I arrived. Security saw him and he "
           "left.")),
    _i("texts-weekend", 45, at="22:05", channel=TEXT, acts="b,g", description=(
        "Nine texts in one evening. One asked whether I had 'enjoyed the weekend away', which "
        "makes me think he knew where I had been. Another said 'Tell your sister her boys "
        "looked happy at the park on Sunday.' I have never told him where she lives.")),
    _i("insta-street", 21, precision=DAY, channel=SOCIAL, acts="c,g", feared_violence=True,
       description=(
           "He posted a photo of my street on Instagram with the words 'not long now'.")),
    _i("nails-8", 6, precision=OVERNIGHT, when_words=NAILS_WORDS, channel=PROPERTY, acts="b,f",
       location=CAR_AT_HOME, description=(
           "At 06:12 a text from a number I did not know said 'Check your tyres before you "
           "drive today.' When I went out to the car there were nails under both front tyres "
           "again.")),
)

INCIDENTS: tuple[IncidentSpec, ...] = PHASE_ONE + PHASE_TWO


# --- later corrections (each becomes a new revision) -----------------------------------------

@dataclass(frozen=True)
class RevisionSpec:
    key: str
    changes: dict[str, object] = field(default_factory=dict)


REVISIONS: tuple[RevisionSpec, ...] = (
    # She checked her bus app afterwards and corrected the time.
    RevisionSpec("first-bus-stop", {
        "at": "08:09",
        "description": (
            "Mark was standing at my bus stop when I got there. He does not live anywhere near "
            "here. He said 'fancy seeing you', got on the same bus, got off at my stop in town "
            "and walked behind me all the way to the office door. (Corrected the time: my bus "
            "app shows I caught the 08:12, so I got to the stop at about 08:09.)"),
    }),
    # She reported it the next day and added the reference.
    RevisionSpec("nails-4", {"police_reference": "CAD 0655 {date}"}),
    # What it changed, added a few weeks later.
    RevisionSpec("return-bus-stop", {
        "impact": "I stopped using the Hill Road stop and now walk ten minutes to Beech Avenue.",
    }),
)
