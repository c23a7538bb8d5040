from __future__ import annotations

from typing import Any

from django import forms

from peel.triage import dash
from peel.triage.models import DashAnswer


class DashForm(forms.Form):
    """The 24 DASH questions (yes / no / not known), then professional judgement."""

    professional_judgement_high = forms.BooleanField(
        required=False,
        label="In my professional judgement the risk is high, whatever the count",
    )
    rationale = forms.CharField(
        required=False,
        max_length=4000,
        label="Why (required when judgement raises the risk)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number, (key, text) in enumerate(dash.QUESTIONS, start=1):
            self.fields[f"q_{key}"] = forms.ChoiceField(
                label=f"{number}. {text}",
                choices=DashAnswer.choices,
                widget=forms.RadioSelect,
            )
        # Questions first, judgement last, as on the paper form.
        order = [f"q_{key}" for key in dash.KEYS] + ["professional_judgement_high", "rationale"]
        self.order_fields(order)

    def answers(self) -> dict[str, str]:
        return {key: self.cleaned_data[f"q_{key}"] for key in dash.KEYS}


class ProposeRulesForm(forms.Form):
    source = forms.CharField(
        label="Rule set (TOML)",
        help_text="Change `version` and the rules; nothing changes until you switch it on.",
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 30, "class": "code", "spellcheck": "false"}),
    )
