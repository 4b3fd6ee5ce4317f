"""The incremental build benchmark: one small edit at a time to a copy of a generated knowledge
base, and ``evidence-kb build`` (without ``--force``) timed after each, on every backend.

    .venv/bin/python bench/run.py incremental --sizes 10000 --backends sqlite,postgres

The edits are what a curator does in a day: change one claim's summary, remove one claim from
the middle of claims.yaml, add one claim (at the end), change one study's sample size, add a
study, remove an uncited study, add a term to a concept; then a build with nothing changed. Each
edit is applied once to the files, then each backend builds them (so both see the same data).
The copy starts from ``bench/out/kb-N`` every run; nothing here changes the generated files.

Whatever the build does with an edit (a full rebuild or an incremental one) is measured the same
way: wall time, CPU and the peak memory of the whole process tree (``procs.run_measured``).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench import generate


@dataclass
class Edit:
    """One change to the data files (``apply`` edits the folder and says what it did)."""

    name: str
    apply: Callable[[Path], str]


CLAIM_START = "\n- id: "


def claim_blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each top-level claim record in claims.yaml (each starts with the
    newline before its ``- id:``)."""
    starts = [m.start() for m in re.finditer(re.escape(CLAIM_START), text)]
    return [(s, e) for s, e in zip(starts, [*starts[1:], len(text)], strict=True)]


def change_claim(folder: Path) -> str:
    path = folder / "claims.yaml"
    text = path.read_text(encoding="utf-8")
    blocks = claim_blocks(text)
    start, end = blocks[len(blocks) // 2]
    block = text[start:end]
    edited = re.sub(
        r"\n  summary: (>-\n    )?", lambda m: m.group(0) + "Re-read for the benchmark. ", block, count=1
    )
    path.write_text(text[:start] + edited + text[end:], encoding="utf-8")
    return f"summary of claim {_claim_id(block)} edited"


def _claim_id(block: str) -> str:
    return block[len(CLAIM_START) :].split("\n", 1)[0]


REMOVED = "removed-claim.yaml"  # kept beside the copy, so the claim can be added back


def remove_claim(folder: Path) -> str:
    path = folder / "claims.yaml"
    text = path.read_text(encoding="utf-8")
    blocks = claim_blocks(text)
    start, end = blocks[len(blocks) // 3]
    (folder.parent / f"{folder.name}-{REMOVED}").write_text(text[start:end], encoding="utf-8")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    return f"claim {_claim_id(text[start:end])} removed (position {len(blocks) // 3 + 1} of {len(blocks)})"


def add_claim(folder: Path) -> str:
    path = folder / "claims.yaml"
    block = (folder.parent / f"{folder.name}-{REMOVED}").read_text(encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + block.rstrip("\n") + "\n", encoding="utf-8")
    return f"claim {_claim_id(block)} added at the end"


def change_sample_size(folder: Path) -> str:
    claims = (folder / "claims.yaml").read_text(encoding="utf-8")
    start, end = claim_blocks(claims)[len(claim_blocks(claims)) // 2]
    keys = re.findall(r"\n  - study: (\S+)", claims[start:end])
    path = folder / "studies.bib"
    bib = path.read_text(encoding="utf-8")
    for key in keys:
        entry = re.search(r"@\w+\{" + re.escape(key) + r",\n(.*?\n)\}", bib, re.S)
        size = entry and re.search(r"\n  samplesize   = \{(\d+)\}", bib[entry.start() : entry.end()])
        if entry and size:
            at = entry.start() + size.start(1)
            new = int(size.group(1)) + 1
            path.write_text(bib[:at] + str(new) + bib[at + len(size.group(1)) :], encoding="utf-8")
            return f"sample size of {key} (cited) {size.group(1)} -> {new}"
    raise RuntimeError("no study with a sample size behind the middle claim")


ADDED_STUDY = """
@article{benchadded2025incremental,
  author       = {Smith, Anna and Chen, Wei},
  title        = {Yoga and sleep quality in office workers: a randomized controlled trial},
  year         = {2025},
  journal      = j0,
  doi          = {10.5555/synth.2025.bench-added},
  note         = {Synthetic record for benchmarks (bench/incremental.py); not a real study},
  design       = {randomized-controlled-trial},
  samplesize   = {64},
}
"""


def add_study(folder: Path) -> str:
    path = folder / "studies.bib"
    path.write_text(path.read_text(encoding="utf-8") + ADDED_STUDY, encoding="utf-8")
    return "study benchadded2025incremental added (not cited)"


def remove_study(folder: Path) -> str:
    """Remove an uncited study from the middle of the uncited part of the bibliography (the
    generator writes uncited studies after every cited one)."""
    claims = (folder / "claims.yaml").read_text(encoding="utf-8")
    path = folder / "studies.bib"
    bib = path.read_text(encoding="utf-8")
    entries = [m for m in re.finditer(r"\n@\w+\{([^,]+),\n.*?\n\}\n", bib, re.S)]
    for entry in entries[int(len(entries) * 0.95) :]:
        if f"study: {entry.group(1)}\n" not in claims:
            path.write_text(bib[: entry.start()] + bib[entry.end() :], encoding="utf-8")
            return f"study {entry.group(1)} removed (not cited)"
    raise RuntimeError("no uncited study found")


def change_concept(folder: Path) -> str:
    path = folder / "concepts.yaml"
    concepts = yaml.safe_load(path.read_text(encoding="utf-8"))
    concept = next(c for c in concepts if c["id"] == "yoga")
    concept["terms"].append("power yoga")
    path.write_text(
        generate.dump_yaml(concepts, "Synthetic concepts for benchmarks (bench/generate.py)."),
        encoding="utf-8",
    )
    return "concept yoga: term 'power yoga' added"


def no_change(_folder: Path) -> str:
    return "nothing changed"


EDITS = [
    Edit("no-op (after the full build)", no_change),
    Edit("change one claim", change_claim),
    Edit("remove one claim", remove_claim),
    Edit("add one claim", add_claim),
    Edit("change one study's sample size", change_sample_size),
    Edit("add a study", add_study),
    Edit("remove a study", remove_study),
    Edit("change a concept", change_concept),
    Edit("no-op", no_change),
]


def fresh_copy(source: Path, target: Path) -> Path:
    """``target`` holding the three data files of ``source`` (replaced if it exists)."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in ("studies.bib", "claims.yaml", "concepts.yaml"):
        shutil.copyfile(source / name, target / name)
    return target
