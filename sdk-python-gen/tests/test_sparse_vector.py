"""Sparse vectors (metadata values sent and read back as ``vermilion.SparseVector``, a sparse ``knn`` query) and read
levels on count and search."""

from __future__ import annotations

import pytest

import vermilion
from vermilion import SparseVector


def test_a_sparse_knn_sends_chromas_tagged_query_under_its_key():
    query = SparseVector(indices=[1, 70000], values=[0.5, 2])
    assert vermilion.knn(query, limit=5, key="sparse", default=10.0) == {
        "$knn": {
            "query": {"#type": "sparse_vector", "indices": [1, 70000], "values": [0.5, 2.0]},
            "key": "sparse",
            "limit": 5,
            "default": 10.0,
        }
    }
    with pytest.raises(TypeError):
        vermilion.knn(query)


def test_sparse_vector_metadata_goes_in_and_comes_back_on_get_query_and_search(server, tenant):
    client = server.client(tenant, "main")
    col = client.create_collection("sparse")
    a = SparseVector(indices=[2, 9, 4000000], values=[0.25, -1.5, 3.0])
    b = SparseVector(indices=[0], values=[1.0], tokens=["hello"])
    col.add(
        ids=["a", "b", "c"],
        embeddings=[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
        # A plain tagged dict is a sparse vector too, as Chroma's wire form.
        metadatas=[{"s": a, "n": 1}, {"s": b.to_dict()}, {"n": 3}],
    )
    got = col.get(ids=["a", "b", "c"])
    assert got.metadatas == [{"s": a, "n": 1}, {"s": b}, {"n": 3}]
    assert isinstance(got.metadatas[0]["s"], SparseVector)

    hits = col.query(query_embeddings=[[1.0, 0.0]], n_results=1)
    assert hits.metadatas == [[{"s": a, "n": 1}]]

    found = col.search(vermilion.Search(rank=vermilion.knn([0.0, 1.0], limit=1), select=["s"]))
    assert found.ids == [["b"]]
    assert found.metadatas == [[{"s": b}]]

    # update merges key by key: the sparse vector is replaced, the rest stays.
    c = SparseVector(indices=[5], values=[0.5])
    col.update(ids=["a"], metadatas=[{"s": c}])
    assert col.get(ids=["a"]).metadatas == [{"s": c, "n": 1}]


def test_count_and_search_take_a_read_level(server, tenant):
    client = server.client(tenant, "main")
    col = client.create_collection("levels")
    col.add(ids=["a", "b", "c"], embeddings=[[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    # Nothing is compacted yet: the compacted version alone is empty, the bounded log (250) holds all three.
    assert col.count(read_level="index_only") == 0
    assert col.count(read_level="index_and_bounded_wal") == 3
    assert col.count() == 3
    found = col.search(vermilion.Search(rank=vermilion.knn([0.0, 0.0], limit=2)), read_level="index_and_bounded_wal")
    assert found.ids == [["a", "b"]]
    with pytest.raises(vermilion.InvalidArgumentError):
        col.count(read_level="latest")
