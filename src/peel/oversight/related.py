"""Which rows of the audit and access logs are about a report: the report itself, its people,
and every row that belongs to it (its work items, decisions, robot tasks, assessments, ...).

Found from the models' foreign keys (two steps from the report: a decision, then its quality
check), so a new app's rows are found without a change here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, cast

from django.apps import apps
from django.db import models
from django.db.models import Q

from peel.reports.models import Involvement, Report

Targets = dict[str, set[str]]  # object_type -> object ids, as the logs store them

LOG_MODELS = {"audit.auditevent", "audit.accessevent"}


def _foreign_keys_to(targets: set[type[models.Model]]) -> list[tuple[type[models.Model], str]]:
    found = []
    for model in apps.get_models():
        if model._meta.label_lower in LOG_MODELS or model in targets:
            continue
        for field in model._meta.concrete_fields:
            if (field.many_to_one or field.one_to_one) and field.related_model in targets:
                found.append((model, field.name))
    return found


def rows_about_reports(report_ids: Iterable[int]) -> Targets:
    """Every row that is about one of these reports, by object type."""
    ids = sorted(set(report_ids))
    targets: Targets = defaultdict(set)
    if not ids:
        return targets
    targets[Report._meta.label_lower].update(map(str, ids))
    people = Involvement.objects.filter(report_id__in=ids).values_list("person_id", flat=True)
    targets["reports.person"].update(str(pk) for pk in people)
    first_step: dict[type[models.Model], set[int]] = defaultdict(set)
    for model, field in _foreign_keys_to({Report}):
        pks = model._default_manager.filter(**{f"{field}__in": ids}).values_list("pk", flat=True)
        first_step[model].update(pks)
    for model, found in first_step.items():
        targets[model._meta.label_lower].update(map(str, found))
    for model, field in _foreign_keys_to(set(first_step)):
        parent_ids = first_step.get(cast(Any, model._meta.get_field(field).related_model), set())
        if parent_ids:
            rows = model._default_manager.filter(**{f"{field}__in": parent_ids})
            targets[model._meta.label_lower].update(map(str, rows.values_list("pk", flat=True)))
    return targets


def merge(*many: Targets) -> Targets:
    merged: Targets = defaultdict(set)
    for targets in many:
        for object_type, ids in targets.items():
            merged[object_type].update(ids)
    return merged


def about(targets: Targets) -> Q:
    """A filter on either log: rows whose object is one of `targets` (matches none if empty)."""
    query = Q(pk__in=[])
    for object_type, ids in targets.items():
        if ids:
            query |= Q(object_type=object_type, object_id__in=sorted(ids))
    return query
