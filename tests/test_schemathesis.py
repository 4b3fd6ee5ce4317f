"""Schemathesis (``st run --checks all``) against a running server on the shipped data: every
operation in /openapi.json, generated valid and invalid inputs, no failure allowed (5xx, an
undocumented status or header, a response that does not match its schema, ...)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import DATA_DIR, ROOT
from serverproc import serving

from app.settings import Settings

ST = ROOT / ".venv" / "bin" / "st"
CONFIG = Path(__file__).with_name("schemathesis.toml")  # the rules JSON Schema cannot state
pytestmark = pytest.mark.skipif(
    not (ST.exists() or shutil.which("st")), reason="schemathesis is not installed (pip install -e '.[test]')"
)


def test_schemathesis_finds_no_failure(seed_sqlite: Settings) -> None:
    url = seed_sqlite.database_url  # the session's build of the shipped data: the API only reads it
    no_limits = {"EVIDENCE_KB_RATE_LIMIT": "", "EVIDENCE_KB_RATE_LIMIT_EXPENSIVE": ""}
    with serving(DATA_DIR, url, "--no-build", env=no_limits) as port:
        run = subprocess.run(
            [str(ST) if ST.exists() else "st", "--config-file", str(CONFIG), "run", f"http://127.0.0.1:{port}/openapi.json",
             "--checks", "all", "--max-examples", "10", "--seed", "1", "--no-color"],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    assert run.returncode == 0, run.stdout[-6000:]
    assert "No issues found" in run.stdout
