"""A questionnaire engine: a form is a YAML file (questions, answer types, flags, scoring), so a
force can add a form it holds a licence for without code. Cairn ships only its own form,
``forms/cairn-indicators.yaml``, written from its evidence-based indicator set (research.md).

Pure: PyYAML and plain dataclasses. Errors name the file and the field at fault.

Form definition::

    id: cairn-indicators          # letters, digits and hyphens
    version: 1
    title: ...
    description: ...              # optional
    source: ...                   # where the questions come from
    questions:
      - id: threats               # letters, digits and underscores
        text: ...
        hint: ...                 # optional
        type: choice              # choice (one option) | choices (several) | text
        required: false
        options: [{value: "yes", label: "Yes"}, ...]      # choice and choices only
        flags: {"yes": explicit_threats}                  # answer value -> indicator key
        score: {"yes": 1}                                 # answer value -> points
    bands:                        # optional: total score -> words, first match wins
      - {min: 0, max: 0, label: ...}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

BUILTIN_DIR = Path(__file__).parent / "forms"
ANSWER_TYPES = ("choice", "choices", "text")
FORM_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
QUESTION_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_TEXT = 2000


class FormError(ValueError):
    """A form definition that cannot be used; the message names the file and the field."""


class AnswerError(ValueError):
    """Answers that do not fit the form: ``errors`` maps a question id to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


# Said wherever a band is shown (research.md): the bands are Cairn's own, and the lowest one
# must not reassure.
BAND_NOTE = (
    "These bands are Cairn's own and not validated by research. Stalking can become dangerous "
    "without any of these signs: if you are in danger, call 999."
)
BAND_NOTE_THIRD = (
    "The result bands of Cairn's own form are Cairn's own and not validated by research. "
    "Stalking can become dangerous without any of these signs."
)
CAIRN_FORM_ID = "cairn-indicators"


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    hint: str
    type: str
    required: bool
    options: tuple[Option, ...]
    flags: dict[str, str]
    score: dict[str, int]

    def label_of(self, value: str) -> str:
        return next((o.label for o in self.options if o.value == value), value)


@dataclass(frozen=True)
class Band:
    min: int
    max: int | None
    label: str


@dataclass(frozen=True)
class FormDefinition:
    id: str
    version: int
    title: str
    description: str
    source: str
    questions: tuple[Question, ...]
    bands: tuple[Band, ...]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class Score:
    total: int
    flags: tuple[tuple[str, str], ...]  # (indicator key, question id)
    band: str


