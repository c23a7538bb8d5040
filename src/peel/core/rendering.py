"""How Peel draws form fields: one template for every form (errors that say what to do)."""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting


class PeelFormRenderer(TemplatesSetting):
    field_template_name = "forms/field.html"
