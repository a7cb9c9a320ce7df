"""The BM25 extension in the Search builder: a text ``$knn`` on ``#document`` that no embedding function touches."""

from __future__ import annotations

import vermilion
from vermilion.collection import Collection


def test_bm25_is_a_text_knn_on_document():
    assert vermilion.bm25("debian kernel", limit=10) == {
        "$knn": {"query": "debian kernel", "key": "#document", "limit": 10}
    }
    assert vermilion.bm25("fonts", 100, default=1000.0, return_rank=True) == {
        "$knn": {"query": "fonts", "key": "#document", "limit": 100, "default": 1000.0, "return_rank": True}
    }


def test_hybrid_rrf_embeds_the_dense_text_and_leaves_bm25_text_alone():
    search = vermilion.Search(rank=vermilion.rrf(vermilion.knn("fonts", 100, default=1000.0, return_rank=True),
                                                 vermilion.bm25("fonts", 100, default=1000.0, return_rank=True)))
    col = Collection.__new__(Collection)  # no server: only the client-side embedding walk is exercised
    col.embedding_function = lambda texts: [[0.5, 0.25] for _ in texts]
    body = col._embed_text_knns(search.to_dict())
    terms = body["rank"]["$mul"][1]["$sum"]
    dense = terms[0]["$div"]["right"]["$sum"][1]["$knn"]
    text = terms[1]["$div"]["right"]["$sum"][1]["$knn"]
    assert dense == {"query": [0.5, 0.25], "limit": 100, "default": 1000.0, "return_rank": True}
    assert text == {"query": "fonts", "key": "#document", "limit": 100, "default": 1000.0, "return_rank": True}
