"""The force-hosted Standard API: `POST /process`, called by the national integration hub.

200 once the submission is durably stored and checked (or was already); the report is filed
from it by the pipeline worker (`peel worker`, or the thread in `peel serve`). 400 with JSON:API `errors` naming
each problem (the input, whatever it is, even too large, is kept in quarantine), 401 for an
unknown caller, 503 with Retry-After when Peel cannot safely accept work (low disk, database
unreachable or busy): the hub retries later. Every answer is the spec's JSON, never a 500 page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import shutil
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from peel.audit.actors import Robot
from peel.core.access_rules import api_client
from peel.core.db import DATABASE_UNAVAILABLE
from peel.evidence.store import store_bytes
from peel.intake.models import ApiClient, QuarantineReason
from peel.intake.pipeline import Outcome, accept_json, quarantine
from peel.reports.choices import Channel
from peel.sdm.document import Problem

logger = logging.getLogger("peel.security")


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _credentials(request: HttpRequest) -> tuple[str, str]:
    """HTTP Basic (id:secret), or `client-id`/`client-secret` headers as the hub's gateway sends
    them. (The underscore spelling `client_id` arrives only where no proxy or server drops
    underscored header names, as waitress and nginx do by default; Django reads both spellings.)"""
    authorization = request.headers.get("Authorization", "")
    if authorization.startswith("Basic "):
        try:
            decoded = base64.b64decode(authorization[6:], validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            return "", ""
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return request.headers.get("client-id", ""), request.headers.get("client-secret", "")


def authenticate(request: HttpRequest) -> ApiClient | None:
    client_id, secret = _credentials(request)
    if not client_id or not secret:
        return None
    client = ApiClient.objects.filter(client_id=client_id, active=True).first()
    expected = client.secret_sha256 if client else secret_digest("")
    # Compare even when the client is unknown, so timing does not reveal which ids exist.
    if not hmac.compare_digest(expected, secret_digest(secret)) or client is None:
        return None
    return client


def cannot_accept_reason() -> str:
    """Why intake should refuse work right now, or "" when it can take it."""
    evidence_dir = settings.EVIDENCE_DIR
    if not evidence_dir.is_dir():
        evidence_dir.mkdir(parents=True, exist_ok=True)
    free_mb = shutil.disk_usage(evidence_dir).free // (1024 * 1024)
    if free_mb < int(settings.PEEL["MIN_FREE_DISK_MB"]):
        return f"Evidence store has {free_mb} MB free; intake pauses below {settings.PEEL['MIN_FREE_DISK_MB']} MB."
    return ""


def _error(
    status: int, title: str, detail: str, source: str = "", meta: dict[str, Any] | None = None
) -> dict[str, Any]:
    reason = {400: "Bad Request", 401: "Unauthorized", 503: "Service Unavailable"}[status]
    return {
        "id": str(status),
        "status": reason,
        "title": title,
        "detail": detail,
        "source": source,
        "meta": meta or {},
    }


def _respond(outcome: Outcome) -> JsonResponse:
    if outcome.ok and outcome.submission is not None:
        report = outcome.submission.report
        accepted: dict[str, Any] = {
            "submissionId": outcome.submission_id,
            "duplicate": outcome.status == "duplicate",
        }
        accepted.update(
            {"status": "filed", "reference": report.reference} if report else {"status": "received"}
        )
        return JsonResponse({"meta": accepted})
    meta: dict[str, Any] = {"submissionId": outcome.submission_id}
    if outcome.quarantine is not None:
        meta["quarantineId"] = outcome.quarantine.pk
    errors = [_error(400, p.title, p.detail, p.source, meta) for p in outcome.problems]
    return JsonResponse({"errors": errors}, status=400)


# How much of an oversized body is kept as evidence (the rest is counted, not stored).
KEEP_OVERSIZED_BYTES = 64 * 1024 * 1024


def _read_body(request: HttpRequest) -> tuple[bytes, int]:
    """The body as received, read from the stream (not `request.body`, which refuses anything
    over DATA_UPLOAD_MAX_MEMORY_SIZE with Django's HTML page): (bytes kept, total length)."""
    kept, total = bytearray(), 0
    while chunk := request.read(1024 * 1024):
        total += len(chunk)
        if len(kept) < KEEP_OVERSIZED_BYTES:
            kept += chunk[: KEEP_OVERSIZED_BYTES - len(kept)]
    return bytes(kept), total


@csrf_exempt
@api_client()
def process(request: HttpRequest) -> JsonResponse:
    try:
        return _process(request)
    except DATABASE_UNAVAILABLE as exc:
        logger.error("Standard API: database unavailable: %s", exc)
        return _unavailable(
            "Peel cannot reach its database (or it is too busy); nothing was stored."
            " Send the submission again after the Retry-After interval."
        )
    except OSError as exc:
        logger.exception("Standard API: could not store a submission")
        return _unavailable(
            f"Peel could not store the submission ({exc.strerror or exc}); try again."
        )


def _process(request: HttpRequest) -> JsonResponse:
    client = authenticate(request)
    if client is None:
        logger.warning(
            "Standard API: rejected caller from %s (client_id %r)",
            request.META.get("REMOTE_ADDR"), _credentials(request)[0][:64],
        )  # fmt: skip
        response = JsonResponse(
            {
                "errors": [
                    _error(401, "Unauthorized", "A valid client_id and client_secret are required.")
                ]
            },
            status=401,
        )
        response["WWW-Authenticate"] = 'ClientSecret realm="peel"'
        return response
    reason = cannot_accept_reason()
    if reason:
        logger.error("Standard API: refusing work: %s", reason)
        return _unavailable(reason)
    body, length = _read_body(request)
    limit = int(settings.PEEL["API_MAX_BYTES"])
    if length > limit:
        kept = "" if length == len(body) else f" (the first {len(body)} bytes are kept)"
        problem = Problem("Too large", f"The body is {length} bytes; the limit is {limit}{kept}.")
        blob = store_bytes(body, "application/json")
        held = quarantine(
            Robot(f"api:{client.client_id}"), Channel.API, blob, QuarantineReason.TOO_LARGE, [problem],
            client.client_id,
        )  # fmt: skip
        return _respond(held)
    # Durably received and checked; the worker files the report (so the hub waits for neither).
    outcome = accept_json(
        Robot(f"api:{client.client_id}"), Channel.API, body, source=client.client_id, file_now=False
    )
    return _respond(outcome)


def _unavailable(detail: str) -> JsonResponse:
    response = JsonResponse({"errors": [_error(503, "Cannot accept work", detail)]}, status=503)
    response["Retry-After"] = "60"
    return response
