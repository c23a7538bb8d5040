"""The reporter's contact preference from a national document (person contactPreference).

`contactPreference` lists the ways the person reporting agreed to be contacted (CPNC_0001 email,
CPNC_0002 phone, CPNC_0003 post). A list that leaves a way out means "not that way"; no list (or
an empty one) states nothing, and Peel keeps its behaviour for reports that say nothing (see
reports/contact.py). The national model has no field for safe times or for someone else reading
messages: only Peel's own form asks those.
"""

from __future__ import annotations

from typing import Any

from peel.sdm.document import SdmDocument
from peel.sdm.other import Taken

BY_EMAIL, BY_PHONE, BY_POST = "CPNC_0001", "CPNC_0002", "CPNC_0003"


def contact_preferences(document: SdmDocument, taken: Taken) -> dict[str, Any]:
    """ReportDraft's contact_* fields, from the first person reporting who states a preference
    (taken: it is then not repeated under other information)."""
    for reporter in document.linked(document.incident, "personReporting"):
        stated = reporter.attributes.get("contactPreference")
        if isinstance(stated, list) and stated:
            taken.take(reporter, "contactPreference")
            codes = {str(code) for code in stated}
            return {
                "contact_email": BY_EMAIL in codes,
                "contact_phone": BY_PHONE in codes,
                "contact_post": BY_POST in codes,
            }
    return {}
