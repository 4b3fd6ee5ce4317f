"""py3langid's language model, compact and shared: the same identifier in about 10 MB per worker
instead of about 75 MB.

py3langid ships its model LZMA-compressed and loads it into Python lists (one int object per
state of its byte automaton) and a float16 table for all 97 languages: 75 MB per process and
1-2 s (8 s on a loaded machine) per worker start. ``load`` converts it once per host into plain
arrays restricted to the candidate languages (``compact``), stored as ``.npy`` files in a cache
folder, and memory-maps them, so every worker of the host shares one copy of the pages and
starts in milliseconds. The identifier is py3langid's own ``LanguageIdentifier`` (its
``classify`` code runs unchanged) over these arrays: same scores, same answers.

The conversion is checked when it is made: the compact identifier must give the same language
and confidence as py3langid's loader on a set of sample texts, or it is not used (the usual
loader then serves, as before). The cache folder is keyed by py3langid's version and the
candidate languages; ``EVIDENCE_KB_LANGID_DIR`` chooses where it lives (default: the system's
temporary directory).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger("evidence_kb")

#: Texts the compact model must classify exactly as py3langid's loader does before it is used.
SAMPLES = (
    "Walking backwards eases knee pain, physios say.",
    "Caminar hacia atrás en la cinta alivia el dolor de rodilla",
    "Marcher à reculons renforce les quadriceps.",
    "Rückwärtsgehen verbrennt mehr Kalorien als Vorwärtsgehen",
    "Ходьба задом наперед укрепляет мышцы",
    "後ろ向きに歩くと膝の痛みが和らぐ",
    "",
    "#RetroWalking 🔥🔥 vo2max +20%",
)
ARRAYS = ("ptc", "pc", "nextmove", "rowbase", "output")


def folder(languages: Sequence[str]) -> Path:
    base = os.environ.get("EVIDENCE_KB_LANGID_DIR") or str(Path(tempfile.gettempdir()) / "evidence-kb-langid")
    key = hashlib.sha256(f"{metadata.version('py3langid')}|{','.join(languages)}".encode()).hexdigest()[:16]
    return Path(base) / key


def _full(languages: Sequence[str]) -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(languages))
    return identifier


def compact(identifier: Any, target: Path) -> None:
    """Write ``identifier``'s model (languages already restricted) as arrays in ``target``."""
    arrays = {
        "ptc": np.ascontiguousarray(identifier.nb_ptc),
        "pc": np.asarray(identifier.nb_pc),
        "nextmove": np.frombuffer(identifier.tk_nextmove, dtype=np.uint32)
        if identifier.tk_nextmove.itemsize == 4
        else np.asarray(identifier.tk_nextmove, dtype=np.uint32),
        "rowbase": np.asarray(identifier._rowbase, dtype=np.uint32),
        "output": np.asarray(identifier.tk_output, dtype=np.int32),
    }
    target.mkdir(parents=True)
    for name, array in arrays.items():
        np.save(target / f"{name}.npy", array, allow_pickle=False)
    (target / "classes.json").write_text(json.dumps(list(identifier.nb_classes)))


def _mapped(source: Path) -> Any:
    """A ``LanguageIdentifier`` over the memory-mapped arrays of ``source``."""
    from py3langid.langid import LanguageIdentifier

    arrays = {name: np.load(source / f"{name}.npy", mmap_mode="r", allow_pickle=False) for name in ARRAYS}
    classes = json.loads((source / "classes.json").read_text())
    identifier = LanguageIdentifier.__new__(LanguageIdentifier)
    identifier.min_confidence = None
    identifier._norm_probs = True
    identifier.nb_ptc = arrays["ptc"]
    identifier.nb_pc = np.array(arrays["pc"])  # small; the scores add it in place
    identifier.nb_classes = classes
    # memoryviews index to Python ints as fast as py3langid's own arrays, without copying the pages.
    identifier.tk_nextmove = memoryview(arrays["nextmove"]).cast("B").cast("I")
    identifier._rowbase = memoryview(arrays["rowbase"]).cast("B").cast("I")
    identifier.tk_output = memoryview(arrays["output"]).cast("B").cast("i")
    identifier.tk_row = None
    identifier._full_model = identifier.nb_ptc, identifier.nb_pc, classes
    identifier._set_alias_pairs()
    return identifier


def _same(a: Any, b: Any) -> bool:
    return all(a.classify(t) == b.classify(t) for t in SAMPLES)


def load(languages: Sequence[str]) -> Any:
    """py3langid's identifier restricted to ``languages``: the compact, memory-mapped model when
    it can be made and checked, else py3langid's own loader."""
    target = folder(languages)
    try:
        if not (target / "classes.json").exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target.parent / ".lock", "a+b") as lock:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
                if not (target / "classes.json").exists():
                    full = _full(languages)
                    work = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
                    try:
                        compact(full, work / "model")
                        if not _same(full, _mapped(work / "model")):
                            log.warning("compact language model differs from py3langid's; not used")
                            return full
                        (work / "model").rename(target)
                    finally:
                        shutil.rmtree(work, ignore_errors=True)
        return _mapped(target)
    except (OSError, ValueError, AttributeError, TypeError) as exc:
        log.warning("compact language model unavailable (%s); loading py3langid's", exc)
        with contextlib.suppress(OSError):
            shutil.rmtree(target, ignore_errors=True)
        return _full(languages)
