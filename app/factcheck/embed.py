"""Sentence embeddings without a deep-learning framework: a static distillation of all-MiniLM-L6-v2.

The model (``data/minilm-static``, made by scripts/distill_embeddings.py; Apache-2.0, see its
LICENSE) is a table of one vector per word piece; a text's vector is the mean of its pieces'
vectors (``model2vec.StaticModel``), L2-normalised here so a dot product is the cosine. Loading
takes about 0.1 s and the table adds about 30 MB per process; encoding a post costs well under a
millisecond. Why this model and not the full encoder: docs/factcheck.md (measured).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

MODEL_DIR = Path(__file__).parent / "data" / "minilm-static"
Vectors = npt.NDArray[np.float32]

_lock = threading.Lock()
_models: dict[Path, object] = {}


class Encoder:
    """``encode(texts) -> float32 array (n, dims)``, unit length rows (zero rows for empty texts).
    The table is loaded at the first ``encode`` (an index update that copies every vector, or an
    analyzer that needs only ``vocabulary``, never loads it)."""

    def __init__(self, path: Path = MODEL_DIR) -> None:
        self.path = path
        self._model: Any = None
        self._lexicon: frozenset[str] | None = None

    @property
    def model(self) -> Any:
        with _lock:
            if self._model is None:
                from model2vec import StaticModel

                self._model = StaticModel.from_pretrained(str(self.path))
        return self._model

    @property
    def dims(self) -> int:
        return int(self.model.dim)

    def encode(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        # One thread: model2vec would otherwise start workers above 10,000 texts (``indexbuild``
        # encodes a slice of claims at a time; posts are short).
        vectors = np.asarray(
            self.model.encode(texts, show_progress_bar=False, use_multiprocessing=False), dtype=np.float32
        )
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        unit: Vectors = vectors / norms
        return unit

    def vocabulary(self) -> frozenset[str]:
        """The whole words of the model's WordPiece vocabulary (no ``##`` pieces): a lexicon of
        ordinary English words that spelling correction must leave alone ("dancer" stays). Read
        once per encoder."""
        if self._lexicon is None:  # the model's tokenizer, read alone (the table is not needed)
            from tokenizers import Tokenizer

            vocab = Tokenizer.from_file(str(self.path / "tokenizer.json")).get_vocab()
            self._lexicon = frozenset(
                w for w in vocab if w.isalpha() and not w.startswith("##") and len(w) > 2
            )
        return self._lexicon


def get_encoder(path: Path = MODEL_DIR) -> Encoder:
    """One encoder per process (the table is read once; encoding is thread-safe)."""
    with _lock:
        encoder = _models.get(path)
        if encoder is None:
            encoder = _models[path] = Encoder(path)
    return encoder  # type: ignore[return-value]
