"""pytest plugin for running Chroma's own test suite (chromadb/test/) against a live server.

- Replaces the default embedding function (ONNX all-MiniLM-L6-v2, whose model cannot be downloaded in CI) with a
  deterministic fake: 384 floats seeded from each document's SHA-256. The suite only needs determinism.
- Limits Hypothesis to CHROMA_SUITE_MAX_EXAMPLES examples per property test (the suite's own "fast" profile runs 50),
  so the selection fits CI time.
"""
import hashlib
import os

import hypothesis
import numpy as np
from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2


def _fake_embeddings(self, input):  # the name `input` is part of Chroma's EmbeddingFunction signature check
    out = []
    for doc in input:
        seed = int.from_bytes(hashlib.sha256(str(doc).encode("utf-8")).digest()[:8], "little")
        out.append(np.random.default_rng(seed).random(384, dtype=np.float32))
    return out


ONNXMiniLM_L6_V2.__call__ = _fake_embeddings


def pytest_collection_modifyitems(session, config, items):
    # Runs after chromadb/test/conftest.py has loaded its own profile: replace it with a smaller one.
    examples = int(os.environ.get("CHROMA_SUITE_MAX_EXAMPLES", "10"))
    steps = int(os.environ.get("CHROMA_SUITE_STATEFUL_STEPS", "10"))
    hypothesis.settings.register_profile(
        "vermilion", hypothesis.settings.get_profile("base"),
        max_examples=examples, stateful_step_count=steps, verbosity=hypothesis.Verbosity.normal)
    hypothesis.settings.load_profile("vermilion")
