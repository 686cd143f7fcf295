#!/usr/bin/env python3
"""Make tests/fixtures/tokenizer_golden.json with an implementation independent of nw-llm:
Hugging Face transformers' own GGUF -> tokenizers conversion (AutoTokenizer.from_pretrained
with gguf_file=...).

Usage (see tests/fixtures/README.md):
    python3 -m venv /tmp/nwllm-venv
    /tmp/nwllm-venv/bin/pip install "transformers<5" gguf tokenizers jinja2
    /tmp/nwllm-venv/bin/python crates/nw-llm/tools/make_tokenizer_golden.py \
        /path/to/SmolLM2-135M-Instruct.Q4_1.gguf crates/nw-llm/tests/fixtures/tokenizer_golden.json

transformers 4.x refuses to read GGUF metadata unless torch is importable, although reading the
tokenizer (return_tensors=False) never touches torch. We only flip that availability check;
no torch code runs.
"""
import hashlib
import json
import os
import sys

import transformers.modeling_gguf_pytorch_utils as gguf_utils

gguf_utils.is_torch_available = lambda: True  # metadata-only read; torch is never used

import tokenizers  # noqa: E402
import transformers  # noqa: E402
import gguf  # noqa: E402
from transformers import AutoTokenizer  # noqa: E402

STRINGS = [
    "Hello world",
    "12345 and 3.14",
    "  hello",
    "line one\nline two\n\n  indented\ttab",
    "🚀🔥 great",
    "你好，世界",
    "Café Zoë Müller",
    "don't I'd we'll they're",
    "<|im_start|>user\nhi<|im_end|>",
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
    "In 2024, Dr. María-José O'Neill (CTO @ Acme-Corp) said: \"We'll ship v2.0.1 by Q3 — 15% faster, 3× cheaper!\" #AI https://example.com/x?y=1&z=2",
    "",
    " ",
    "tabs\tand\r\nwindows newlines",
]


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    tok = AutoTokenizer.from_pretrained(
        os.path.dirname(os.path.abspath(src)), gguf_file=os.path.basename(src)
    )
    cases = []
    for s in STRINGS:
        ids = tok(s, add_special_tokens=False)["input_ids"]
        cases.append(
            {
                "text": s,
                "ids": ids,
                "decoded": tok.decode(ids, skip_special_tokens=False),
            }
        )
    chat = [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Name a colour."},
    ]
    out = {
        "generator": "crates/nw-llm/tools/make_tokenizer_golden.py",
        "implementation": "transformers AutoTokenizer.from_pretrained(gguf_file=...)",
        "versions": {
            "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__,
            "gguf": getattr(gguf, "__version__", "unknown"),
            "python": sys.version.split()[0],
        },
        "model_file": os.path.basename(src),
        "model_sha256": sha,
        "cases": cases,
        "chat_template_case": {
            "messages": chat,
            "add_generation_prompt": True,
            "rendered": tok.apply_chat_template(chat, tokenize=False, add_generation_prompt=True),
        },
    }
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {dst}")


if __name__ == "__main__":
    main()
