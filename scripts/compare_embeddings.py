"""Choose the sentence-embedding model by measurement: the table in docs/factcheck.md.

For each candidate encoder the score model is fitted on the development passages exactly as
scripts/fit_factcheck.py does (features, logistic regression, cut-offs), then every ranker is run
on the held-out test part of tests/fixtures/factcheck-real (never used for fitting):

- lexical only: the system with the embedding features set to zero (refitted without them);
- BM25 (rank-bm25) over the claims' statements and phrasings;
- embedding only, for each encoder: cosine to the claim's nearest text, cut-off fitted on dev;
- lexical + embedding, for each encoder: the system.

Encoders: the shipped static table (model2vec distillation of all-MiniLM-L6-v2, 256 dims, int8),
a 128-dimension variant, and the full MiniLM encoder exported to ONNX (int8, one thread) by
scripts/export_minilm_onnx.py. Also per encoder: milliseconds to encode one post (median over
the test passages) and the size on disk.

    python scripts/compare_embeddings.py --static128 DIR --onnx DIR     # build-time tools needed
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


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
    import copy

    other = copy.copy(index)
    other.encoder = encoder
    other.vectors = encoder.encode(index.texts)
    return other


def fit(index: Any, dev: list[Any]) -> dict[str, Any]:
    from fit_factcheck import best_cut, rows, system_cut
    from sklearn.linear_model import LogisticRegression

    from app.factcheck.evaluate import Baselines
    from app.factcheck.scoring import FEATURES

    x, y = rows(index, dev)
    lr = LogisticRegression(C=1.0, max_iter=1000).fit(x, y)
    model = {
        "features": list(FEATURES),
        "coef": [float(c) for c in lr.coef_[0]],
        "intercept": float(lr.intercept_[0]),
    }
    model["threshold"] = system_cut(index, dev, model)
    model["near_tie"] = 0.03
    baselines = Baselines(index)
    model["baselines"] = {}
    for name in ("bm25", "embedding"):
        scored = [(p, baselines.scores(name, p.text)) for p in dev]
        model["baselines"][name] = best_cut(
            scored, sorted({round(s, 3) for _, sc in scored for _, s in sc[:5]})
        )
    return model


def row(label: str, metrics: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    keys = ("single_first_right", "multi_all_in_top3", "no_claim_silent")
    return {"ranker": label, **{k: metrics[k] for k in keys}, "p99_ms": metrics["ms_p99"], **extra}


def encode_ms(encoder: Any, texts: list[str]) -> float:
    samples = []
    for text in texts:
        started = time.perf_counter()
        encoder.encode([text])
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 3)


def size_mb(path: Path | None) -> float | None:
    if path is None:
        return None
    files = [path] if path.is_file() else list(path.iterdir())
    return round(sum(f.stat().st_size for f in files) / 1e6, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--static128", type=Path, help="a 128-dimension static model directory")
    parser.add_argument("--onnx", type=Path, help="directory with model-int8.onnx and tokenizer.json")
    args = parser.parse_args()

    from fit_factcheck import DEV_FILES

    from app.build import build_database
    from app.db import Database
    from app.factcheck.embed import MODEL_DIR, Encoder
    from app.factcheck.evaluate import Baselines, load_passages, metrics, run_ranker
    from app.factcheck.index import build_index
    from app.settings import Settings
    from app.store import Store

    fixtures = ROOT / "tests/fixtures"
    real = fixtures / "factcheck-real"
    dev = [p for f in DEV_FILES for p in load_passages(fixtures / f, None)] + load_passages(real, "dev")
    test = load_passages(real, "test")
    encoders: list[tuple[str, Any, Path | None]] = [
        ("none", NullEncoder(), None),
        ("static-256-int8", Encoder(MODEL_DIR), MODEL_DIR),
    ]
    if args.static128:
        encoders.append(("static-128-int8", Encoder(args.static128), args.static128))
    if args.onnx:
        encoders.append(("minilm-onnx-int8", OnnxEncoder(args.onnx), args.onnx / "model-int8.onnx"))
    table = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{tmp}/kb.db", data_dir=ROOT / "data")
        build_database(settings, force=True)
        base = build_index(Store(Database(settings)))
        for name, encoder, path in encoders:
            index = with_encoder(base, encoder)
            model = fit(index, dev)
            baselines = Baselines(index)
            extra = {"encode_ms": encode_ms(encoder, [p.text for p in test]), "size_mb": size_mb(path)}
            if name == "none":
                table.append(row("BM25", metrics(run_ranker(index, "bm25", test, baselines, model)), {}))
                table.append(
                    row("lexical only", metrics(run_ranker(index, "system", test, baselines, model)), {})
                )
                continue
            table.append(
                row(
                    f"embedding only ({name})",
                    metrics(run_ranker(index, "embedding", test, baselines, model)),
                    extra,
                )
            )
            table.append(
                row(f"lexical + {name}", metrics(run_ranker(index, "system", test, baselines, model)), extra)
            )
    columns = [
        "ranker",
        "single_first_right",
        "multi_all_in_top3",
        "no_claim_silent",
        "p99_ms",
        "encode_ms",
        "size_mb",
    ]
    print(f"test part: {len(test)} passages; fitted on {len(dev)} development passages\n")
    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join(" --- " for _ in columns) + "|")
    for r in table:
        print("| " + " | ".join("" if r.get(c) is None else str(r[c]) for c in columns) + " |")


if __name__ == "__main__":
    main()
