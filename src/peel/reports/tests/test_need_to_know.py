"""Need to know: despatchers, investigators and records officers read a report only while they
hold work on it. (Found by a new user: a despatcher could open any report by its number.)"""

from __future__ import annotations

import pytest

from peel.audit.actors import TEST
from peel.process.testing import file_report
from peel.workqueue.actions import do_complete_item, do_enqueue, do_get_work
from peel.workqueue.models import WorkKind

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "kind"),
    [
        ("despatcher", WorkKind.DEPLOYMENT),
        ("investigator", WorkKind.CRIME_INVESTIGATION),
        ("records_officer", WorkKind.RETENTION_REVIEW),
    ],
)
def test_a_report_is_open_to_them_only_while_they_hold_its_work(
    staff_client, make_user, role, kind
):
    theirs, other = file_report(), file_report()
    do_enqueue(TEST, kind, "P2", report=theirs)
    worker = make_user(f"{role}-1", role)
    client = staff_client(worker)
    assert client.get(f"/staff/reports/{other.pk}/").status_code == 403
    assert client.get(f"/staff/reports/{theirs.pk}/").status_code == 403  # not yet theirs
    item = do_get_work(worker)
    assert item is not None and item.report_id == theirs.pk
    page = client.get(f"/staff/reports/{theirs.pk}/")
    assert page.status_code == 200 and theirs.reference in page.content.decode()
    assert client.get(f"/staff/reports/{other.pk}/").status_code == 403
    do_complete_item(worker, item)
    assert client.get(f"/staff/reports/{theirs.pk}/").status_code == 403
