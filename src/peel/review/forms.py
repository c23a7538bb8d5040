from django import forms

from peel.review.choices import Outcome


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Crime-recording decision", choices=Outcome.choices, widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        label="Rationale",
        help_text="Required unless a crime is recorded.",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
