"""Files for the demo vault, made on the fly: phone screenshots, photos, a map, notes, an e-mail.

Pure (no Django): each generator takes the exhibit's parameters, the local time of the
incident it belongs to and a seeded ``random.Random``, and returns the file's bytes. The same
inputs give the same bytes. Pictures are drawn simply with Pillow and its built-in font; they
only need to look like what a victim would keep, not to fool anyone.
"""

from __future__ import annotations

import io
import itertools
import random
import textwrap
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from functools import cache
from typing import Any

from PIL import Image, ImageDraw, ImageFilter, ImageFont

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
Colour = tuple[int, int, int]

PHONE_SIZE = (540, 960)
PHOTO_SIZE = (800, 600)


@cache
def font(size: int) -> Font:
    """Pillow's own scalable font, so the pictures look the same on every machine."""
    return ImageFont.load_default(size=size)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=3)  # noisy photos: level 3 is fast enough
    return out.getvalue()


def _wrap(draw: ImageDraw.ImageDraw, text: str, face: Font, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        attempt = f"{current} {word}".strip()
        if current and draw.textlength(attempt, font=face) > width:
            lines.append(current)
            current = word
        else:
            current = attempt
    if current:
        lines.append(current)
    return lines


def _grain(image: Image.Image, rng: random.Random, amount: float) -> Image.Image:
    """Add camera-like noise from the seeded generator (deterministic, unlike effect_noise)."""
    noise = Image.frombytes("L", image.size, rng.randbytes(image.size[0] * image.size[1]))
    noise = noise.filter(ImageFilter.GaussianBlur(0.6)).convert("RGB")
    return Image.blend(image, noise, amount)


def _status_bar(draw: ImageDraw.ImageDraw, clock: str, *, dark: bool = False) -> None:
    colour: Colour = (255, 255, 255) if dark else (20, 20, 20)
    draw.text((22, 10), clock, font=font(20), fill=colour)
    width = PHONE_SIZE[0]
    # signal bars, then a battery
    for index in range(4):
        height = 5 + index * 4
        draw.rectangle((width - 130 + index * 9, 28 - height, width - 124 + index * 9, 28),
                       fill=colour)
    draw.rounded_rectangle((width - 78, 12, width - 34, 30), radius=4, outline=colour, width=2)
    draw.rectangle((width - 33, 17, width - 30, 25), fill=colour)
    draw.rectangle((width - 74, 16, width - 48, 26), fill=colour)


def _screenshot_clock(when: datetime, messages: Sequence[tuple[str, str, str | None]]) -> str:
    last = messages[-1][1] if messages else when.strftime("%H:%M")
    hours, minutes = (int(part) for part in last.split(":"))
    shot = when.replace(hour=hours, minute=minutes) + timedelta(minutes=3)
    return shot.strftime("%H:%M")


def _long_date(when: datetime) -> str:
    return f"{when:%A} {when.day} {when:%B %Y}"


def _bubbles(image: Image.Image, messages: Sequence[tuple[str, str, str | None]],
             *, top: int, theirs: Colour, mine: Colour, mine_text: Colour) -> None:
    draw = ImageDraw.Draw(image)
    width = PHONE_SIZE[0]
    body, small = font(21), font(15)
    y = top
    for who, clock, text in messages:
        mine_side = who == "me"
        if text is None:  # a photo, covered for this copy
            box_w, box_h = 300, 220
            x0 = width - box_w - 24 if mine_side else 24
            draw.rounded_rectangle((x0, y, x0 + box_w, y + box_h), radius=16,
                                   fill=mine if mine_side else theirs)
            inner = (x0 + 10, y + 10, x0 + box_w - 10, y + box_h - 34)
            cover = Image.new("RGB", (inner[2] - inner[0], inner[3] - inner[1]), (60, 60, 60))
            hatch = ImageDraw.Draw(cover)
            for offset in range(-cover.height, cover.width, 18):
                hatch.line((offset, cover.height, offset + cover.height, 0), fill=(80, 80, 80),
                           width=6)
            image.paste(cover, inner[:2])
            draw.rectangle(inner, outline=(40, 40, 40), width=2)
            draw.text(((inner[0] + inner[2]) // 2, (inner[1] + inner[3]) // 2),
                      "Photo covered", font=font(20), fill=(235, 235, 235), anchor="mm")
            draw.text((x0 + box_w - 14, y + box_h - 12), clock, font=small,
                      fill=(110, 110, 110), anchor="rb")
            y += box_h + 14
            continue
        covered = text.startswith("[covered")
        lines = _wrap(draw, text, body, 330)
        text_w = max(int(draw.textlength(line, font=body)) for line in lines)
        box_w = max(text_w, 60) + 34
        box_h = 28 * len(lines) + 40
        x0 = width - box_w - 24 if mine_side else 24
        fill = (15, 15, 15) if covered else (mine if mine_side else theirs)
        draw.rounded_rectangle((x0, y, x0 + box_w, y + box_h), radius=18, fill=fill)
        colour = (255, 255, 255) if covered else (mine_text if mine_side else (20, 20, 20))
        for index, line in enumerate(lines):
            draw.text((x0 + 17, y + 10 + index * 28), line, font=body, fill=colour)
        draw.text((x0 + box_w - 14, y + box_h - 8), clock, font=small,
                  fill=(200, 200, 200) if mine_side or covered else (110, 110, 110),
                  anchor="rb")
        y += box_h + 14


def sms_screenshot(params: Mapping[str, Any], when: datetime, rng: random.Random) -> bytes:
    """A phone's text-message thread: the sender's number at the top, a date, bubbles."""
    messages = params["messages"]
    image = Image.new("RGB", PHONE_SIZE, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    width = PHONE_SIZE[0]
    _status_bar(draw, _screenshot_clock(when, messages))
    draw.rectangle((0, 44, width, 150), fill=(246, 246, 246))
    draw.line((0, 150, width, 150), fill=(220, 220, 220), width=2)
    draw.text((22, 84), "<", font=font(34), fill=(0, 122, 255))
    draw.ellipse((width // 2 - 24, 52, width // 2 + 24, 100), fill=(160, 165, 175))
    draw.text((width // 2, 76), "?", font=font(28), fill=(255, 255, 255), anchor="mm")
    draw.text((width // 2, 118), str(params["sender"]), font=font(20), fill=(20, 20, 20),
              anchor="mm")
    draw.text((width // 2, 140), "Text message", font=font(14), fill=(120, 120, 120),
              anchor="mm")
    draw.text((width // 2, 180), f"{_long_date(when)}", font=font(16), fill=(120, 120, 120),
              anchor="mm")
    _bubbles(image, messages, top=206, theirs=(233, 233, 235), mine=(0, 122, 255),
             mine_text=(255, 255, 255))
    draw.rounded_rectangle((20, PHONE_SIZE[1] - 70, width - 20, PHONE_SIZE[1] - 26), radius=22,
                           outline=(200, 200, 200), width=2)
    draw.text((44, PHONE_SIZE[1] - 48), "Text message", font=font(18), fill=(160, 160, 160),
              anchor="lm")
    del rng
    return _png(image)


def chat_screenshot(params: Mapping[str, Any], when: datetime, rng: random.Random) -> bytes:
    """A messaging app's chat: a coloured header with the contact, bubbles on a tinted page."""
    messages = params["messages"]
    page: Colour = (236, 229, 221)
    image = Image.new("RGB", PHONE_SIZE, page)
    draw = ImageDraw.Draw(image)
    width = PHONE_SIZE[0]
    draw.rectangle((0, 0, width, 140), fill=(7, 94, 84))
    _status_bar(draw, _screenshot_clock(when, messages), dark=True)
    draw.text((20, 92), "<", font=font(32), fill=(255, 255, 255), anchor="lm")
    draw.ellipse((52, 66, 104, 118), fill=(190, 200, 200))
    draw.text((78, 92), str(params["sender"])[:1], font=font(26), fill=(7, 94, 84), anchor="mm")
    draw.text((120, 76), str(params["sender"]), font=font(22), fill=(255, 255, 255))
    draw.text((120, 104), str(params.get("subtitle", "")), font=font(15),
              fill=(210, 230, 225))
    label = _long_date(when)
    label_w = draw.textlength(label, font=font(15)) + 28
    draw.rounded_rectangle(((width - label_w) / 2, 160, (width + label_w) / 2, 188), radius=8,
                           fill=(225, 243, 251))
    draw.text((width // 2, 174), label, font=font(15), fill=(70, 90, 100), anchor="mm")
    _bubbles(image, messages, top=206, theirs=(255, 255, 255), mine=(220, 248, 198),
             mine_text=(20, 20, 20))
    draw.rounded_rectangle((14, PHONE_SIZE[1] - 68, width - 80, PHONE_SIZE[1] - 22), radius=23,
                           fill=(255, 255, 255))
    draw.text((40, PHONE_SIZE[1] - 45), "Message", font=font(18), fill=(150, 150, 150),
              anchor="lm")
    draw.ellipse((width - 68, PHONE_SIZE[1] - 70, width - 18, PHONE_SIZE[1] - 20),
                 fill=(0, 128, 105))
    del rng
    return _png(image)


def _people_scene(size: tuple[int, int], rng: random.Random) -> Image.Image:
    """A dim, blurry pub scene with two figures at a table: the kind of photo he posted."""
    width, height = size
    scene = Image.new("RGB", size, (92, 58, 36))
    draw = ImageDraw.Draw(scene)
    for index in range(6):  # warm lights on the back wall
        x = 30 + index * (width // 6) + rng.randint(-10, 10)
        draw.ellipse((x, 20, x + 46, 66), fill=(250, 205, 120))
    draw.rectangle((0, height * 0.62, width, height), fill=(70, 42, 26))
    for x_centre, shirt in ((width * 0.33, (40, 60, 90)), (width * 0.66, (150, 60, 70))):
        draw.ellipse((x_centre - 38, height * 0.22, x_centre + 38, height * 0.22 + 84),
                     fill=(214, 170, 140))
        draw.rounded_rectangle((x_centre - 70, height * 0.22 + 80, x_centre + 70, height * 0.9),
                               radius=40, fill=shirt)
    draw.rectangle((width * 0.1, height * 0.7, width * 0.9, height * 0.78), fill=(120, 80, 50))
    for x in (width * 0.4, width * 0.58):
        draw.rectangle((x, height * 0.6, x + 22, height * 0.7), fill=(230, 190, 90))
    scene = scene.filter(ImageFilter.GaussianBlur(3))
    return _grain(scene, rng, 0.12)


def social_screenshot(params: Mapping[str, Any], when: datetime, rng: random.Random) -> bytes:
    """A photo post on a social network: handle, picture, likes, caption."""
    image = Image.new("RGB", PHONE_SIZE, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    width = PHONE_SIZE[0]
    _status_bar(draw, f"{rng.randint(19, 22)}:{rng.randint(0, 59):02d}")
    draw.line((0, 96, width, 96), fill=(225, 225, 225), width=1)
    draw.text((width // 2, 70), "Posts", font=font(22), fill=(20, 20, 20), anchor="mm")
    draw.text((22, 70), "<", font=font(30), fill=(20, 20, 20), anchor="lm")
    draw.ellipse((16, 110, 64, 158), outline=(220, 60, 120), width=3)
    draw.ellipse((22, 116, 58, 152), fill=(120, 130, 140))
    handle = str(params["handle"])
    draw.text((76, 122), handle, font=font(19), fill=(20, 20, 20))
    draw.text((76, 145), "The Red Lion", font=font(14), fill=(90, 90, 90))
    draw.text((width - 30, 134), "...", font=font(22), fill=(20, 20, 20), anchor="mm")
    photo = _people_scene((width, width), rng)
    image.paste(photo, (0, 170))
    y = 170 + width + 16
    # heart, speech bubble, paper plane: simple outlines
    draw.ellipse((18, y, 36, y + 18), fill=(230, 40, 70))
    draw.ellipse((32, y, 50, y + 18), fill=(230, 40, 70))
    draw.polygon(((19, y + 12), (49, y + 12), (34, y + 29)), fill=(230, 40, 70))
    draw.ellipse((70, y, 100, y + 28), outline=(20, 20, 20), width=3)
    draw.polygon(((120, y + 2), (150, y + 14), (124, y + 28)), outline=(20, 20, 20), width=3)
    y += 44
    draw.text((18, y), f"{params['likes']} likes", font=font(18), fill=(20, 20, 20))
    y += 30
    lines = _wrap(draw, f"{handle} {params['caption']}", font(18), width - 40)
    for line in lines:
        draw.text((18, y), line, font=font(18), fill=(20, 20, 20))
        y += 26
    draw.text((18, y + 6), _long_date(when).upper(), font=font(13), fill=(140, 140, 140))
    return _png(image)


def tyre_photo(params: Mapping[str, Any], when: datetime, rng: random.Random) -> bytes:
    """A close photo of a car tyre on tarmac with nails standing under the tread."""
    width, height = PHOTO_SIZE
    base = Image.new("RGB", PHOTO_SIZE, (96, 92, 88))
    draw = ImageDraw.Draw(base)
    for _ in range(900):  # tarmac stones
        x, y = rng.randrange(width), rng.randrange(height)
        shade = rng.randint(55, 135)
        r = rng.randint(1, 4)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(shade, shade, shade + 4))
    # the tyre, seen from the front and a little above: a dark band with tread blocks
    left, right, top, bottom = 170, 630, -40, 470
    draw.rounded_rectangle((left, top, right, bottom), radius=90, fill=(28, 28, 30))
    draw.rounded_rectangle((left + 30, top, right - 30, bottom - 26), radius=70,
                           fill=(38, 38, 40))
    for row in range(0, bottom - 40, 46):
        offset = 20 if (row // 46) % 2 else 0
        for column in range(left + 50 + offset, right - 60, 80):
            draw.rounded_rectangle((column, row + 8, column + 52, row + 36), radius=6,
                                   fill=(50, 50, 53))
    for groove in (left + 150, right - 150):
        draw.line((groove, top, groove, bottom - 30), fill=(18, 18, 19), width=12)
    # contact patch shadow where the tyre meets the ground
    draw.ellipse((left - 20, bottom - 40, right + 20, bottom + 40), fill=(40, 40, 42))
    draw.rounded_rectangle((left, top, right, bottom), radius=90, outline=(22, 22, 24), width=6)
    nails = int(params.get("nails", 1))
    for index in range(nails):
        # lying on the tarmac in front of the tyre, propped so the point faces the tread
        x = 330 + index * 170 + rng.randint(-20, 20)
        lean = rng.randint(-30, 30)
        tip = (x, bottom - 6)
        head = (x + lean, bottom + 120)
        draw.line((head[0] + 10, head[1] + 6, tip[0] + 12, tip[1] + 14), fill=(25, 25, 27),
                  width=12)
        draw.polygon(((head[0] - 5, head[1]), (head[0] + 5, head[1]), (tip[0] + 1, tip[1] + 14),
                      tip, (tip[0] - 1, tip[1] + 14)), fill=(170, 172, 178))
        draw.line((head[0] - 2, head[1], tip[0] - 1, tip[1] + 12), fill=(225, 228, 232),
                  width=2)
        draw.ellipse((head[0] - 20, head[1] - 8, head[0] + 20, head[1] + 8),
                     fill=(150, 152, 156), outline=(95, 95, 100), width=2)
    photo = base.filter(ImageFilter.GaussianBlur(1.2))
    photo = _grain(photo, rng, 0.05)
    del when
    return _png(photo)


def car_photo(params: Mapping[str, Any], when: datetime, rng: random.Random) -> bytes:
    """A night-time photo through a window of a parked car's rear and its number plate."""
    width, height = PHOTO_SIZE
    base = Image.new("RGB", PHOTO_SIZE, (14, 16, 28))
    draw = ImageDraw.Draw(base)
    for radius, shade in ((260, (40, 38, 40)), (170, (70, 62, 50)), (80, (150, 125, 80))):
        draw.ellipse((640 - radius, 60 - radius, 640 + radius, 60 + radius), fill=shade)
    base = base.filter(ImageFilter.GaussianBlur(40))  # the street light's glow
    draw = ImageDraw.Draw(base)
    draw.rectangle((0, 430, width, height), fill=(34, 34, 38))  # road
    draw.rectangle((0, 410, width, 430), fill=(60, 60, 62))  # kerb
    # the car, from behind
    draw.rounded_rectangle((180, 200, 620, 440), radius=40, fill=(58, 60, 64))
    draw.polygon(((240, 205), (560, 205), (520, 120), (280, 120)), fill=(52, 54, 58))
    draw.polygon(((262, 200), (538, 200), (505, 132), (295, 132)), fill=(22, 24, 30))
    for x in (196, 540):
        draw.rounded_rectangle((x, 250, x + 64, 290), radius=8, fill=(190, 30, 30))
    draw.rectangle((180, 380, 620, 440), fill=(40, 40, 44))  # bumper
    for x in (205, 545):
        draw.rectangle((x, 440, x + 55, 470), fill=(10, 10, 12))  # tyres
    plate = (300, 318, 500, 366)
    draw.rectangle(plate, fill=(245, 200, 20), outline=(20, 20, 20), width=2)
    draw.text(((plate[0] + plate[2]) // 2, (plate[1] + plate[3]) // 2),
              str(params["registration"]), font=font(34), fill=(10, 10, 10), anchor="mm")
    photo = base.filter(ImageFilter.GaussianBlur(1.6))
    photo = _grain(photo, rng, 0.14)
    ImageDraw.Draw(photo).text((width - 16, height - 14), when.strftime("%d/%m/%Y %H:%M"),
                               font=font(18), fill=(250, 160, 40), anchor="rb")
    return _png(photo)


def _wobbly_line(draw: ImageDraw.ImageDraw, points: Sequence[tuple[float, float]],
                 rng: random.Random, *, fill: Colour, width: int, dashed: bool = False) -> None:
    """A hand-drawn looking line through the points."""
    traced: list[tuple[float, float]] = []
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        steps = max(2, int(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 // 14))
        for step in range(steps):
            t = step / steps
            traced.append((x0 + (x1 - x0) * t + rng.uniform(-1.5, 1.5),
                           y0 + (y1 - y0) * t + rng.uniform(-1.5, 1.5)))
    traced.append(points[-1])
    if not dashed:
        draw.line(traced, fill=fill, width=width, joint="curve")
        return
    for index in range(0, len(traced) - 1, 2):
        draw.line(traced[index:index + 2], fill=fill, width=width)


def map_sketch(params: Mapping[str, Any], when: datetime, rng: random.Random) -> bytes:
    """A victim's hand-drawn map: home, the old and the new bus stop, where he stood."""
    width, height = PHOTO_SIZE
    image = Image.new("RGB", PHOTO_SIZE, (246, 242, 230))
    draw = ImageDraw.Draw(image)
    for y in range(40, height, 32):  # ruled notebook lines
        draw.line((0, y, width, y), fill=(214, 224, 236), width=1)
    ink: Colour = (40, 50, 90)
    roads = {
        "Hill Road": [(60, 160), (740, 150)],
        "Beech Avenue": [(120, 470), (760, 480)],
        "Alder Close": [(330, 156), (335, 300)],
        "Orchard St": [(600, 152), (610, 478)],
    }
    for points in roads.values():
        _wobbly_line(draw, points, rng, fill=ink, width=3)
        dx, dy = (0, 26) if _is_horizontal(points) else (26, 0)
        _wobbly_line(draw, [(x + dx, y + dy) for x, y in points], rng, fill=ink, width=3)
    draw.text((80, 120), "Hill Road", font=font(22), fill=ink)
    draw.text((140, 505), "Beech Avenue", font=font(22), fill=ink)
    draw.text((372, 200), "Alder Close", font=font(18), fill=ink)
    draw.text((645, 300), "Orchard St", font=font(18), fill=ink)
    # home
    draw.polygon(((338, 290), (378, 260), (418, 290)), outline=ink, width=3)
    draw.rectangle((346, 290, 410, 336), outline=ink, width=3)
    draw.text((378, 352), "HOME", font=font(18), fill=ink, anchor="mm")
    # stops
    old_stop, new_stop = (170, 212), (560, 520)
    for (x, y), label, colour in ((old_stop, "old stop H2", (200, 40, 40)),
                                  (new_stop, "new stop (Beech Ave)", (30, 110, 60))):
        draw.ellipse((x - 14, y - 14, x + 14, y + 14), outline=colour, width=4)
        draw.text((x, y), "B", font=font(16), fill=colour, anchor="mm")
        draw.text((x + 22, y + 2), label, font=font(18), fill=colour, anchor="lm")
    # my walk now, and where he stood
    _wobbly_line(draw, [(378, 336), (378, 410), (470, 410), (548, 506)], rng,
                 fill=(30, 110, 60), width=3, dashed=True)
    for x, y in ((520, 545), (128, 212)):
        draw.line((x - 12, y - 12, x + 12, y + 12), fill=(200, 40, 40), width=4)
        draw.line((x - 12, y + 12, x + 12, y - 12), fill=(200, 40, 40), width=4)
    draw.text((470, 575), "X = where he stood", font=font(16), fill=(200, 40, 40))
    draw.text((500, 395), "my walk now (10 min)", font=font(16), fill=(30, 110, 60))
    draw.text((width - 20, 20), "not to scale", font=font(16), fill=ink, anchor="ra")
    draw.text((20, 20), "Drawn by me", font=font(16), fill=ink)
    del when
    return _png(image.filter(ImageFilter.SMOOTH))


def _is_horizontal(points: Sequence[tuple[float, float]]) -> bool:
    (x0, y0), (x1, y1) = points[0], points[-1]
    return abs(x1 - x0) > abs(y1 - y0)


def text(params: Mapping[str, Any], when: datetime, rng: random.Random) -> bytes:
    """A plain UTF-8 note."""
    del when, rng
    body = str(params["text"])
    return (body if body.endswith("\n") else body + "\n").encode("utf-8")


def email(params: Mapping[str, Any], when: datetime, rng: random.Random) -> bytes:
    """An e-mail as saved from a mail client (RFC 5322 text), sent at the incident's time."""
    message = EmailMessage()
    message["From"] = str(params.get("from", "Mark Ellis <mark.ellis@example.com>"))
    message["To"] = str(params.get("to", "Alex Morgan <alex.morgan@example.org>"))
    message["Subject"] = str(params["subject"])
    message["Date"] = format_datetime(when)
    message["Message-ID"] = f"<{rng.getrandbits(64):016x}.{when:%Y%m%d%H%M}@mail.example.com>"
    # Wrapped as a mail client would, so the saved file reads as plain text.
    paragraphs = str(params["body"]).split("\n\n")
    body = "\n\n".join(textwrap.fill(paragraph.strip(), width=72) for paragraph in paragraphs)
    message.set_content(body + "\n", cte="8bit")
    return message.as_bytes()


GENERATORS: dict[str, Callable[[Mapping[str, Any], datetime, random.Random], bytes]] = {
    "sms_screenshot": sms_screenshot,
    "chat_screenshot": chat_screenshot,
    "social_screenshot": social_screenshot,
    "tyre_photo": tyre_photo,
    "car_photo": car_photo,
    "map_sketch": map_sketch,
    "text": text,
    "email": email,
}


def generate(kind: str, params: Mapping[str, Any], when: datetime, rng: random.Random) -> bytes:
    return GENERATORS[kind](params, when, rng)