def _need(data: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise FormError(f"{where}.{key}: expected {kind.__name__}")
    return value


def parse_form(text: str, *, name: str = "<form>") -> FormDefinition:  # noqa: C901, PLR0912 (a form file's checks, one branch each, in file order)
    """Read a form definition from YAML text; raises FormError naming ``name`` and the field."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FormError(f"{name}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise FormError(f"{name}: expected a mapping at the top")
    form_id = _need(data, "id", str, name)
    if not FORM_ID.match(form_id):
        raise FormError(f"{name}.id: use lower-case letters, digits and hyphens")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise FormError(f"{name}.version: expected a whole number from 1")
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        raise FormError(f"{name}.questions: expected a list of questions")
    questions: list[Question] = []
    for n, raw in enumerate(raw_questions):
        where = f"{name}.questions[{n}]"
        if not isinstance(raw, dict):
            raise FormError(f"{where}: expected a mapping")
        qid = _need(raw, "id", str, where)
        if not QUESTION_ID.match(qid) or any(q.id == qid for q in questions):
            raise FormError(f"{where}.id: {qid!r} is not a new lower_case id")
        qtype = raw.get("type", "choice")
        if qtype not in ANSWER_TYPES:
            raise FormError(f"{where}.type: use one of {', '.join(ANSWER_TYPES)}")
        options: list[Option] = []
        for m, opt in enumerate(raw.get("options") or []):
            if not isinstance(opt, dict):
                raise FormError(f"{where}.options[{m}]: expected value and label")
            options.append(
                Option(
                    str(_need(opt, "value", str, f"{where}.options[{m}]")),
                    str(_need(opt, "label", str, f"{where}.options[{m}]")),
                )
            )
        if qtype != "text" and not options:
            raise FormError(f"{where}.options: a {qtype} question needs options")
        values = {o.value for o in options}
        flags = raw.get("flags") or {}
        score = raw.get("score") or {}
        if not isinstance(flags, dict) or not isinstance(score, dict):
            raise FormError(f"{where}: flags and score map an answer value to a key or points")
        for value in [*flags, *score]:
            if str(value) not in values:
                raise FormError(f"{where}: {value!r} is not one of the options")
        for value, points in score.items():
            if not isinstance(points, int) or isinstance(points, bool):
                raise FormError(f"{where}.score.{value}: expected whole points")
        questions.append(
            Question(
                id=qid,
                text=_need(raw, "text", str, where),
                hint=str(raw.get("hint") or ""),
                type=qtype,
                required=bool(raw.get("required", False)),
                options=tuple(options),
                flags={str(k): str(v) for k, v in flags.items()},
                score={str(k): int(v) for k, v in score.items()},
            )
        )
    bands: list[Band] = []
    for n, raw in enumerate(data.get("bands") or []):
        where = f"{name}.bands[{n}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("min"), int):
            raise FormError(f"{where}: expected min (and max) and label")
        bands.append(Band(int(raw["min"]), raw.get("max"), _need(raw, "label", str, where)))
    return FormDefinition(
        id=form_id,
        version=version,
        title=_need(data, "title", str, name),
        description=str(data.get("description") or ""),
        source=_need(data, "source", str, name),
        questions=tuple(questions),
        bands=tuple(bands),
    )


def load_form(path: Path) -> FormDefinition:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FormError(f"{path.name}: cannot be read ({exc.strerror})") from None
    return _parsed(text, path.name)


@lru_cache(maxsize=32)
def _parsed(text: str, name: str) -> FormDefinition:
    # Forms are read on every page that analyses; parsing the YAML cost more than reading
    # the kept analysis. Keyed by the text, so an edited file is parsed again.
    return parse_form(text, name=name)


def available_forms(extra_dirs: tuple[Path, ...] = ()) -> dict[str, FormDefinition]:
    """Cairn's own form and any a deployment adds (a form id appears once; first wins)."""
    found: dict[str, FormDefinition] = {}
    for folder in (BUILTIN_DIR, *extra_dirs):
        for path in sorted(Path(folder).glob("*.yaml")):
            form = load_form(path)
            found.setdefault(form.id, form)
    return found


def clean_answers(form: FormDefinition, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Answers checked against the form: a value per question answered, nothing else."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for question in form.questions:
        value = raw.get(question.id)
        empty = value in (None, "", [], ())
        if empty:
            if question.required:
                errors[question.id] = f"Answer: {question.text}"
            continue
        values = {o.value for o in question.options}
        if question.type == "choice":
            if not isinstance(value, str) or value not in values:
                errors[question.id] = "Choose one of the answers"
                continue
            cleaned[question.id] = value
        elif question.type == "choices":
            items = [value] if isinstance(value, str) else list(value or [])
            if not all(isinstance(v, str) and v in values for v in items):
                errors[question.id] = "Choose from the answers given"
                continue
            cleaned[question.id] = [o.value for o in question.options if o.value in items]
        else:
            text = str(value).strip()
            if len(text) > MAX_TEXT:
                errors[question.id] = f"Keep this under {MAX_TEXT} characters"
                continue
            if text:
                cleaned[question.id] = text
    unknown = sorted(set(raw) - {q.id for q in form.questions})
    if unknown:
        errors[unknown[0]] = "This form has no such question"
    if errors:
        raise AnswerError(errors)
    return cleaned


def score(form: FormDefinition, answers: Mapping[str, Any]) -> Score:
    total = 0
    flags: list[tuple[str, str]] = []
    for question in form.questions:
        value = answers.get(question.id)
        chosen = value if isinstance(value, list) else [value] if isinstance(value, str) else []
        for item in chosen:
            total += question.score.get(item, 0)
            if item in question.flags:
                flags.append((question.flags[item], question.id))
    band = next(
        (b.label for b in form.bands if total >= b.min and (b.max is None or total <= b.max)), ""
    )
    return Score(total=total, flags=tuple(flags), band=band)
