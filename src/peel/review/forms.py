from __future__ import annotations

from typing import Any

from django import forms

from peel.accounts.models import Team
from peel.review.actions import REFERRAL_GRADES, DecisionInput, deploy_grade_choices
from peel.review.choices import CrimeFlag, NextAction, Outcome
from peel.review.reference import incident_codes, offences

_BLANK = [("", "Choose…")]


def _grouped(items: list[Any]) -> list[Any]:
    """Choices in <optgroup>s by the items' group, in file order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for item in items:
        groups.setdefault(item.group, []).append((item.code, item.label))
    return [*_BLANK, *groups.items()]


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Crime-recording decision", choices=Outcome.choices, widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        label="Rationale",
        help_text="Required unless a crime is recorded. Kept in the incident log, not shown to the public.",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    offence_code = forms.ChoiceField(label="Home Office offence", required=False)
    crime_flags = forms.MultipleChoiceField(
        label="Crime flags",
        choices=CrimeFlag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # Not required here: decision_problems() names what is missing, in the same words as for
    # every other rule, so the operator sees one consistent list.
    opening_code = forms.ChoiceField(label="Incident opening category", required=False)
    closing_code = forms.ChoiceField(label="Incident closing category", required=False)
    qualifiers = forms.MultipleChoiceField(
        label="Qualifiers", required=False, widget=forms.CheckboxSelectMultiple
    )
    victim_message = forms.CharField(
        label="Update for the victim",
        help_text="Shown on the reporter's status page. Required when no crime is recorded: say why.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    actions = forms.MultipleChoiceField(
        label="What happens next",
        choices=NextAction.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    deploy_grade = forms.ChoiceField(label="Deployment grade", required=False)
    referral_grade = forms.ChoiceField(
        label="Referral risk rating",
        required=False,
        choices=[*_BLANK, *((g, g.title()) for g in REFERRAL_GRADES)],
    )
    action_rationale = forms.CharField(
        label="Why no further action",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    info_request = forms.CharField(
        label="Question for the reporter",
        help_text="Shown on their status page; they can answer there.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, referral_open: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        recordable = [o for o in offences().values() if o.recordable]
        codes = incident_codes()
        for name, choices in (
            ("offence_code", _grouped(recordable)),
            ("opening_code", _grouped(codes.opening())),
            ("closing_code", _grouped(codes.closing())),
            ("qualifiers", list(codes.qualifiers.items())),
            ("deploy_grade", [*_BLANK, *deploy_grade_choices()]),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
        if referral_open:
            # The page shows the open referral instead of offering a second one. The field still
            # accepts "refer", so a page opened before triage referred is not refused: the
            # decision joins the open referral (do_refer_to_safeguarding).
            actions = self.fields["actions"]
            assert isinstance(actions, forms.ChoiceField)
            actions.widget.choices = [c for c in NextAction.choices if c[0] != NextAction.REFER]

    def to_input(self) -> DecisionInput:
        data = self.cleaned_data
        return DecisionInput(
            outcome=data["outcome"],
            rationale=data["rationale"],
            offence_code=data["offence_code"],
            crime_flags=list(data["crime_flags"]),
            opening_code=data["opening_code"],
            closing_code=data["closing_code"],
            qualifiers=list(data["qualifiers"]),
            victim_message=data["victim_message"],
            actions=list(data["actions"]),
            deploy_grade=data["deploy_grade"],
            referral_grade=data["referral_grade"],
            action_rationale=data["action_rationale"],
            info_request=data["info_request"],
        )

    def add_problems(self, problems: dict[str, str]) -> None:
        for name, message in problems.items():
            self.add_error(name if name in self.fields else None, message)


class MergeForm(forms.Form):
    duplicate = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="Why these are the same incident", max_length=1000)


class RestrictForm(forms.Form):
    """Make a report visible to one team only (a report about a colleague, say), or lift that."""

    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"),
        required=False,
        empty_label="No team: everyone who may read reports",
        label="Only this team may see the report",
    )
    reason = forms.CharField(label="Why (kept in the audit log)", max_length=300)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=1000)


class SampleForm(forms.Form):
    count = forms.IntegerField(label="How many decisions", min_value=1, max_value=200, initial=10)
    days = forms.IntegerField(label="Made in the last (days)", min_value=1, max_value=90, initial=7)


class CheckForm(forms.Form):
    verdict = forms.ChoiceField(choices=[("agree", "Agree"), ("send_back", "Send back")])
    comment = forms.CharField(label="Comment for the operator", required=False, max_length=2000)


# The citizen status page (status_views.py).


class AnswerForm(forms.Form):
    """The reporter's answer to our question; reference and email are checked again."""

    reference = forms.CharField(max_length=24, widget=forms.HiddenInput)
    email = forms.EmailField(max_length=120, widget=forms.HiddenInput)
    answer = forms.CharField(
        label="Your answer", max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "answer-%s")  # shown beside the look-up form: ids differ
        super().__init__(*args, **kwargs)


class StatusForm(forms.Form):
    reference = forms.CharField(
        label="Your reference", max_length=24, help_text="For example PEEL-261121-ABC234"
    )
    email = forms.EmailField(label="The email address you gave us", max_length=120)
