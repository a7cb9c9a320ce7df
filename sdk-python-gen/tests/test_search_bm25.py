"""The BM25 extension in the Search builder: a text ``$knn`` on ``#document`` that no embedding function touches."""

from __future__ import annotations

import pytest

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


class Letters:
    """Counts of the letters a, b and c."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, input: list[str]) -> list[list[float]]:
        self.calls.append(list(input))
        return [[float(t.count("a")), float(t.count("b")), float(t.count("c"))] for t in input]


def test_bm25_ranks_documents_and_fuses_with_a_dense_knn_on_the_server(server, tenant):
    client = server.client(tenant, "main")
    letters = Letters()
    col = client.create_collection("bm25", embedding_function=letters)
    col.add(ids=["x", "y", "z"], documents=["apple pie", "banana bread", "cherry apple tart"])
    result = col.search(
        vermilion.Search(rank=vermilion.bm25("Apple", limit=5), select=["#score"]),
        vermilion.Search(rank=vermilion.rrf(vermilion.knn("bb", 1, default=100.0, return_rank=True),
                                            vermilion.bm25("apple", 2, default=100.0, return_rank=True)),
                         select=["#score"]),
        vermilion.Search(where={"#id": {"$ne": "x"}}, rank=vermilion.bm25("apple pie")),
    )
    # Both apple documents: the shorter one scores higher (lower -bm25).
    assert result.ids == [["x", "z"], ["x", "z"], ["z"]]
    assert result.scores[0][0] < result.scores[0][1] < 0
    assert result.scores[1] == pytest.approx([-(1 / 60 + 1 / 60), -(1 / 160 + 1 / 61)], abs=1e-6)
    assert letters.calls == [["apple pie", "banana bread", "cherry apple tart"], ["bb"]]
