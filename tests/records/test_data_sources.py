"""data/ ships every input with its origin, licence and checksum."""

import hashlib
import re

from conftest import ROOT

ROW = re.compile(r"^\| `(?P<file>[^`]+)` \|.*\| `(?P<sha>[0-9a-f]{64})` \|$")


def test_every_data_file_is_listed_with_its_checksum():
    rows = {}
    for line in (ROOT / "data/SOURCES.md").read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            rows[match["file"]] = match["sha"]
    on_disk = {
        str(p.relative_to(ROOT / "data"))
        for p in (ROOT / "data").rglob("*")
        if p.is_file() and p.name != "SOURCES.md"
    }
    assert set(rows) == on_disk
    for name, sha in rows.items():
        assert hashlib.sha256((ROOT / "data" / name).read_bytes()).hexdigest() == sha, name
