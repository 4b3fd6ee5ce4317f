"""Choose the sentence-embedding model by measurement: the table in docs/factcheck.md.

For each encoder, the fit script's own cross-validation (``fit_factcheck.cross_validate``: group
K-fold by site over the development part of tests/fixtures/factcheck-real, the project's own posts
always in training, each fold's score model, learned weights and cut-offs fitted exactly as
``scripts/fit_factcheck.py`` fits the shipped ones) is run with the index's text vectors and the
posts' vectors from that encoder, and the held-out folds' figures are pooled. The test part is
never read. Rows:

- BM25 (rank-bm25) over the claims' statements and phrasings, its cut-off fitted per fold;
- lexical only: the system with no embedding (every vector zero, so the cosine features are 0),
  refitted per fold without them;
- embedding only, per encoder: cosine to the claim's nearest text, cut-off fitted per fold;
- lexical + embedding, per encoder: the system.

Encoders: the shipped static table (model2vec distillation of all-MiniLM-L6-v2, 256 dims, int8)
always; ``--static128 DIR`` (a 128-dimension table, scripts/distill_embeddings.py) and ``--onnx DIR``
(the full MiniLM encoder exported to ONNX, int8, one thread, by scripts/export_minilm_onnx.py;
needs onnxruntime) when given: both are made with build-time tools (PyTorch). Also per encoder:
milliseconds to encode one passage alone (median over the development passages) and its size on
disk.

    python scripts/compare_embeddings.py [--static128 DIR] [--onnx DIR] [--folds 5] [--limit N]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import fit_factcheck  # noqa: E402  (a script beside this one: the one implementation of the fit)

REAL = ROOT / "tests/fixtures/factcheck-real"
METRICS = ("single_first_right", "multi_all_in_top3", "no_claim_silent")
COLUMNS = ("ranker", *METRICS, "encode_ms", "size_mb")


class NullEncoder:
    """No embedding: every vector is zero, so the cosine features are 0 (lexical only)."""

    dims = 1

    def encode(self, texts: list[str]) -> Any:
        return np.zeros((len(texts), 1), dtype=np.float32)


class OnnxEncoder:
    """all-MiniLM-L6-v2 run by onnxruntime (one thread): mean pooling over the mask, L2-normalised."""

    def __init__(self, directory: Path) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(directory / "model-int8.onnx"), options)
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_truncation(256)
        self.tokenizer.enable_padding()
        self.dims = 384

    def encode(self, texts: list[str]) -> Any:
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        out = []
        for start in range(0, len(texts), 32):
            enc = self.tokenizer.encode_batch(texts[start : start + 32])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            summed = (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            out.append(summed / np.maximum(np.linalg.norm(summed, axis=1, keepdims=True), 1e-9))
        return np.concatenate(out).astype(np.float32)


def with_encoder(index: Any, encoder: Any) -> Any:
    """A shallow copy of ``index`` whose claim texts' vectors and posts' vectors come from
    ``encoder`` (the analyzer, features and gates are shared: only the embedding changes)."""
    other = copy.copy(index)
    other.encoder = encoder
    other.vectors = encoder.encode(list(index.texts))
    return other


def encode_ms(encoder: Any, texts: list[str]) -> float:
    """Median milliseconds to encode one text alone (as a post is encoded at run time)."""
    samples = []
    for text in texts:
        started = time.perf_counter()
        encoder.encode([text])
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 3)


def size_mb(path: Path | None) -> float | None:
    """Megabytes on disk of a model file or of the files of a model directory."""
    if path is None:
        return None
    files = [path] if path.is_file() else [f for f in path.iterdir() if f.is_file()]
    return round(sum(f.stat().st_size for f in files) / 1e6, 1)


def compare(
    index: Any, own: list[Any], real: list[Any], encoders: list[tuple[str, Any, Path | None]], folds: int
) -> list[dict[str, Any]]:
    """One row per ranker (``COLUMNS``): the pooled held-out figures of ``fit_factcheck.
    cross_validate`` run with each encoder's vectors. The encoder named ``none`` gives the BM25
    and lexical-only rows; every other one its embedding-only and lexical + embedding rows."""
    from app.factcheck.evaluate import Baselines

    table: list[dict[str, Any]] = []
    for name, encoder, path in encoders:
        encoded = with_encoder(index, encoder)
        report = fit_factcheck.cross_validate(encoded, own, real, folds, Baselines(encoded))["all"]
        rows: list[tuple[str, dict[str, Any], dict[str, Any]]]
        if name == "none":
            rows = [("BM25", report["bm25"], {}), ("lexical only", report["system"], {})]
        else:
            extra = {"encode_ms": encode_ms(encoder, [p.text for p in real]), "size_mb": size_mb(path)}
            rows = [(f"embedding only ({name})", report["embedding"], extra),
                    (f"lexical + {name}", report["system"], extra)]  # fmt: skip
        for label, metrics, more in rows:
            table.append({"ranker": label, **{k: metrics[k] for k in METRICS}, **more,
                          "counts": {k: metrics[k] for k in ("single", "multi", "no_claim")}})  # fmt: skip
    return table


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    """Print the table (markdown) and return its rows."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--static128", type=Path, help="a 128-dimension static model directory")
    parser.add_argument("--onnx", type=Path, help="directory with model-int8.onnx and tokenizer.json")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (by site)")
    parser.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help="only the first N passages of each development source (a quick check)",
    )
    args = parser.parse_args(argv)

    from app.factcheck.embed import MODEL_DIR, Encoder

    own, real, _ = fit_factcheck.load_dev(REAL)
    if args.limit:
        own, real = own[: args.limit], real[: args.limit]
    encoders: list[tuple[str, Any, Path | None]] = [
        ("none", NullEncoder(), None),
        ("static-256-int8", Encoder(MODEL_DIR), MODEL_DIR),
    ]
    if args.static128:
        encoders.append(("static-128-int8", Encoder(args.static128), args.static128))
    if args.onnx:
        encoders.append(("minilm-onnx-int8", OnnxEncoder(args.onnx), args.onnx / "model-int8.onnx"))
    with fit_factcheck.built_index() as index:
        table = compare(index, own, real, encoders, args.folds)
    counts = table[0]["counts"]
    print(f"development part, {args.folds}-fold cross-validation by site: {len(real)} passages held out "
          f"in turn ({counts['single']} single-claim, {counts['multi']} multi-claim, {counts['no_claim']} "
          f"no-claim); {len(own)} of the project's own posts always in training\n")  # fmt: skip
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "|".join(" --- " for _ in COLUMNS) + "|")
    for r in table:
        print("| " + " | ".join(_cell(c, r.get(c)) for c in COLUMNS) + " |")
    return table


def _cell(column: str, value: Any) -> str:
    """A table cell: shares as ``factcheck-eval`` and the fit script print them (56.6%)."""
    if value is None:
        return "-"
    return f"{value:.1%}" if column in METRICS else str(value)


if __name__ == "__main__":
    main()
