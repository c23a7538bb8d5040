import pytest
from django.core.management import call_command

from peel.core.demodata import DemoReportFactory
from peel.core.identifiers import normalise_phone, normalise_postcode, normalise_vrm
from peel.intake.models import QuarantineItem
from peel.reports.models import Location, Person, Report, Vehicle
from peel.workqueue.models import WorkItem


def test_demo_identifiers_pass_the_same_validation_as_the_public_form() -> None:
    factory = DemoReportFactory(seed=7)
    drafts = list(factory.reports(200))
    postcodes = [d.location.postcode for d in drafts if d.location]
    vrms = [v.vrm for d in drafts for v in d.vehicles]
    phones = [p.phone for d in drafts for p in d.people if p.phone]
    assert len(postcodes) == 200 and vrms and phones
    assert all(normalise_postcode(p) == p for p in postcodes)
    assert all(normalise_vrm(v) == v for v in vrms)
    assert all(normalise_phone(p) == p for p in phones)
    assert len({d.offence_hint for d in drafts}) >= 4


@pytest.mark.django_db
def test_seed_demo_files_reports_through_intake_and_decides_some(capsys) -> None:
    call_command("seed_demo", reports=20, decided=0.25)
    # 20 drafts, plus 10 by the Standard API and 5 by email; 4 inputs held in quarantine.
    assert Report.objects.count() == 35
    assert set(Report.objects.values_list("channel", flat=True)) == {"web", "api", "email"}
    assert QuarantineItem.objects.count() == 4
    assert WorkItem.objects.filter(status="queued", kind="review_report").count() == 35 - 8
    assert Location.objects.count() == 35 and Person.objects.exists()
    assert Vehicle.objects.filter(vrm="").count() == 0
    out = capsys.readouterr().out
    assert "operator1" in out and "supervisor" in out
