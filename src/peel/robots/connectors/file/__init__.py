"""File connector: one record file per task in a drop folder, for systems that import files.

Target options (robots/targets.toml):
    folder      the drop folder; a relative path is under PEEL_VAR_DIR
    format      "csv" (a header row and one record row, UTF-8) or "json" (one object)
    [fields]    canonical field -> the column or key name written

The file is named after the idempotency key and appears all at once: it is written and synced
under a temporary name, then hard-linked into place, which fails if the name is taken, so two
tries can never both create it and an importer never sees half a file.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import tempfile
from pathlib import Path

from django.conf import settings

from peel.robots.connectors import Deadline, PermanentFailure, TransientFailure
from peel.robots.targets import Target

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


class FileConnector:
    def __init__(self, target: Target):
        self.target = target
        self.mapping: dict[str, str] = dict(target.option("fields", {}))
        self.format = target.option("format", "csv")
        if self.format not in ("csv", "json"):
            raise PermanentFailure(f"Target {target.name}: format must be csv or json.")
        self.folder = Path(settings.VAR_DIR) / str(target.option("folder", target.name))

    def expected(self, values: dict[str, str]) -> dict[str, str]:
        return {name: values.get(name, "") for name in self.mapping}

    def _path(self, key: str) -> Path:
        return self.folder / f"{_SAFE_NAME.sub('_', key)}.{self.format}"

    def find(self, key: str, deadline: Deadline) -> str | None:
        path = self._path(key)
        return path.name if path.exists() else None

    def write(self, key: str, values: dict[str, str], deadline: Deadline) -> str:
        deadline.check("writing the file")
        record = {column: values.get(name, "") for name, column in self.mapping.items()}
        data = self._encode(record)
        final = self._path(key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".writing-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                # An earlier try may have got there first: reading back checks it is right.
                with contextlib.suppress(FileExistsError):
                    os.link(temporary, final)
            finally:
                os.unlink(temporary)
            directory = os.open(self.folder, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
        except OSError as exc:
            raise TransientFailure(f"Could not write to {self.folder}: {exc.strerror}.") from None
        return final.name

    def read(self, ref: str, deadline: Deadline) -> dict[str, str]:
        try:
            data = (self.folder / ref).read_bytes()
        except OSError as exc:
            raise TransientFailure(f"Could not read back {ref}: {exc.strerror}.") from None
        record = self._decode(data)
        return {name: record[column] for name, column in self.mapping.items() if column in record}

    def _encode(self, record: dict[str, str]) -> bytes:
        if self.format == "json":
            return json.dumps(record, ensure_ascii=False, indent=2).encode()
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(record), lineterminator="\r\n")
        writer.writeheader()
        writer.writerow(record)
        return out.getvalue().encode()

    def _decode(self, data: bytes) -> dict[str, str]:
        text = data.decode()
        if self.format == "json":
            return {k: str(v) for k, v in json.loads(text).items()}
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        if len(rows) != 1:
            raise PermanentFailure(f"The file holds {len(rows)} records, not one.")
        return rows[0]

    def close(self) -> None:
        pass
