"""The benchmark generator (bench/generate.py) writes data the real loader accepts and builds.

Only a small size runs here; the benchmarks themselves (bench/run.py) are not part of the suite.
"""

from __future__ import annotations

import hashlib
import importlib.util
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from helpers import ROOT

from app.cli import main
from app.loader import load_data

CLAIMS = 40


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def generate(out: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--out", str(out), *args],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return result.stdout


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.*"))}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("kb")
    printed = generate(out, "--claims", str(CLAIMS))
    assert f"wrote {CLAIMS} claims, {CLAIMS * 5} studies" in printed
    return out


def test_output_passes_check_without_a_problem(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(kb), "check"]) == 0
    out = capsys.readouterr().out
    assert f"ok: {CLAIMS} claims and {CLAIMS * 5} studies" in out
    assert "0 error(s), 0 warning(s)" in out


def test_output_builds_on_each_backend(
    kb: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(kb), "--database-url", database_url, "build"]) == 0
    assert f"built: {CLAIMS} claims, {CLAIMS * 5} studies" in capsys.readouterr().out


def test_output_is_varied_like_real_data(kb: Path) -> None:
    data = load_data(kb)
    claims = [r.claim for r in data.claims]
    links = [link for c in claims for link in c.evidence]
    assert 3 <= len(links) / len(claims) <= 7  # five studies per claim on average
    cited = Counter(link.study for link in links)
    assert max(cited.values()) > 1, "some studies back several claims"
    assert len({s.design for s in data.studies if s.design}) >= 6
    assert len({link.stance for link in links}) == 4
    assert len({c.verdict for c in claims}) >= 3
    assert len({r.grade.level for r in data.claims}) >= 2
    assert any(s.sample_size is None and s.fields.get("samplesize") == "not-reported" for s in data.studies)
    assert any("\\" in s.fields.get("author", "") + s.fields.get("title", "") for s in data.studies), (
        "some LaTeX"
    )
    assert all(c.phrasings and c.caveats for c in claims)
    assert all(s.doi is None or s.doi.startswith("10.5555/") for s in data.studies), "test DOIs only"
    assert {c.kind for c in data.concepts} >= {"activity", "outcome", "population"}


def test_same_seed_same_files_other_seed_other_files(kb: Path, tmp_path: Path) -> None:
    generate(tmp_path / "again", "--claims", str(CLAIMS))
    generate(tmp_path / "other", "--claims", str(CLAIMS), "--seed", "2")
    assert digest(tmp_path / "again") == digest(kb)
    assert digest(tmp_path / "other")["claims.yaml"] != digest(kb)["claims.yaml"]


def test_benchmark_posts_name_claims_of_the_knowledge_base(kb: Path) -> None:
    generator = load_generator()
    ids = {r.claim.id for r in load_data(kb).claims}
    topics = generator.claim_topics(CLAIMS)
    assert {generator.claim_id(t) for t in topics} == ids
    posts = generator.posts(topics, 24)
    assert {expected for _, expected in posts} - {None} <= ids
    assert any(expected is None for _, expected in posts)


def test_bad_size_is_refused(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--out", str(tmp_path), "--claims", "0"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "claims must be between 1 and" in result.stderr


def test_reading_in_pieces_gives_what_reading_whole_files_gives(
    kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build streams: claims.yaml item by item, the .bib in pieces. Records, lines and
    problems must be those of parsing each file whole (forced here), on a file with problems."""
    from app import bibstream, loader

    broken = tmp_path / "kb"
    broken.mkdir()
    (broken / "concepts.yaml").write_bytes((kb / "concepts.yaml").read_bytes())
    bib = (kb / "studies.bib").read_text(encoding="utf-8")
    (broken / "studies.bib").write_text(
        bib.replace("samplesize   = {", "samplesise   = {", 1), encoding="utf-8"
    )
    text = (kb / "claims.yaml").read_text(encoding="utf-8")
    (broken / "claims.yaml").write_text(text.replace("  - study: ", "  - study: x", 1), encoding="utf-8")

    def snapshot() -> tuple[object, ...]:
        data = load_data(broken)
        return [(r.claim, r.line, r.grade, r.position) for r in data.claims], data.studies, data.problems

    monkeypatch.setattr(bibstream, "CHUNK_CHARS", 2000)
    pieces = snapshot()
    monkeypatch.setattr(bibstream, "CHUNK_CHARS", 1 << 40)
    monkeypatch.setattr(loader, "splits_into_items", lambda _path: False)
    whole = snapshot()
    assert pieces == whole
    assert len(whole[0]) == CLAIMS - 1 and "unknown study key 'x" in str(whole[2])
    assert "unknown field 'samplesise'" in str(whole[2])


def test_fast_yaml_writes_the_bytes_pyyaml_writes() -> None:
    """The generator's own YAML writer (for speed at 100,000 claims) against PyYAML/libyaml, on
    generated records and on values that need quotes, flow lists or folding."""
    generator = load_generator()
    made = generator.Generator(60, seed=3)
    records = [made.claim(topic) for topic in generator.claim_topics(60, seed=3)]
    tricky: dict[str, object] = {
        "id": "tricky",
        "plain": "pro tip: quotes needed",
        "hash": "#Hashtag for knees",
        "bool": "yes",
        "number": "16:8",
        "dash": "- starts like a list",
        "colon_end": "ends with a colon:",
        "apostrophe": "runner's knee is 'common'",
        "flow": ["a, b", "yes", "x: y", "plain", 3, 1.5],
        "long": "word " * 30 + "it's 'quoted' #not a comment: fine",
        "deep": {"nested": [{"k": "v" * 120, "n": -0.0}], "empty_ok": "x"},
        "date": records[0]["reviewed"],
    }
    for record in [*records, tricky]:
        assert generator.FastYaml().items([record]) == generator._pyyaml_items([record])
    # what it does not write goes to PyYAML: the output is the same either way
    odd = {"id": "odd", "text": "café  two spaces ", "none": None}
    assert generator.dump_yaml_items([odd]) == generator._pyyaml_items([odd])
