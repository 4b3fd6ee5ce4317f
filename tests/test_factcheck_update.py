"""An incremental build updates the fact-check index (app/factcheck/indexbuild.py) to exactly
what compiling it in full gives, on both backends.

A generated knowledge base is built in full; claims (a statement with a new word, a removed
claim whose words go from the vocabulary, an added one) and a cited study's authors (its short
citation is in the citing claims' documents) are then changed; the incremental build updates the
previous build's index file, and that file is compared array by array with the index compiled in
full from the same database. Changed concepts and a missing previous file compile in full, saying
why. A comparison that cannot fail proves nothing: updating while forgetting one changed claim
must differ.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import make_settings

from app.build import build_database
from app.db import Database
from app.factcheck import indexfile
from app.factcheck.arrays import Chunks, Ragged, StringTable
from app.factcheck.indexbuild import compile_index, update_index
from app.settings import Settings
from app.store import Store

CLAIMS = 30
UPDATED = "claim(s) compiled, the others' rows copied from the last build's"


@pytest.fixture
def settings(generated: Path, tmp_path: Path, database_url: str) -> Settings:
    data = tmp_path / "data"
    shutil.copytree(generated, data)
    return make_settings(database_url, data, factcheck_index_dir=str(tmp_path / "fc"))


def items(text: str) -> list[str]:
    return re.split(r"(?m)^(?=- id: )", text)


HASHTAG = "quorbleknees"  # a glued hashtag that splits only once "quorble" is a claim's word


def add_a_glued_hashtag(data: Path) -> None:
    """Claim 5 gains the phrasing '#quorbleknees forever' (before the first build)."""
    path = data / "claims.yaml"
    head, *body = items(path.read_text(encoding="utf-8"))
    body[5] = re.sub(r"(?m)^(  phrasings:\n)", rf"\1  - '#{HASHTAG} forever'\n", body[5], count=1)
    path.write_text(head + "".join(body), encoding="utf-8")


def edit_claims_and_a_study(data: Path) -> None:
    """A statement gains words no claim had ("quorble": claim 5's hashtag now splits, though
    claim 5 did not change); a claim goes (its words may leave the vocabulary); one is added in
    the middle with a phrasing of new words; a cited study's first author changes (the citing
    claims' short citations change, not their records)."""
    path = data / "claims.yaml"
    head, *body = items(path.read_text(encoding="utf-8"))
    body[3] = re.sub(
        r"(?m)^(  statement: )", r"\1Xylophonists and quorble fans agree that ", body[3], count=1
    )
    del body[7]
    added = re.sub(r"(?m)^- id: \S+", "- id: an-added-claim", body[0], count=1)
    added = re.sub(
        r"(?m)^(  phrasings:\n)", r"\1  - quibbling zeppelins say #KneeRelief works\n", added, count=1
    )
    body.insert(12, added)
    path.write_text(head + "".join(body), encoding="utf-8")
    cited = re.search(r"- study: (\S+)", body[20])[1]  # type: ignore[index]
    bib = data / "studies.bib"
    text = bib.read_text(encoding="utf-8")
    start = text.index("{" + cited + ",")
    entry_end = text.index("\n}", start)
    entry = re.sub(r"author\s*=\s*\{", "author       = {Quetzal, Zora and ", text[start:entry_end], count=1)
    bib.write_text(text[:start] + entry + text[entry_end:], encoding="utf-8")


def stored(settings: Settings) -> tuple[dict[str, Any], dict[str, Any]]:
    """The index file of the current build (meta, arrays)."""
    store = Store(Database(settings))
    try:
        generation = store.generation()
        assert generation
        return indexfile.read(indexfile.path_for(indexfile.directory(settings), generation), generation)
    finally:
        store.db.dispose()


def compiled(settings: Settings) -> tuple[dict[str, Any], dict[str, Any]]:
    """The index of the current build compiled in full."""
    store = Store(Database(settings))
    try:
        with store.db.session() as session:
            return compile_index(session)
    finally:
        store.db.dispose()


