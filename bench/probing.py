"""How many references an attacker can probe on the public pages, over real HTTP.

    peel bench probing [--redis redis://127.0.0.1:6379/0] [--ports 8850,8851] [--seconds 5]
                       [--before]

Two `peel serve` processes share one database and (unless --before) one Redis for the rate-limit
counters, as a force runs several behind a load balancer. Each scenario sends look-ups as fast as
8 threads can, alternating between the two processes, from one loopback address or a new one per
request (127.x.y.z: Linux routes all of 127/8 to loopback, so each is a distinct client address to
the server), and counts the answers that tell the attacker anything (anything but a 429).

Scenarios: the old receipt address with guessed references (and the real one); the status look-up
from one address (many references), from many addresses against one reference, and from many
addresses against many references (the residual: each answer then needs the reference AND the
reporter's email right). --before runs the same with each process counting alone (no Redis) and
no per-reference limit: the status page's limits as they were before issue 15.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import ssl
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from harness import REPO, emit, machine, prepare_database, run_threads

THREADS = 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--redis", default=os.environ.get("PEEL_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--ports", default="8850,8851")
    parser.add_argument("--seconds", type=float, default=5.0, help="per scenario")
    parser.add_argument(
        "--before", action="store_true", help="per-process counts, no per-reference limit"
    )
    args = parser.parse_args()
    engine = prepare_database()

    import httpx
    import redis

    from peel.process.testing import file_report

    report = file_report()
    email = report.involvements.filter(person__email__gt="").first().person.email  # type: ignore[union-attr]
    prefix = f"peel-bench-{uuid.uuid4().hex}"
    address_rate, reference_rate = "20/h", "10/h"  # the shipped defaults
    env = {
        **os.environ,
        "PEEL_SECRET_KEY": prefix,
        "PEEL_STATUS_RATE": address_rate,
        "PEEL_STATUS_REFERENCE_RATE": "1000000/s" if args.before else reference_rate,
        "PEEL_CACHE_KEY_PREFIX": prefix,
        "PEEL_CACHE_URL": "" if args.before else args.redis,
        "PEEL_LOG_LEVEL": "ERROR",
    }
    ports = [int(p) for p in args.ports.split(",")]
    servers = [
        subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "peel.cli", "serve", "--port", str(port), "--no-worker"],
            env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]  # fmt: skip
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base in bases:
            _wait(httpx, base)
        token, cookie = _csrf(httpx, bases[0])
        figures = _scenarios(httpx, bases, token, cookie, report.reference, email, args.seconds)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
        if not args.before:
            connection = redis.Redis.from_url(args.redis)
            for key in connection.scan_iter(f"{prefix}:*"):
                connection.delete(key)
    emit(
        {
            "benchmark": "probing",
            "engine": engine,
            "configuration": "before: per-process counters, no per-reference limit"
            if args.before
            else f"shared Redis counters; {address_rate} per address, {reference_rate} per reference",
            "processes": len(bases),
            "threads": THREADS,
            "seconds_per_scenario": args.seconds,
            **figures,
            "machine": machine(),
        }
    )


def _wait(httpx: Any, base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/report/status/", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"peel serve did not answer at {base}")


def _csrf(httpx: Any, base: str) -> tuple[str, str]:
    """One form token and cookie: an attacker reuses them from every address."""
    response = httpx.get(f"{base}/report/status/")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
    assert match
    return match.group(1), response.cookies["csrftoken"]


def _addresses() -> Iterator[str]:
    for b, c, d in itertools.product(range(1, 255), range(0, 256), range(1, 255)):
        yield f"127.{b}.{c}.{d}"


def _scenarios(
    httpx: Any, bases: list[str], token: str, cookie: str, real: str, email: str, seconds: float
) -> dict[str, Any]:
    lock = threading.Lock()
    tls = ssl.create_default_context()  # built once: httpx would build one per client (slow)
    fresh = _addresses()
    counter = itertools.count()

    def flood(request: Callable[[Any, int], Any], one_address: bool) -> dict[str, Any]:
        """Send requests from THREADS threads for `seconds`; tally the answers."""
        answers: list[tuple[int, bytes]] = []
        deadline = time.perf_counter() + seconds

        def worker() -> None:
            clients: dict[str, Any] = {}
            while time.perf_counter() < deadline:
                with lock:
                    n = next(counter)
                    address = "127.0.0.1" if one_address else next(fresh)
                client = clients.get(address) if one_address else None
                if client is None:
                    transport = httpx.HTTPTransport(local_address=address, verify=tls)
                    client = httpx.Client(transport=transport, timeout=10)
                    client.cookies.set("csrftoken", cookie)
                    if one_address:
                        clients[address] = client
                response = request(client, n)
                if not one_address:
                    client.close()
                with lock:
                    answers.append((response.status_code, response.content))

        elapsed = run_threads(worker, [() for _ in range(THREADS)])
        told = [a for a in answers if a[0] != 429]
        return {
            "requests": len(answers),
            "requests_per_second": round(len(answers) / elapsed, 1),
            "answered_not_429": len(told),
            "answered_per_second": round(len(told) / elapsed, 2),
            "status_codes": {
                str(c): sum(1 for a in answers if a[0] == c)
                for c in sorted({a[0] for a in answers})
            },
            "_bodies": {a[1] for a in told},
        }

    def receipt(client: Any, n: int) -> Any:
        guess = real if n % 100 == 0 else f"PEEL-261204-{n:06d}"
        return client.get(f"{bases[n % 2]}/report/receipt/{guess}/")

    def status(
        reference: Callable[[int], str], who: Callable[[int], str]
    ) -> Callable[[Any, int], Any]:
        def send(client: Any, n: int) -> Any:
            data = {"csrfmiddlewaretoken": token, "reference": reference(n), "email": who(n)}
            return client.post(f"{bases[n % 2]}/report/status/", data=data)

        return send

    results: dict[str, Any] = {}
    guessed = flood(receipt, one_address=True)
    guessed["distinct_pages"] = len(guessed.pop("_bodies"))  # 1: the real one looks the same
    results["receipt_old_address_guessed_references_one_address"] = guessed
    scenarios = {
        "status_one_address_many_references": (
            status(lambda n: f"PEEL-261204-A{n:05d}", lambda n: email), True),
        "status_many_addresses_one_reference": (
            status(lambda n: real, lambda n: f"guess{n}@example.org"), False),
        "status_many_addresses_many_references": (
            status(lambda n: f"PEEL-261204-B{n:05d}", lambda n: email), False),
    }  # fmt: skip
    for name, (request, one_address) in scenarios.items():
        figures = flood(request, one_address)
        figures.pop("_bodies")
        results[name] = figures
    return results


if __name__ == "__main__":
    main()
