"""The status look-up's limits (issue 15): per address and per reference, the same answer for a
reference that does not exist as for a wrong email, and counters shared by two `peel serve`
processes through Redis (a real one: PEEL_TEST_REDIS_URL, default redis://127.0.0.1:6379/5)."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis
from django.test import Client

from peel.process.testing import file_report, peel_process

EMAIL = "amira.khan@example.org"  # the reporter file_report() creates
REDIS_URL = os.environ.get("PEEL_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def _look_up(client: Client, reference: str, email: str = EMAIL) -> int:
    return client.post("/report/status/", {"reference": reference, "email": email}).status_code


@pytest.mark.django_db
def test_one_reference_from_many_addresses_is_stopped(settings: Any) -> None:
    settings.PEEL = {**settings.PEEL, "STATUS_RATE": "100/h", "STATUS_REFERENCE_RATE": "3/h"}
    reference = file_report().reference
    codes = [
        _look_up(Client(REMOTE_ADDR=f"198.51.100.{n}"), reference, f"guess{n}@example.org")
        for n in range(5)
    ]
    assert codes == [404, 404, 404, 429, 429]
    assert _look_up(Client(REMOTE_ADDR="198.51.100.99"), reference) == 429  # even the right email
    other = file_report().reference
    assert _look_up(Client(REMOTE_ADDR="198.51.100.99"), other) == 200  # other references go on


@pytest.mark.django_db
def test_the_reference_limit_is_the_same_for_a_reference_that_does_not_exist(
    settings: Any,
) -> None:
    settings.PEEL = {**settings.PEEL, "STATUS_RATE": "100/h", "STATUS_REFERENCE_RATE": "2/h"}
    real = file_report().reference
    for reference in (real, "PEEL-000000-AAAAAA"):
        codes = [_look_up(Client(REMOTE_ADDR=f"203.0.113.{n}"), reference, "x@example.org")
                 for n in range(4)]  # fmt: skip
        assert codes == [404, 404, 429, 429], reference


@pytest.mark.django_db
def test_the_reference_is_counted_however_it_is_typed_and_before_the_form_is_checked(
    settings: Any,
) -> None:
    settings.PEEL = {**settings.PEEL, "STATUS_RATE": "100/h", "STATUS_REFERENCE_RATE": "3/h"}
    reference = file_report().reference
    client = Client()
    assert _look_up(client, reference.lower(), "a@example.org") == 404
    assert _look_up(client, f"  {reference} ", "b@example.org") == 404
    # The answer form looks the report up too, even when the answer is refused.
    answer = {"reference": reference, "email": "c@example.org", "answer": ""}
    assert client.post("/report/status/", answer).status_code in (400, 404)
    assert _look_up(client, reference) == 429


@pytest.mark.django_db
def test_no_such_reference_and_a_wrong_email_get_the_same_page(client: Client) -> None:
    real = file_report().reference

    def page(reference: str, email: str) -> tuple[int, str]:
        response = client.post("/report/status/", {"reference": reference, "email": email})
        return response.status_code, re.sub(r'value="[^"]*"', "", response.content.decode())

    assert page(real, "someone@example.org") == page("PEEL-261121-ZZZZZZ", EMAIL)
    assert page(real, "someone@example.org")[0] == 404


@pytest.mark.django_db
def test_a_report_stays_open_to_the_form_when_the_counters_are_unreachable(
    client: Client, settings: Any
) -> None:
    """Redis down: the status look-up is refused (429), a crime report is not refused for it."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
        }
    }
    from peel.intake.tests.walker import send_report

    settings.PEEL = {**settings.PEEL, "FORM_MIN_SECONDS": 0}
    assert _look_up(client, "PEEL-000000-AAAAAA") == 429
    assert send_report(client).status_code == 302


# ---- Two processes, one count --------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def shared_redis() -> Iterator[tuple[str, str]]:
    """The Redis the tests use, and a key prefix of this test's own (removed afterwards)."""
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.ping()
    except redis.RedisError as exc:  # fail, not skip: CI and these machines run Redis
        pytest.fail(f"Redis is needed for the shared rate-limit tests at {REDIS_URL}: {exc}")
    prefix = f"peel-test-{uuid.uuid4().hex}"
    yield REDIS_URL, prefix
    for key in connection.scan_iter(f"{prefix}:*"):
        connection.delete(key)


@contextlib.contextmanager
def peel_servers(
    settings: Any, redis_url: str, prefix: str, count: int, **env: str
) -> Iterator[list[str]]:
    """`count` `peel serve` processes on this test's database, counting in the same Redis."""
    env = {
        "PEEL_CACHE_URL": redis_url,
        "PEEL_CACHE_KEY_PREFIX": prefix,
        "PEEL_SECRET_KEY": "peel-servers-" + prefix,  # all sign alike
        **env,
    }
    ports = [_free_port() for _ in range(count)]
    children: list[subprocess.Popen[bytes]] = []
    try:
        for port in ports:
            arguments = ["serve", "--port", str(port), "--threads", "2", "--no-worker"]
            children.append(peel_process(arguments, settings, env))
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base, child in zip(bases, children, strict=True):
            _wait_until_serving(base, child)
        yield bases
    finally:
        for child in children:
            child.terminate()
            child.wait(timeout=10)


