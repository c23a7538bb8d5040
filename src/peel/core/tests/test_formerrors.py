"""Error messages say what to do, on every form, derived from the label unless a form says."""

from __future__ import annotations

import pytest
from django import forms
from django.test import Client

from peel.core.formerrors import field_messages

YES_NO = [("yes", "Yes"), ("no", "No")]


class Example(forms.Form):
    danger = forms.ChoiceField(
        label="Is anyone in immediate danger?", choices=YES_NO, widget=forms.RadioSelect
    )
    weapon = forms.ChoiceField(
        label="Was a weapon involved or mentioned?", choices=YES_NO, widget=forms.RadioSelect
    )
    safe = forms.ChoiceField(
        label="Is it safe for us to email you about this report?",
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    saw = forms.ChoiceField(
        label="Did anyone else see it?", choices=YES_NO, widget=forms.RadioSelect
    )
    kind = forms.ChoiceField(label="Type of bicycle", choices=[("a", "A")])
    first = forms.CharField(label="Your first name")
    email = forms.EmailField(label="Email address")
    note = forms.CharField(label="Note (optional)", max_length=5, required=False)
    own = forms.CharField(label="Town", error_messages={"required": "Enter the town it was in"})


def messages(data: dict[str, str]) -> dict[str, list[str]]:
    form = Example(data)
    form.is_valid()
    return {bound.name: field_messages(bound) for bound in form if field_messages(bound)}


def test_empty_answers_get_messages_that_say_what_to_do() -> None:
    assert messages({}) == {
        "danger": ["Select yes if anyone is in immediate danger"],
        "weapon": ["Select yes if a weapon was involved or mentioned"],
        "safe": ["Select yes if it is safe for us to email you about this report"],
        "saw": ["Select yes or no: Did anyone else see it?"],
        "kind": ["Select type of bicycle"],
        "first": ["Enter your first name"],
        "email": ["Enter email address"],
        "own": ["Enter the town it was in"],  # the form's own words are kept
    }


def test_wrong_answers_get_messages_that_say_what_to_do() -> None:
    found = messages({"email": "name.example.com", "note": "far too long", "kind": "zzz"})
    assert found["email"] == ["Enter an email address in the correct format, like name@example.com"]
    assert found["note"] == ["Note must be 5 characters or fewer"]
    assert found["kind"] == ["Select one of the options given for type of bicycle"]


@pytest.mark.django_db
def test_no_form_in_peel_shows_djangos_generic_required_message(
    staff_client, client: Client, supervisor
) -> None:
    client.get("/report/")
    pages = {
        "/report/safety/": {},
        "/report/status/": {"email": "x"},
        "/staff/login/": {},
    }
    for url, data in pages.items():
        body = client.post(url, data).content.decode()
        assert "There is a problem" in body, url
        assert "This field is required" not in body and "Enter a valid" not in body, url
    client = staff_client(supervisor)
    body = client.post("/staff/triage/rules/", {"source": ""}).content.decode()
    assert "There is a problem" in body and "This field is required" not in body
