from __future__ import annotations

from django import forms

from peel.accounts.models import User


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason (kept in the audit log)", max_length=1000)


class GiveForm(forms.Form):
    person = forms.ModelChoiceField(
        label="Give to", queryset=User.objects.none(), empty_label="Choose a person"
    )
    reason = forms.CharField(label="Reason (kept in the audit log)", max_length=1000)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # People who may re-key: the role grants work_transposition.
        self.fields["person"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(
                is_active=True,
                groups__permissions__codename="work_transposition",
                groups__permissions__content_type__app_label="workqueue",
            )
            .distinct()
            .order_by("username")
        )


class KeyedForm(forms.Form):
    downstream_ref = forms.CharField(
        label="The record's reference in that system", max_length=200,
        help_text="What the other system shows for the record you made, e.g. CHS-26-000123.",
    )  # fmt: skip
    note = forms.CharField(
        label="Anything else to note", max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


class WindowForm(forms.Form):
    hours = forms.IntegerField(label="Last hours", min_value=1, max_value=24 * 31, initial=24)