def assert_same_index(
    got: tuple[dict[str, Any], dict[str, Any]], expected: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    """Meta equal; the same arrays, each of the same dtype, shape and values."""
    (meta, arrays), (want_meta, want_arrays) = got, expected
    assert set(arrays) == set(want_arrays)
    for name in want_arrays:
        a, b = (
            x.join() if isinstance(x, Chunks) else np.asarray(x) for x in (arrays[name], want_arrays[name])
        )
        assert a.dtype == b.dtype and a.shape == b.shape, f"{name} differs from a full compile"
        assert np.array_equal(a, b), f"{name} differs from a full compile"
    assert meta == want_meta, "meta differs from a full compile"


def hashtag_features(index: tuple[dict[str, Any], dict[str, Any]]) -> set[str]:
    """The features of the claim text with the glued hashtag."""
    arrays = index[1]
    texts = list(StringTable(arrays["texts"], arrays["texts_at"]))
    row = next(i for i, t in enumerate(texts) if HASHTAG in t)
    names = StringTable(arrays["feature_names"], arrays["feature_names_at"])
    ids = Ragged(arrays["text_features_ptr"], arrays["text_features_ids"]).row(row)
    return {names[int(i)] for i in ids}


def test_an_incremental_build_updates_the_index_like_a_full_compile(settings: Settings) -> None:
    add_a_glued_hashtag(settings.data_dir)
    assert build_database(settings).how == "full"
    before = stored(settings)
    edit_claims_and_a_study(settings.data_dir)
    messages: list[str] = []
    result = build_database(settings, progress=messages.append)
    assert result.how.startswith("incremental: 1 claim changed, 1 added, 1 removed; 1 study changed")
    said = [m for m in messages if UPDATED in m]
    assert said, messages
    count = int(said[0].split()[2])
    assert 2 <= count < CLAIMS // 2  # the changed, the added and the claims citing the study
    after = stored(settings)
    assert_same_index(after, compiled(settings))
    assert after[0]["vocabulary"] != before[0]["vocabulary"]
    assert "xylophonists" in after[0]["vocabulary"] and "xylophonists" not in before[0]["vocabulary"]
    # The unchanged claim's hashtag was compiled again: it now splits into "quorble" + "knees".
    assert "w:quorblekne" in hashtag_features(before) and "w:quorbl" in hashtag_features(after)

    # Again on top of the updated file: a second update starts from an updated one.
    path = settings.data_dir / "claims.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Xylophonists and quorble fans agree that ", "", 1),
        encoding="utf-8",
    )
    messages.clear()
    assert build_database(settings, progress=messages.append).how.startswith("incremental: 1 claim changed")
    assert any(UPDATED in m for m in messages)
    again = stored(settings)
    assert_same_index(again, compiled(settings))
    assert "xylophonists" not in again[0]["vocabulary"]  # its one text changed: the word went
    assert hashtag_features(again) == hashtag_features(before)  # and the hashtag is whole again


def test_forgetting_a_changed_claim_is_caught(settings: Settings) -> None:
    """The comparison above fails when the update reuses a claim's old rows."""
    add_a_glued_hashtag(settings.data_dir)
    build_database(settings)
    previous = stored(settings)
    edit_claims_and_a_study(settings.data_dir)
    build_database(settings)
    store = Store(Database(settings))
    try:
        with store.db.session() as session:
            meta, arrays, _ = update_index(session, *previous, changed=frozenset())
    finally:
        store.db.dispose()
    with pytest.raises(AssertionError, match="differs from a full compile"):
        assert_same_index((meta, arrays), compiled(settings))


def test_changed_concepts_or_no_previous_file_compile_in_full(settings: Settings) -> None:
    build_database(settings)
    concepts = settings.data_dir / "concepts.yaml"
    concepts.write_text(
        concepts.read_text(encoding="utf-8") + "- id: an-added-concept\n  kind: topic\n  label: added\n"
        "  terms: [xylophone]\n",
        encoding="utf-8",
    )
    messages: list[str] = []
    assert build_database(settings, progress=messages.append).how.startswith("incremental")
    assert "fact-check index compiled in full: the concepts changed" in messages
    assert_same_index(stored(settings), compiled(settings))

    # A damaged vector of the previous file (a server start does not check them; the build does).
    store = Store(Database(settings))
    path = indexfile.path_for(indexfile.directory(settings), store.generation() or "")
    store.db.dispose()
    data = bytearray(path.read_bytes())
    header = json.loads(data[16 : 16 + int.from_bytes(data[8:16], "little")])
    data[header["start"] + header["arrays"]["vectors"]["offset"] + 5] ^= 0xFF
    path.write_bytes(bytes(data))
    path = settings.data_dir / "claims.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("summary: >-\n", "summary: >-\n    Edited.\n", 1)
    )
    messages.clear()
    assert build_database(settings, progress=messages.append).how.startswith("incremental: 1 claim changed")
    assert any(m.startswith("fact-check index compiled in full: ") and "checksum mismatch in vectors" in m
               for m in messages), messages  # fmt: skip
    assert_same_index(stored(settings), compiled(settings))

    for file in Path(settings.factcheck_index_dir or "").glob("*.fcidx"):
        file.unlink()
    edit_claims_and_a_study(settings.data_dir)
    messages.clear()
    assert build_database(settings, progress=messages.append).how.startswith("incremental")
    assert any(
        m.startswith("fact-check index compiled in full: ") and "missing" in m and "nothing is wrong" in m
        for m in messages
    ), messages
    assert_same_index(stored(settings), compiled(settings))
