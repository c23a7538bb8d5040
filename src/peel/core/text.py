"""Text from outside, made storable everywhere Peel stores it; names made readable."""

from __future__ import annotations

import re
from typing import Any

REPLACEMENT = "\ufffd"


def db_safe(value: Any) -> Any:
    """The value with every NUL and unpaired surrogate replaced (U+FFFD), at any depth.

    JSON allows both ("\\u0000", "\\ud800"); PostgreSQL's text and jsonb refuse them, and SQLite
    would store them only to hand them back broken. The raw evidence keeps the original bytes.
    """
    if isinstance(value, str):
        if value.isascii() and "\x00" not in value:
            return value
        cleaned = value.replace("\x00", REPLACEMENT)
        return cleaned.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list):
        return [db_safe(v) for v in value]
    if isinstance(value, dict):
        return {db_safe(k): db_safe(v) for k, v in value.items()}
    return value


def label_for(name: str) -> str:
    """`incidentDescription` -> "Incident description"; `UPRN` stays "UPRN"."""
    words = re.findall(r"[A-Z]{2,}(?=[A-Z][a-z]|\b|\d)|[A-Z]?[a-z]+|[A-Z]+|\d+", name)
    if not words:
        return name
    text = " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)
    return text[0].upper() + text[1:]
