"""API connector: posts the record as JSON to a downstream REST system and reads it back.

Target options (robots/targets.toml):
    url, url_env      the collection URL; records are POSTed to it and read at URL/<id>
    token_env         the environment variable holding the bearer token
    lookup_param      the query parameter that finds records by the idempotency key
    id_field          the answer's field holding the record id (default "id")
    record_field      the answer's field holding the stored values (default: the answer)
    [fields]          canonical field -> the API's field name; only these are sent and checked

The idempotency key is looked up before writing and also sent as an `Idempotency-Key` header,
so a target that honours the header is protected twice.
"""

from __future__ import annotations

from typing import Any

import httpx

from peel.robots.connectors import Deadline, PermanentFailure, TransientFailure
from peel.robots.targets import Target

# Answers that mean "not now" rather than "never".
TRANSIENT_STATUSES = {408, 425, 429, 500, 502, 503, 504}


class ApiConnector:
    def __init__(self, target: Target):
        self.target = target
        self.mapping: dict[str, str] = dict(target.option("fields", {}))
        self.url = target.url().rstrip("/")
        self._client: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                headers={
                    "Authorization": f"Bearer {self.target.secret('token')}",
                    "Accept": "application/json",
                }
            )
        return self._client

    def expected(self, values: dict[str, str]) -> dict[str, str]:
        return {name: values.get(name, "") for name in self.mapping}

    def find(self, key: str, deadline: Deadline) -> str | None:
        lookup = self.target.option("lookup_param", "")
        answer = self._call("GET", self.url, deadline, "looking for the key", params={lookup: key})
        results = answer.get("results", [])
        if len(results) > 1:
            raise PermanentFailure(
                f"{len(results)} records in {self.target.label} already carry the key {key}; "
                "a person must decide which is right."
            )
        return str(results[0][self.target.option("id_field", "id")]) if results else None

    def write(self, key: str, values: dict[str, str], deadline: Deadline) -> str:
        body = {api_name: values.get(name, "") for name, api_name in self.mapping.items()}
        answer = self._call(
            "POST", self.url, deadline, "writing", json=body, headers={"Idempotency-Key": key}
        )
        return str(answer[self.target.option("id_field", "id")])

    def read(self, ref: str, deadline: Deadline) -> dict[str, str]:
        answer = self._call("GET", f"{self.url}/{ref}", deadline, "reading back")
        record_field = self.target.option("record_field", "")
        stored = answer.get(record_field, {}) if record_field else answer
        return {
            name: str(stored[api_name])
            for name, api_name in self.mapping.items()
            if stored.get(api_name) is not None
        }

    def _call(
        self, method: str, url: str, deadline: Deadline, doing: str, **kwargs: Any
    ) -> dict[str, Any]:
        deadline.check(doing)
        where = f"{self.target.label} ({doing})"
        try:
            response = self.client.request(method, url, timeout=deadline.remaining(), **kwargs)
        except httpx.TimeoutException:
            raise TransientFailure(f"{where} did not answer in time.") from None
        except httpx.TransportError as exc:
            raise TransientFailure(f"{where} could not be reached: {exc}.") from None
        if response.status_code in TRANSIENT_STATUSES:
            raise TransientFailure(f"{where} answered {response.status_code}.")
        if response.status_code in (401, 403):
            # The target refused the robot's credentials: retrying will not fix that, but it is
            # the target's fault, not the record's, so it counts towards the breaker.
            raise TransientFailure(
                f"{where} refused the robot's credentials ({response.status_code}): check the "
                f"token in {self.target.option('token_env')}."
            )
        if response.status_code >= 400:
            raise PermanentFailure(f"{where} rejected the record: {_problems(response)}")
        try:
            answer = response.json()
        except ValueError:
            raise TransientFailure(f"{where} answered with something that is not JSON.") from None
        if not isinstance(answer, dict):
            raise PermanentFailure(f"{where} answered with JSON that is not an object.")
        return answer

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def _problems(response: httpx.Response) -> str:
    """The target's own error list, named field by field when it gives one."""
    try:
        errors = response.json().get("errors", [])
        named = [f"{e.get('field', '')} {e.get('message', '')}".strip() for e in errors]
        if named:
            return f"{response.status_code}: " + "; ".join(named)
    except (ValueError, AttributeError):
        pass
    return f"{response.status_code}: {response.text[:300]}"