@pytest.fixture
def two_servers(settings: Any, shared_redis: tuple[str, str]) -> Iterator[list[str]]:
    rates = {"PEEL_STATUS_RATE": "6/h", "PEEL_STATUS_REFERENCE_RATE": "4/h"}
    with peel_servers(settings, *shared_redis, 2, **rates) as bases:
        yield bases


def _wait_until_serving(base: str, child: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if child.poll() is not None:
            pytest.fail(
                f"peel serve exited: {child.stderr.read().decode() if child.stderr else ''}"
            )
        try:
            if httpx.get(f"{base}/report/status/", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"peel serve did not answer at {base}")


def look_up_over_http(
    base: str, reference: str, email: str, address: str = "127.0.0.1", forwarded_for: str = ""
) -> int:
    """A browser at `address` (a loopback address of its own) asks one server, as a person
    would: the form's page, then the form sent with its CSRF token."""
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(base_url=base, transport=transport, timeout=10) as browser:
        page = browser.get("/report/status/").text
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert match, page[:500]
        data = {"csrfmiddlewaretoken": match.group(1), "reference": reference, "email": email}
        headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
        return browser.post("/report/status/", data=data, headers=headers).status_code


@pytest.mark.django_db(transaction=True)
def test_two_processes_share_the_per_address_and_per_reference_counts(
    two_servers: list[str],
) -> None:
    a, b = two_servers
    # One address, many references, alternating between the processes: 6 an hour in all.
    codes = [
        look_up_over_http((a, b)[n % 2], f"PEEL-000000-AAAA{n:02d}", "x@example.org")
        for n in range(9)
    ]
    assert codes == [404] * 6 + [429] * 3  # alone, each process would have allowed 6
    assert look_up_over_http(a, "PEEL-000000-BBBBBB", "x@example.org", "127.0.0.2") == 404

    # One reference, a new address every time, alternating between the processes: 4 in all.
    reference = file_report().reference
    codes = [
        look_up_over_http((a, b)[n % 2], reference, f"guess{n}@example.org", f"127.0.1.{n + 1}")
        for n in range(6)
    ]
    assert codes == [404] * 4 + [429] * 2
    assert look_up_over_http(b, reference, EMAIL, "127.0.2.1") == 429  # the right email too


@pytest.mark.django_db(transaction=True)
def test_a_forged_forwarded_address_gets_no_new_count_and_a_trusted_proxy_s_is_believed(
    settings: Any, shared_redis: tuple[str, str]
) -> None:
    """Behind the force's proxy (PEEL_TRUSTED_PROXY) each person has their own count; a client
    that is not the proxy cannot escape its count by writing X-Forwarded-For itself."""
    rates = {"PEEL_STATUS_RATE": "2/h", "PEEL_STATUS_REFERENCE_RATE": "100/h"}
    with peel_servers(settings, *shared_redis, 1, PEEL_TRUSTED_PROXY="127.0.0.1", **rates) as [
        base
    ]:

        def codes(address: str, forwarded: list[str]) -> list[int]:
            return [
                look_up_over_http(base, f"PEEL-000000-{n:06d}", "x@example.org", address, f)
                for n, f in enumerate(forwarded)
            ]

        forged = [f"192.0.2.{n}" for n in range(1, 5)]
        assert codes("127.0.0.9", forged) == [404, 404, 429, 429]  # counted on 127.0.0.9
        # Through the proxy: the forwarded address is the client's, each with its own count.
        assert codes("127.0.0.1", ["198.51.100.1"] * 3) == [404, 404, 429]
        assert codes("127.0.0.1", ["203.0.113.5, 198.51.100.2"]) == [404]  # the proxy's hop
        assert codes("127.0.0.1", ["198.51.100.1, 198.51.100.2"] * 2) == [404, 429]


def test_peel_check_refuses_a_rate_it_cannot_read(settings: Any) -> None:
    from peel.intake.checks import rate_limits

    assert rate_limits() == []
    settings.PEEL = {**settings.PEEL, "STATUS_REFERENCE_RATE": "ten an hour"}
    assert [e.id for e in rate_limits()] == ["peel.E150"]


def test_the_deploy_check_wants_counters_every_process_shares(settings: Any) -> None:
    from peel.intake.checks import shared_rate_limit_counters

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [w.id for w in shared_rate_limit_counters()] == ["peel.W150"]
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    assert shared_rate_limit_counters() == []
