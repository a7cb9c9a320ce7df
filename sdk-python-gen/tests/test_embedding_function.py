"""Texts in: embedded on the client by an embedding function, or without one by the server for a collection it
embeds (Chroma's ``default`` function), against the packaged server."""

from __future__ import annotations

import pytest

import vermilion
from vermilion import InvalidArgumentError


class Letters:
    """Counts of the letters a, b and c: an embedding function whose output is known exactly."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, input: list[str]) -> list[list[float]]:
        self.calls.append(list(input))
        return [[float(t.count("a")), float(t.count("b")), float(t.count("c"))] for t in input]


def test_a_client_side_function_embeds_documents_and_query_texts(server, tenant):
    client = server.client(tenant, "main")
    letters = Letters()
    assert isinstance(letters, vermilion.EmbeddingFunction)
    col = client.create_collection("letters", embedding_function=letters)
    assert not col.server_embedded
    col.add(ids=["x", "y", "z"], documents=["aaa", "bb", "c"])
    assert letters.calls == [["aaa", "bb", "c"]]
    got = col.get(include=["embeddings"])
    assert got.ids == ["x", "y", "z"]
    assert got.embeddings == [[3.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 1.0]]

    r = col.query(query_texts=["aa", "cc"], n_results=2, include=["distances"])
    assert r.ids == [["x", "z"], ["z", "y"]]
    assert r.distances[0][0] == pytest.approx(1.0) and r.distances[1][0] == pytest.approx(1.0)

    # A text knn in a search is embedded by the function too.
    found = col.search(vermilion.Search(rank=vermilion.knn("aa", limit=2), select=["#score"]))
    assert found.ids == [["x", "z"]]
    assert found.scores[0] == pytest.approx([1.0, 5.0])

    col.update(ids="y", documents="abc")
    col.upsert(ids="w", documents="zzz", embeddings=[9.0, 9.0, 9.0])
    after = col.get(ids=["y", "w"], include=["embeddings"])
    assert dict(zip(after.ids, after.embeddings)) == {"y": [1.0, 1.0, 1.0], "w": [9.0, 9.0, 9.0]}

    assert client.get_collection("letters", embedding_function=letters).query(query_texts="aaa", n_results=1).ids == [
        ["x"]
    ]
    plain = client.get_collection("letters")
    assert plain.embedding_function is None
    with pytest.raises(InvalidArgumentError) as e:
        plain.query(query_texts=["aaa"], n_results=1)
    assert e.value.status == 400
    with pytest.raises(InvalidArgumentError):
        col.add(ids=["v"], documents=[None])
    with pytest.raises(InvalidArgumentError):
        col.query(query_embeddings=[[1.0, 0.0, 0.0]], query_texts=["a"])
    assert col.count() == 4


def test_without_a_function_the_server_embeds_texts(server, tenant):
    client = server.client(tenant, "main")
    col = client.create_collection("served", configuration={"hnsw": {"space": "cosine"}}, server_embedded=True)
    assert col.server_embedded
    assert col.configuration["embedding_function"] == vermilion.SERVER_EMBEDDING_FUNCTION
    assert client.get_collection("served").server_embedded
    col.add(
        ids=["pie", "car", "code"],
        documents=[
            "how to bake an apple pie",
            "a red sports car with a fast engine",
            "writing a parser in the Java programming language",
        ],
    )
    assert len(col.get(ids="pie", include=["embeddings"]).embeddings[0]) == 384

    r = col.query(query_texts=["a red sports car with a fast engine", "how to bake an apple pie"], n_results=1)
    assert r.ids == [["car"], ["pie"]]
    assert r.distances[0][0] == pytest.approx(0.0, abs=1e-5)

    # A text knn in a search goes as it is, and the server embeds it.
    found = col.search(vermilion.Search(rank=vermilion.knn("how to bake an apple pie", limit=2), select=["#score"]))
    assert found.ids[0][0] == "pie" and found.scores[0][0] == pytest.approx(0.0, abs=1e-5)

    col.update(ids="code", documents="a blue bicycle")
    assert col.query(query_texts="a blue bicycle", n_results=1).ids == [["code"]]
    assert col.count() == 3
