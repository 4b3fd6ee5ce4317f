"""The fact-check index as arrays in one file per build (app/factcheck/index.py, indexfile.py).

Round trip (the file answers what the compiled index answers), rebuilt when missing, stale,
damaged or of other code (never an error), shared by processes, and written by ``build`` before
the new build is served; on both backends.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml
from fastapi.testclient import TestClient
from helpers import FIXTURES, ROOT, empty_database, make_settings
from sqlmodel import Session

from app.build import build_database
from app.db import Database
from app.factcheck import factcheck, indexbuild, indexfile
from app.factcheck.analyzer import Analyzer
from app.factcheck.check import analyse
from app.factcheck.embed import Encoder, get_encoder
from app.factcheck.index import ClaimProfile, Index, get_index, match_features
from app.factcheck.indexbuild import compile_index
from app.factcheck.scoring import load_model
from app.main import create_app
from app.settings import Settings
from app.store import Store

POSTS = [p["text"] for p in yaml.safe_load((FIXTURES / "factcheck-posts.yaml").read_text())][:40]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def module_build(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Settings, Path, list[dict[str, object]]]]:
    """The shipped data built once per backend for the module (the tests only read the database):
    the settings, a copy of the index folder as the build left it, and the answers to ``POSTS``
    from that intact file. A fresh database (PostgreSQL: a URL of its own), so that no other
    test's index file is found in the URL's fallback folder."""
    folder = tmp_path_factory.mktemp("built")
    with empty_database(request.param, folder / "kb.db") as url:
        settings = make_settings(url, factcheck_index_dir=str(folder / "fc"))
        build_database(settings, force=True)
        shutil.copytree(folder / "fc", folder / "as-built")
        store = Store(Database(settings))
        expected = _answers(store)
        store.db.dispose()
        yield settings, folder / "as-built", expected


@pytest.fixture
def built(module_build: tuple[Settings, Path, list[dict[str, object]]], tmp_path: Path) -> Settings:
    """The module's build with the index folder its build wrote copied to a folder of the test's
    own, which the test may damage or rewrite (a build per test cost seconds of CPU each)."""
    settings, as_built, _ = module_build
    shutil.copytree(as_built, tmp_path / "fc")
    return settings.model_copy(update={"factcheck_index_dir": str(tmp_path / "fc")})


def _file(settings: Settings, store: Store) -> Path:
    generation = store.generation()
    assert generation
    return indexfile.path_for(indexfile.directory(settings), generation)


def _answers(store: Store) -> list[dict[str, object]]:
    out = []
    for text in POSTS:
        result = factcheck(store, text)
        result.pop("took_ms")
        out.append(result)
    return out


def test_build_writes_the_index_before_it_is_served(built: Settings) -> None:
    """``build`` leaves the new generation's file in place: the first fact-check maps it and
    compiles nothing (the file is not rewritten)."""
    store = Store(Database(built))
    path = _file(built, store)
    assert path.exists()
    written = path.stat().st_mtime_ns
    meta, arrays = indexfile.read(path, store.generation())
    assert meta["generation"] == store.generation() and len(arrays["claim_ids_at"]) > 10
    with TestClient(create_app(built)) as client:
        response = client.post("/api/v1/factcheck", json={"text": POSTS[0]})
        assert response.status_code == 200 and response.json()["matches"]
    assert path.stat().st_mtime_ns == written
    store.db.dispose()


def reference_profiles(session: Session) -> list[ClaimProfile]:
    """Each claim's profile computed from its records with one analyzer that knows the words of
    every claim text and repairs words as it does for posts (how the index was compiled before it
    was kept as arrays): what ``Index.profile_at`` must give."""
    defs, _ = indexbuild._concepts(session)
    shorts: dict[str, str] = {}  # the studies' labels, with their APA year letters
    records = indexbuild._read_claims(session, indexbuild._claim_order(session), shorts)
    texts = [t for claim, _ in records for t in (claim.statement, *claim.phrasings)]
    analyzer = Analyzer(defs, vocabulary=texts, lexicon=get_encoder().vocabulary())
    out = []
    for claim, links in records:
        row = indexbuild.claim_row(analyzer, claim, links, shorts, analyzer.features)
        doc = json.loads(json.dumps(row.doc))
        figures = []
        for f in doc["figures"]:
            about = f.pop("about", None)
            measured = match_features(analyzer, about) - {"w:particip"} if about is not None else frozenset()
            figures.append({**f, "measure_features": measured})
        misreadings = [
            (m, [match_features(analyzer, t) for t in (m["claimed"], *m.get("phrasings", []))])
            for m in doc["misreadings"]
        ]
        out.append(ClaimProfile(row.id, row.text_features, row.core, row.features, row.required, doc["tested_in"],
                                figures, misreadings, claim=doc["claim"]))  # fmt: skip
    return out


def test_file_round_trip_answers_like_the_compiled_index(built: Settings) -> None:
    store = Store(Database(built))
    with store.db.session() as session:
        meta, arrays = compile_index(session)
        profiles = reference_profiles(session)
    compiled = Index(meta, arrays)
    assert len(profiles) == len(compiled) > 10
    assert sum(len(p.figures) for p in profiles) > 10 and sum(len(p.misreadings) for p in profiles) > 3
    for profile in profiles:  # the arrays give back every profile as it was computed
        back = compiled.profiles[profile.id]
        idf = compiled.idf
        assert back.core_weight == pytest.approx(sum(idf[f] for f in profile.core))
        weighted = [(t, pytest.approx(sum(idf[f] for f in t))) for t in profile.texts if t]
        assert back.weighted_texts == weighted
        assert replace(back, weighted_texts=[], core_weight=0.0) == profile
    mapped = get_index(store)
    assert isinstance(mapped.vectors, np.ndarray) and not mapped.vectors.flags.writeable  # a file view
    assert set(arrays) == set(mapped.arrays)
    for name, array in compiled.arrays.items():
        assert np.array_equal(array, mapped.arrays[name]), name
    for claim_id in compiled.claim_order:
        assert compiled.profiles[claim_id] == mapped.profiles[claim_id]
    # The analyzer built from the stored words knows what one built from the claims' texts knows.
    texts = [t for c in compiled.claim_order for t in compiled.texts[slice(*compiled.text_rows[c])]]
    direct = Analyzer(
        compiled.analyzer.concepts.values(), vocabulary=texts, lexicon=compiled.analyzer.lexicon
    )
    assert direct.vocabulary == mapped.analyzer.vocabulary
    for text in POSTS:
        a, _ = analyse(compiled, text)
        b, _ = analyse(mapped, text)
        assert [(c.claim_id, c.score, c.values, c.matched) for c in a] == [
            (c.claim_id, c.score, c.values, c.matched) for c in b
        ]
    store.db.dispose()


def test_top_claims_are_the_first_of_the_full_ranking(built: Settings) -> None:
    """``factcheck`` scores in Python only the claims it shows (``rank(top=...)``); the evaluation
    scores every candidate: the claims shown, their scores and near ties agree."""
    store = Store(Database(built))
    index = get_index(store)
    threshold = load_model()["threshold"]
    for text in [*POSTS, " ".join(POSTS)]:
        for top in (1, 3, 6):
            every, _ = analyse(index, text)
            accepted = [c for c in every if c.score >= threshold]
            shown, _ = analyse(index, text, top=top)
            assert [(c.claim_id, c.score, c.unit.unit) for c in shown] == [
                (c.claim_id, c.score, c.unit.unit) for c in accepted[:top]
            ]
            assert [c.ambiguous_with for c in shown[: top - 1]] == [
                [a for a in c.ambiguous_with if a in {x.claim_id for x in accepted[:top]}]
                for c in accepted[: top - 1]
            ]
    store.db.dispose()


@pytest.mark.parametrize("damage", ["missing", "truncated", "garbage", "other-code", "bit-flip"])
def test_a_bad_file_is_compiled_again_never_an_error(
    module_build: tuple[Settings, Path, list[dict[str, object]]], built: Settings, damage: str
) -> None:
    store = Store(Database(built))
    path = _file(built, store)
    expected = module_build[2]  # the answers from the intact file
    data = path.read_bytes()
    if damage == "missing":
        path.unlink()
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"\0garbage" * 100)
    elif damage == "other-code":
        length = int.from_bytes(data[8:16], "little")
        header = json.loads(data[16 : 16 + length])
        header["fingerprint"] = "0" * 16
        head = json.dumps(header).encode()[:length].ljust(length)
        path.write_bytes(data[:16] + head + data[16 + length :])
    else:  # one byte of the idf array
        length = int.from_bytes(data[8:16], "little")
        header = json.loads(data[16 : 16 + length])
        at = header["start"] + header["arrays"]["idf"]["offset"]
        path.write_bytes(data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :])
    with pytest.raises(indexfile.BadIndexFile):
        indexfile.read(path, store.generation())
    with TestClient(create_app(built)) as client:
        response = client.post("/api/v1/factcheck", json={"text": POSTS[0]})
        assert response.status_code == 200
        assert response.json()["matches"] == expected[0]["matches"]
    assert _answers(store) == expected
    indexfile.read(path, store.generation())  # written again, complete
    store.db.dispose()


def test_an_unwritable_folder_still_answers(tmp_path: Path) -> None:
    target = tmp_path / "not-a-folder"
    target.write_text("a file where the folder should be")
    settings = make_settings(f"sqlite:///{tmp_path / 'kb.db'}", factcheck_index_dir=str(target))
    build_database(settings, force=True)
    store = Store(Database(settings))
    assert factcheck(store, POSTS[0])["matches"]
    store.db.dispose()


PROBE = """
import sys
from dataclasses import replace
from app.db import Database
from app.settings import Settings
from app.store import Store
from app.factcheck.index import get_index
index = get_index(Store(Database(Settings(database_url=sys.argv[1], factcheck_index_dir=sys.argv[2]))))
maps = open("/proc/self/maps").read()
print(sum(1 for line in maps.splitlines() if line.endswith(".fcidx")), len(index))
"""


def test_processes_share_one_file(tmp_path: Path) -> None:
    """Two processes (two workers) map the same file, which the first one wrote and the second
    only read."""
    folder = tmp_path / "fc"
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    settings = make_settings(url, data_dir=FIXTURES / "mini", factcheck_index_dir=str(folder))
    build_database(settings, force=True)
    (file,) = folder.glob("*.fcidx")
    file.unlink()  # as after a build on another host: the first worker compiles it
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    outputs = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", PROBE, url, str(folder)], capture_output=True, text=True,
                              env=env, cwd=ROOT, check=True)  # fmt: skip
        outputs.append(done.stdout.split())
        if len(outputs) == 1:
            (file,) = folder.glob("*.fcidx")
            written = file.stat().st_mtime_ns
    assert outputs[0] == outputs[1] and int(outputs[0][0]) >= 1
    assert [p.stat().st_mtime_ns for p in folder.glob("*.fcidx")] == [written]


def test_compact_language_model_answers_like_py3langid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The memory-mapped language model gives py3langid's answers; a damaged cache is not used."""
    from app.factcheck import langmodel, language

    monkeypatch.setenv("EVIDENCE_KB_LANGID_DIR", str(tmp_path))
    texts = [p["text"] for p in yaml.safe_load((FIXTURES / "factcheck-real" / "test.yaml").read_text())][:150]
    compact = langmodel.load(language.CANDIDATES)
    assert isinstance(compact.nb_ptc, np.memmap)
    full = langmodel._full(language.CANDIDATES)
    assert [compact.classify(t) for t in texts] == [full.classify(t) for t in texts]
    target = langmodel.folder(language.CANDIDATES)
    (target / "nextmove.npy").write_bytes(b"not an array")
    again = langmodel.load(language.CANDIDATES)  # falls back to py3langid's loader
    assert [again.classify(t) for t in texts[:20]] == [full.classify(t) for t in texts[:20]]


def test_the_lexicon_is_read_without_loading_the_table() -> None:
    """``Encoder.vocabulary`` reads the tokenizer alone: the same words as the loaded model's."""
    encoder = Encoder()
    words = encoder.vocabulary()
    assert encoder._model is None and len(words) > 10_000
    model_words = encoder.model.tokenizer.get_vocab()
    assert words == {w for w in model_words if w.isalpha() and not w.startswith("##") and len(w) > 2}
