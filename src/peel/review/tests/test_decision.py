import pytest
from django.test import Client

from peel.accounts.testing import sign_in
from peel.audit.actors import Robot
from peel.audit.models import AccessEvent, AuditEvent
from peel.process.testing import file_report
from peel.reports.choices import ReportStatus
from peel.review.actions import DecisionError, do_record_decision
from peel.review.models import Decision
from peel.review.testing import decision_input
from peel.workqueue.actions import NotYourItem, do_get_work
from peel.workqueue.models import WorkStatus

pytestmark = pytest.mark.django_db

NOT_A_CRIME_FORM = {
    "outcome": "not_a_crime",
    "rationale": "Civil dispute.",
    "opening_code": "108",
    "closing_code": "304",
    "actions": ["resolve"],
    "victim_message": "This is a civil matter.",
}


def test_a_decision_closes_the_item_and_is_audited(operator) -> None:
    report = file_report()
    item = do_get_work(operator)
    assert item is not None
    do_record_decision(operator, item, decision_input())
    item.refresh_from_db()
    report.refresh_from_db()
    assert item.status == WorkStatus.DONE
    assert report.status == ReportStatus.DECIDED
    assert Decision.objects.get().outcome == "crime"
    actions = list(AuditEvent.objects.filter(actor=operator).values_list("action", flat=True))
    assert actions == [
        "work.allocated",
        "work.completed",
        "crime.recorded",
        "review.decided",
        "robot.enqueued",  # one robot task per shipped target: the CHS, the crime system,
        "robot.enqueued",  # and the performance return's file drop
        "robot.enqueued",
        "report.status_changed",
        "notifications.email_queued",  # "there is an update": the details are on the status page
    ]


@pytest.mark.parametrize("outcome", ["not_a_crime", "crime_related_incident"])
def test_anything_but_a_crime_needs_a_rationale(operator, outcome: str) -> None:
    file_report()
    item = do_get_work(operator)
    assert item is not None
    with pytest.raises(DecisionError, match="Give the rationale") as raised:
        do_record_decision(operator, item, decision_input(outcome, rationale="   "))
    assert set(raised.value.problems) == {"rationale"}
    item.refresh_from_db()
    assert item.status == WorkStatus.ALLOCATED
    assert Decision.objects.count() == 0


def test_only_the_holder_can_decide(operator, other_operator) -> None:
    file_report()
    item = do_get_work(operator)
    assert item is not None
    with pytest.raises(NotYourItem):
        do_record_decision(other_operator, item, decision_input())
    assert Decision.objects.count() == 0


class TestReviewPage:
    def hold_and_sign_in(self, client: Client, holder, viewer=None, **report_fields):
        """File a report, let `holder` claim it, sign `viewer` (default: the holder) in."""
        report = file_report(**report_fields)
        item = do_get_work(holder)
        assert item is not None
        viewer = viewer or holder
        sign_in(client, viewer)
        return report, f"/staff/work/{item.pk}/"

    def test_the_operator_sees_the_report_and_the_read_is_logged(
        self, client: Client, operator
    ) -> None:
        report, url = self.hold_and_sign_in(client, operator, victim_under_18=True)
        body = client.get(url).content.decode()
        assert report.reference in body
        assert "Victim is under 18: +30" in body
        assert "Amira Khan" in body
        access = AccessEvent.objects.get()
        assert (access.user, access.object_id, access.purpose) == (
            operator,
            str(report.pk),
            "review",
        )

    def test_public_free_text_is_escaped(self, client: Client, operator) -> None:
        _, url = self.hold_and_sign_in(
            client, operator, description='<script>alert("x")</script><b>bold</b>'
        )
        body = client.get(url).content.decode()
        assert "<script>alert" not in body and "<b>bold</b>" not in body
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body

    def test_another_operator_cannot_open_my_item(
        self, client: Client, operator, other_operator
    ) -> None:
        report, url = self.hold_and_sign_in(client, operator, viewer=other_operator)
        response = client.get(url)
        assert response.status_code == 302
        assert report.reference not in client.get(response["Location"]).content.decode()
        assert AccessEvent.objects.count() == 0

    def test_posting_a_decision_without_rationale_shows_the_error(
        self, client: Client, operator
    ) -> None:
        _, url = self.hold_and_sign_in(client, operator)
        response = client.post(url, {**NOT_A_CRIME_FORM, "rationale": ""})
        assert response.status_code == 400
        assert "Give the rationale for &#x27;Not a crime&#x27;." in response.content.decode()

    def test_posting_a_decision_records_it(self, client: Client, operator) -> None:
        _, url = self.hold_and_sign_in(client, operator)
        response = client.post(url, NOT_A_CRIME_FORM)
        assert response["Location"] == "/staff/"
        decision = Decision.objects.get()
        assert (decision.outcome, decision.rationale, decision.decided_by) == (
            "not_a_crime", "Civil dispute.", operator,
        )  # fmt: skip

    def test_an_analyst_cannot_open_the_review_screen(
        self, client: Client, operator, analyst
    ) -> None:
        _, url = self.hold_and_sign_in(client, operator, viewer=analyst)
        assert client.get(url).status_code == 403


def test_the_review_screen_shows_flags_items_and_the_national_reference(client, operator) -> None:
    import json

    from peel.intake.pipeline import accept_json
    from peel.reports.choices import Channel
    from peel.sdm.samples import sample_document

    document = sample_document(seed=3)
    location = next(e for e in document["included"] if e["type"] == "location")
    location["attributes"]["postcode"] = "NOT A POSTCODE"
    document["included"].append(
        {
            "id": "object.weapon.9",
            "type": "object",
            "attributes": {"weaponDetails": "A <b>kitchen</b> knife"},
        }
    )
    document["data"]["relationships"]["weaponUsed"] = {
        "data": [{"id": "object.weapon.9", "type": "object"}]
    }
    outcome = accept_json(Robot("test"), Channel.API, json.dumps(document).encode())
    assert outcome.ok
    item = do_get_work(operator)
    assert item is not None and item.report == outcome.submission.report
    sign_in(client, operator)
    page = client.get(f"/staff/work/{item.pk}/").content.decode()
    assert (
        "Check before deciding" in page
        and "&#x27;NOT A POSTCODE&#x27; is not a valid UK postcode" in page
    )
    assert "Weapon used: weapon: A &lt;b&gt;kitchen&lt;/b&gt; knife" in page  # words; escaped
    assert item.report.customer_reference in page
    assert "A weapon was involved: +30" in page
