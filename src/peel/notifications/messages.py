"""Every kind of message Peel sends a reporter, in one registry.

A message is sent only by its purpose (`reports.actions.do_message_reporter`), so a new kind must be
added here, and the tests that check the reporter's contact preference against every purpose
cover it without being told. Messages say only that there is news and where to read it: anyone
may read a mailbox, so no details of the report go in them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReporterMessage:
    purpose: str  # stored on the outbox row and in the audit log
    subject: str  # {reference} is the report's reference
    body: str  # {reference}; {status_url} the public status page, when the sender knows it

    def render(self, reference: str, status_url: str = "") -> tuple[str, str]:
        where = status_url or 'our website ("Check on a report")'
        return (
            self.subject.format(reference=reference),
            self.body.format(reference=reference, status_url=where),
        )


RECEIPT = ReporterMessage(
    "receipt",
    "Crime report {reference} received",
    "Thank you for reporting a crime.\n\n"
    "Your reference is {reference}. Quote it if you contact us about this report.\n\n"
    "A member of police staff will review it. To see where it stands, visit\n"
    "{status_url}\nand enter your reference and this email address.\n\n"
    "If anyone is in immediate danger, call 999.\n",
)
DECISION_UPDATE = ReporterMessage(
    "decision update",
    "There is an update on your report {reference}",
    "There is an update on your crime report {reference}.\n\n"
    'To read it, use "Check on a report" on our website and enter your reference and\n'
    "this email address.\n\n"
    "If anyone is in immediate danger, call 999.\n",
)

REPORTER_MESSAGES: dict[str, ReporterMessage] = {m.purpose: m for m in (RECEIPT, DECISION_UPDATE)}
