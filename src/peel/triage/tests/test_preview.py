"""The rule preview lists re-graded reports by name only for a reader who may read them."""

from __future__ import annotations

import pytest
from django.test import Client

from peel.accounts.models import Team
from peel.accounts.testing import sign_in
from peel.audit.models import AccessEvent
from peel.process.testing import file_report
from peel.reports.actions import do_restrict_report
from peel.triage.actions import do_propose_ruleset
from peel.triage.models import RuleSetStatus, RuleSetVersion
from peel.triage.store import active_ruleset

pytestmark = pytest.mark.django_db

# Every test report has "weapon involved: no", so this re-grades them all to P1.
EXTRA_RULE = """
[[rule]]
fact = "weapon_involved"
equals = false
points = 60
thrive = "threat"
reason = "No weapon, oddly"
"""


def proposed_everything_p1(supervisor) -> RuleSetVersion:
    source = RuleSetVersion.objects.get(status=RuleSetStatus.ACTIVE).source
    version = active_ruleset().version
    source = source.replace(f'version = "{version}"', 'version = "preview-test"') + EXTRA_RULE
    return do_propose_ruleset(supervisor, source)


def test_the_preview_counts_restricted_reports_but_never_names_them(
    client: Client, supervisor
) -> None:
    shown, secret = file_report(), file_report()
    do_restrict_report(supervisor, secret, Team.objects.get(slug="safeguarding-hub"), "PSD")
    row = proposed_everything_p1(supervisor)
    sign_in(client, supervisor)
    page = client.get(f"/staff/triage/rules/{row.pk}/").content.decode()
    assert "2 of 2 reports would change grade" in page  # counts cover every report
    assert shown.reference in page and "No weapon, oddly" in page
    assert secret.reference not in page
    assert "1 restricted report not shown" in page
    logged = AccessEvent.objects.filter(user=supervisor, purpose="triage rule preview")
    assert list(logged.values_list("object_id", flat=True)) == [str(shown.pk)]
