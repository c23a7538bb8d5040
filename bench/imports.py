"""Count Peel's cross-app imports, and those that point up a layer (issue 14's figure).

    python bench/imports.py            # counts as JSON
    python bench/imports.py --list     # every upward or sibling import, file:line

Tests and migrations are left out (they are excluded from the layer contracts too). The layer
order is the one `pyproject.toml`'s import-linter `layers` contract states; keep the two in step.
Every import counts, including those inside functions, so a local import cannot hide an edge.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"

# Top to bottom; apps in one tuple are siblings that may not import each other, except in the
# top layer (process wiring: serve imports wsgi).
LAYERS: list[tuple[str, ...]] = [
    ("process", "urls", "wsgi", "cli", "settings"),
    ("oversight", "review"),
    ("intake", "robots"),
    ("triage",),
    ("workqueue",),
    ("sdm",),
    ("reports", "evidence"),
    ("notifications", "accounts"),
    ("audit",),
    ("core",),
]
RANK = {app: i for i, layer in enumerate(LAYERS) for app in layer}


def app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "peel" else None


def imports(path: Path, module: str):
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing module's package
                base = module.split(".")[: -node.level]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield node.lineno, target


def main() -> None:
    total = up = 0
    listing = []
    for path in sorted((SRC / "peel").rglob("*.py")):
        rel = path.relative_to(SRC)
        if {"tests", "migrations"} & set(rel.parts):
            continue
        module = ".".join(rel.with_suffix("").parts).removesuffix(".__init__")
        here = app_of(module) or "peel"
        for lineno, target in imports(path, module):
            there = app_of(target)
            if there is None or there == here:
                continue
            total += 1
            a, b = RANK.get(here), RANK.get(there)
            if a is None or b is None or b < a or (b == a and a != 0):  # up, or sideways
                up += 1
                listing.append(f"{rel}:{lineno}: {here} -> {there} ({target})")
    if "--list" in sys.argv:
        print("\n".join(listing))
    print(json.dumps({"cross_app_imports": total, "upward_or_sibling": up}))


if __name__ == "__main__":
    main()
