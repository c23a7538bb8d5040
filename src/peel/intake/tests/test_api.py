"""The Standard API (`POST /process`) as the national hub calls it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from peel.audit.actors import Robot
from peel.audit.log import verify_chain
from peel.evidence.store import read_bytes
from peel.intake.models import QuarantineItem, QuarantineReason, QuarantineStatus, Submission
from peel.intake.pipeline import file_pending, retry
from peel.process.testing import api_client_headers
from peel.reports.models import Item, Report
from peel.sdm.samples import sample_document
from peel.sdm.schemas import national_schemas
from peel.workqueue.models import WorkItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub(client: Client) -> Any:
    headers = api_client_headers()

    def post(body: Any, **extra: str) -> Any:
        data = body if isinstance(body, bytes) else json.dumps(body)
        return client.post(
            "/process", data, content_type="application/json", headers={**headers, **extra}
        )

    return post


def test_a_valid_submission_is_stored_mapped_and_queued(hub: Any) -> None:
    document = sample_document(seed=4)
    document["included"] += [
        {
            "id": "object.mobile.90",
            "type": "object",
            "attributes": {"propertyDescription": "Grey phone"},
        },
        {
            "id": "object.bankCard.91",
            "type": "object",
            "attributes": {"bankCardLongNumber": "4929 1234 5678 9012"},
        },
    ]
    document["data"]["relationships"]["stolen"] = {
        "data": [
            {"id": "object.mobile.90", "type": "object"},
            {"id": "object.bankCard.91", "type": "object"},
        ]
    }
    response = hub(document)
    assert response.status_code == 200, response.content
    body = response.json()["meta"]
    assert body["status"] == "received" and body["duplicate"] is False
    submission = Submission.objects.get()
    assert body["submissionId"] == str(submission.id) and submission.report is None
    assert file_pending() == 1  # the worker files it
    report = Report.objects.get()
    submission.refresh_from_db()
    assert submission.report == report
    assert submission.payload == document and submission.channel == "api"
    assert report.description == document["data"]["attributes"]["incidentDescription"]
    assert report.customer_reference.startswith("OCR-")
    roles = sorted(report.involvements.values_list("role", flat=True))
    assert "victim" in roles and "personReporting" in roles
    assert report.location is not None and report.location.postcode
    assert Item.objects.get(report=report, kind="mobile").link_reason == "stolen"
    card = Item.objects.get(report=report, kind="bankCard")
    assert card.identifiers == {"cardEnding": "9012"}  # never the full card number
    assert WorkItem.objects.filter(report=report, kind="review_report").count() == 1


def test_the_same_submission_again_is_acknowledged_and_creates_nothing(hub: Any) -> None:
    document = sample_document(seed=5)
    first, second = hub(document), hub(document)
    assert first.status_code == second.status_code == 200
    assert second.json()["meta"] == {**first.json()["meta"], "duplicate": True}
    file_pending()
    third = hub(document).json()["meta"]  # once filed, the answer carries Peel's reference
    assert third["status"] == "filed" and third["reference"] == Report.objects.get().reference
    assert (
        Report.objects.count()
        == Submission.objects.count()
        == WorkItem.objects.filter(kind="review_report").count()
        == 1
    )


def test_other_content_under_the_same_id_is_a_conflict_held_in_quarantine(hub: Any) -> None:
    document = sample_document(seed=6)
    hub(document)
    file_pending()
    document["data"]["attributes"]["incidentDescription"] = "Something else entirely."
    response = hub(document)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["title"] == "Conflicting submission"
    item = QuarantineItem.objects.get(pk=error["meta"]["quarantineId"])
    assert item.reason == QuarantineReason.CONFLICT and item.status == QuarantineStatus.HELD
    assert Report.objects.count() == 1
    assert Report.objects.get().description != "Something else entirely."


def test_schema_errors_answer_400_naming_each_property_and_keep_the_input(hub: Any) -> None:
    document = sample_document(seed=7)
    location = next(e for e in document["included"] if e["type"] == "location")
    location["attributes"]["cityOrTown"] = "X" * 55
    document["data"]["attributes"]["incidentInvolvement"] = "IVLD_0099"
    response = hub(document)
    assert response.status_code == 400
    errors = response.json()["errors"]
    by_title = {e["title"]: e for e in errors}
    too_long = by_title["String too long"]
    assert too_long["detail"] == "Property cityOrTown. Max Length: 35, Actual Length: 55"
    assert too_long["source"] == location["id"] and too_long["id"] == "400"
    assert too_long["status"] == "Bad Request"
    submission_id = next(e for e in document["included"] if e["type"] == "submission")[
        "attributes"
    ]["submissionId"]
    assert too_long["meta"]["submissionId"] == submission_id
    assert "IVLD_0099" in by_title["Value not in list"]["detail"]
    item = QuarantineItem.objects.get()
    assert json.loads(read_bytes(item.raw)) == document  # the input, byte for byte
    assert {p["field"] for p in item.problems} == {
        "location.cityOrTown",
        "incident.incidentInvolvement",
    }
    assert Report.objects.count() == 0


def test_broken_json_and_broken_links_are_explained(hub: Any) -> None:
    assert hub(b'{"data": ').json()["errors"][0]["title"] == "Invalid JSON"
    document = sample_document(seed=8)
    document["data"]["relationships"]["witness"] = {
        "data": [{"id": "person.witness.404", "type": "person"}]
    }
    detail = hub(document).json()["errors"][0]["detail"]
    assert "person.witness.404" in detail and "not in `included`" in detail
    assert QuarantineItem.objects.count() == 2


def test_a_new_national_field_is_quarantined_by_name_and_released_after_the_mapping_update(
    hub: Any, settings: Any, tmp_path: Path
) -> None:
    document = sample_document(seed=9)
    document["data"]["attributes"]["incidentNoiseLevel"] = "Very loud"
    response = hub(document)
    assert response.status_code == 400
    assert response.json()["errors"][0]["detail"].startswith("Property incidentNoiseLevel.")
    item = QuarantineItem.objects.get()
    assert item.problems[0]["field"] == "incident.incidentNoiseLevel"

    assert not retry(Robot("test"), item).ok  # nothing changed yet: still held, tried twice
    item.refresh_from_db()
    assert item.status == QuarantineStatus.HELD and item.attempts == 2

    # The force adds the field to its copy of the model (PEEL_SDM_OVERRIDE_DIR) and retries.
    override = tmp_path / "sdm" / "models" / "event" / "components" / "incident"
    override.mkdir(parents=True)
    (override / "incidentNoise.json").write_text(
        json.dumps(
            {
                "type": "object",
                "properties": {"incidentNoiseLevel": {"type": "string", "maxLength": 40}},
            }
        )
    )
    incident = json.loads(
        (Path(national_schemas().sources[0]) / "models/event/incident.json").read_text()
    )
    incident["allOf"].append({"$ref": "./components/incident/incidentNoise.json"})
    (tmp_path / "sdm" / "models" / "event" / "incident.json").write_text(json.dumps(incident))
    settings.PEEL = {**settings.PEEL, "SDM_OVERRIDE_DIR": str(tmp_path / "sdm")}
    national_schemas.cache_clear()

    outcome = retry(Robot("test"), item)  # a retry files at once: a supervisor is waiting on it
    assert outcome.ok and outcome.submission is not None and outcome.submission.report is not None
    item.refresh_from_db()
    assert item.status == QuarantineStatus.RELEASED and item.submission == outcome.submission
    assert Report.objects.count() == 1
    assert verify_chain().ok


def test_unknown_callers_are_refused_and_logged(client: Client, caplog: Any) -> None:
    api_client_headers()
    body = json.dumps(sample_document(seed=10))
    for headers in ({}, {"client-id": "client-national-hub", "client-secret": "wrong"}):
        response = client.post("/process", body, content_type="application/json", headers=headers)
        assert response.status_code == 401
        assert response.json()["errors"][0]["status"] == "Unauthorized"
    assert sum("rejected caller" in r.getMessage() for r in caplog.records) == 2
    assert Submission.objects.count() == 0 and QuarantineItem.objects.count() == 0


def test_peel_answers_503_when_it_cannot_store_work(hub: Any, settings: Any) -> None:
    settings.PEEL = {**settings.PEEL, "MIN_FREE_DISK_MB": 10**12}
    response = hub(sample_document(seed=11))
    assert response.status_code == 503 and response["Retry-After"]
    assert response.json()["errors"][0]["title"] == "Cannot accept work"
    assert Submission.objects.count() == 0


def test_only_post_is_allowed(client: Client) -> None:
    assert client.get("/process").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_the_hub_is_served_by_waitress_with_basic_auth_or_client_headers() -> None:
    """Through the real server `peel serve` runs: waitress drops underscored header names."""
    import base64
    import threading
    import urllib.error
    import urllib.request

    from waitress import create_server

    from peel.wsgi import application

    headers = api_client_headers()
    server = create_server(application, host="127.0.0.1", port=0)
    threading.Thread(target=server.run, daemon=True).start()
    url = f"http://127.0.0.1:{server.effective_port}/process"  # type: ignore[union-attr]

    def post(seed: int, extra: dict[str, str]) -> int:
        body = json.dumps(sample_document(seed=seed)).encode()
        request = urllib.request.Request(url, body, {"Content-Type": "application/json", **extra})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    try:
        basic = base64.b64encode(
            f"{headers['client-id']}:{headers['client-secret']}".encode()
        ).decode()
        assert post(50, {"Authorization": f"Basic {basic}"}) == 200
        assert post(51, dict(headers)) == 200
        assert post(52, {"Authorization": "Basic bm90OnJpZ2h0"}) == 401
    finally:
        server.close()
        server.task_dispatcher.shutdown()  # type: ignore[union-attr]  # its threads hold DB connections
    assert Submission.objects.count() == 2


def test_nul_and_broken_unicode_are_stored_replaced_and_kept_raw(hub: Any) -> None:
    """PostgreSQL refuses NUL and lone surrogates in text: they must not turn a report into a 503."""
    document = sample_document(seed=60)
    document["data"]["attributes"]["incidentDescription"] = (
        "Taken from out\x00side the shop \ud800."
    )
    raw = json.dumps(document).encode()  # JSON escapes them: \u0000 and \ud800
    response = hub(raw)
    assert response.status_code == 200, response.content
    file_pending()
    report = Report.objects.get()
    assert "\x00" not in report.description and "\ufffd" in report.description
    assert any("could not be stored" in flag for flag in report.flags)
    assert b"\\u0000" in read_bytes(Submission.objects.get().raw)  # the evidence is untouched
    broken = hub(b'{"data": {"id": "\\u0000", "type": "x\\udc00"}, "included": []}')
    assert broken.status_code == 400
    assert "\x00" not in json.dumps(QuarantineItem.objects.get().problems)
