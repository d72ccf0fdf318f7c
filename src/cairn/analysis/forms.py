"""A Django form built from a questionnaire definition (``questionnaire.FormDefinition``),
rendered with the GOV.UK components. It parses what was chosen; the service validates."""

from __future__ import annotations

from typing import Any

from django import forms

from cairn.analysis.questionnaire import MAX_TEXT, FormDefinition


class QuestionnaireForm(forms.Form):
    def __init__(self, definition: FormDefinition, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        for question in definition.questions:
            choices = [(o.value, o.label) for o in question.options]
            common = {
                "label": question.text,
                "help_text": question.hint,
                "required": question.required,
                "error_messages": {
                    "required": f"Answer: {question.text}",
                    "invalid_choice": "Choose one of the answers",
                },
            }
            if question.type == "choice":
                self.fields[question.id] = forms.ChoiceField(choices=choices, **common)
            elif question.type == "choices":
                self.fields[question.id] = forms.MultipleChoiceField(choices=choices, **common)
            else:
                self.fields[question.id] = forms.CharField(max_length=MAX_TEXT, **common)

    def kinds(self) -> list[tuple[forms.BoundField, str]]:
        return [(self[q.id], q.type) for q in self.definition.questions]
