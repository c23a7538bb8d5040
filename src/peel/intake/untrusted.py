"""Reading JSON from outside: every way it can be unusable becomes one sentence, never a crash.

Python's `json` accepts `NaN`, `Infinity` and numbers too large for a float (read as infinity),
none of which is JSON and none of which PostgreSQL will store; deep nesting exhausts the
interpreter's stack. Each is refused here with the reason, so the input is quarantined instead
of failing later (a 500, or a worker retrying a submission the database will never take).
"""

from __future__ import annotations

import json
import math
from typing import Any

# Far deeper than any SDM document (about 5 levels), far shallower than the interpreter's stack.
MAX_DEPTH = 64
# Integers are kept exactly only within 64 bits (SQLite's JSON, most clients).
MAX_INT = 2**63 - 1


class BadJson(ValueError):
    """The input is not JSON Peel can use; the message says why."""


def _constant(name: str) -> Any:
    raise BadJson(f"{name} is not a JSON number")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadJson(f"the number {text[:40]} is too large")
    return value


def _int(text: str) -> int:
    value = int(text)  # Python refuses over 4,300 digits with a ValueError of its own
    if abs(value) > MAX_INT:
        raise BadJson(f"the number {text[:40]}{'...' if len(text) > 40 else ''} is too large")
    return value


def depth(value: Any) -> int:
    """How deeply arrays and objects nest (without recursion, whatever the depth)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        current, level = stack.pop()
        if isinstance(current, dict):
            current = list(current.values())
        if isinstance(current, list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in current)
    return deepest


def load_json(raw: bytes | str) -> Any:
    """Parse `raw` strictly, or raise BadJson naming the problem."""
    try:
        value = json.loads(raw, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except BadJson:
        raise
    except RecursionError:
        raise BadJson(f"it is nested more than {MAX_DEPTH} levels deep") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadJson(str(exc)) from None
    if depth(value) > MAX_DEPTH:
        raise BadJson(f"it is nested more than {MAX_DEPTH} levels deep")
    return value
