"""The official Python client (PyPI chromadb-client 1.5.9) against a live Vermilion at VERMILION_URL."""
import os
import uuid
from urllib.parse import urlparse

import pytest
import chromadb
from chromadb.errors import ChromaError, InvalidArgumentError, NotFoundError

URL = urlparse(os.environ.get("VERMILION_URL", "http://localhost:8000"))


@pytest.fixture(scope="module")
def client():
    return chromadb.HttpClient(host=URL.hostname, port=URL.port)


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_heartbeat_and_version(client):
    assert client.heartbeat() > 1_700_000_000_000_000_000
    assert client.get_version() == "1.0.0"


def test_tenants_and_databases():
    admin = chromadb.AdminClient(chromadb.config.Settings(
        chroma_api_impl="chromadb.api.fastapi.FastAPI",
        chroma_server_host=URL.hostname, chroma_server_http_port=URL.port))
    tenant = unique("tenant")
    admin.create_tenant(tenant)
    assert admin.get_tenant(tenant)["name"] == tenant
    admin.create_database("db_one", tenant=tenant)
    admin.create_database("db_two", tenant=tenant)
    assert [d["name"] for d in admin.list_databases(tenant=tenant)] == ["db_one", "db_two"]
    assert admin.get_database("db_one", tenant=tenant)["name"] == "db_one"
    with pytest.raises(ChromaError):
        admin.create_database("db_one", tenant=tenant)
    admin.delete_database("db_two", tenant=tenant)
    with pytest.raises(NotFoundError):
        admin.get_database("db_two", tenant=tenant)
    scoped = chromadb.HttpClient(host=URL.hostname, port=URL.port, tenant=tenant, database="db_one")
    col = scoped.create_collection(unique("scoped"), embedding_function=None)
    assert col.tenant == tenant and col.database == "db_one"


def test_collection_lifecycle(client):
    name = unique("books")
    col = client.create_collection(name, metadata={"genre": "fiction", "shelves": 3, "weight": 1.5},
                                   configuration={"hnsw": {"space": "cosine"}}, embedding_function=None)
    assert col.name == name
    assert col.metadata == {"genre": "fiction", "shelves": 3, "weight": 1.5}
    assert isinstance(col.metadata["shelves"], int) and isinstance(col.metadata["weight"], float)
    assert col.configuration["hnsw"]["space"] == "cosine"
    with pytest.raises(ChromaError):
        client.create_collection(name, embedding_function=None)
    same = client.get_or_create_collection(name, metadata={"other": 1}, embedding_function=None)
    assert same.id == col.id and same.metadata["genre"] == "fiction"
    assert client.get_collection(name, embedding_function=None).id == col.id
    assert name in [c.name for c in client.list_collections()]
    count = client.count_collections()
    col.modify(name=name + "-renamed", metadata={"genre": "poetry"})
    renamed = client.get_collection(name + "-renamed", embedding_function=None)
    assert renamed.id == col.id and renamed.metadata == {"genre": "poetry"}
    with pytest.raises(NotFoundError):
        client.get_collection(name, embedding_function=None)
    client.delete_collection(name + "-renamed")
    assert client.count_collections() == count - 1


def test_records_roundtrip(client):
    col = client.create_collection(unique("records"), embedding_function=None)
    col.add(ids=["a", "b", "c"], embeddings=[[1.0, 0.0], [2.0, 0.0], [5.0, 5.0]],
            documents=["alpha doc", "beta doc", None], metadatas=[{"k": 1, "t": "x"}, {"k": 2.5}, None],
            uris=["u-a", None, "u-c"])
    assert col.count() == 3
    got = col.get(include=["documents", "metadatas", "embeddings", "uris"])
    assert got["ids"] == ["a", "b", "c"]
    assert got["documents"] == ["alpha doc", "beta doc", None]
    # Chroma keeps a uri as a hidden metadata entry: "c" has a uri and no metadata, so its metadata is {} (as the
    # real Chroma server answers), while a record with neither has None.
    assert got["metadatas"] == [{"k": 1, "t": "x"}, {"k": 2.5}, {}]
    assert got["uris"] == ["u-a", None, "u-c"]
    assert [list(map(float, e)) for e in got["embeddings"]] == [[1.0, 0.0], [2.0, 0.0], [5.0, 5.0]]

    col.upsert(ids=["a"], embeddings=[[1.0, 1.0]], metadatas=[{"t": None, "new": True}])
    col.update(ids=["b", "missing"], embeddings=[[2.0, 0.0], [9.0, 9.0]], documents=["beta v2", "never"])
    got = col.get(ids=["a", "b"], include=["documents", "metadatas"])
    assert got["metadatas"] == [{"k": 1, "new": True}, {"k": 2.5}]
    assert got["documents"] == ["alpha doc", "beta v2"]

    q = col.query(query_embeddings=[[0.0, 0.0]], n_results=2, where={"k": {"$gte": 1}},
                  include=["distances", "documents"])
    assert q["ids"] == [["a", "b"]]
    assert q["distances"] == [[pytest.approx(2.0), pytest.approx(4.0)]]
    assert col.get(where_document={"$contains": "beta"})["ids"] == ["b"]

    col.delete(where={"new": True})
    assert col.get()["ids"] == ["b", "c"]
    col.delete(ids=["c"])
    assert col.count() == 1
    with pytest.raises(InvalidArgumentError, match="Collection expecting embedding with dimension of 2, got 3"):
        col.add(ids=["z"], embeddings=[[1.0, 2.0, 3.0]])


def _http(method, path, body=None):
    """A raw request to the server's v2 API (what a client without a local embedding function cannot send)."""
    import json
    import urllib.request
    req = urllib.request.Request(f"{URL.scheme}://{URL.netloc}/api/v2/tenants/default_tenant/databases/"
                                 f"default_database/collections/{path}", method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_server_embedded_collection(client):
    """A collection configured with Chroma's default embedding function is embedded on the server (README
    "Server-side embedding"): the client cannot send documents without embeddings (it embeds on the client, and
    chromadb-client has no model), but it reads and queries what the server embedded."""
    from chromadb.utils.embedding_functions import DefaultEmbeddingFunction
    col = client.create_collection(unique("srv-emb"), embedding_function=DefaultEmbeddingFunction(),
                                   configuration={"hnsw": {"space": "cosine"}})
    status, stored = _http("GET", col.name)
    assert stored["configuration_json"]["embedding_function"]["name"] == "default"
    assert stored["configuration_json"]["embedding_function"]["type"] == "known"
    with pytest.raises(ValueError, match="onnxruntime"):
        col.add(ids=["a"], documents=["apple pie recipe"])  # the client embeds itself, has no model: nothing is sent
    assert col.count() == 0
    assert _http("POST", f"{col.id}/add", {"ids": ["a", "b"], "documents": [
        "apple pie recipe", "how to repair a bicycle tyre"]})[0] == 201
    got = col.get(include=["embeddings", "documents"])
    assert got["ids"] == ["a", "b"] and len(got["embeddings"][1]) == 384
    assert col.query(query_embeddings=[got["embeddings"][1]], n_results=1)["ids"] == [["b"]]
    status, answer = _http("POST", f"{col.id}/query", {"query_texts": ["fixing a flat bike wheel"], "n_results": 1})
    assert status == 200 and answer["ids"] == [["b"]]


def test_collection_without_embedding_function_is_not_embedded(client):
    col = client.create_collection(unique("no-emb"), embedding_function=None)
    # The client sends {"type": "legacy"}: no function, stored as null.
    assert _http("GET", col.name)[1]["configuration_json"]["embedding_function"] is None
    with pytest.raises(ValueError, match="onnxruntime"):
        col.add(ids=["a"], documents=["apple"])
    assert _http("POST", f"{col.id}/add", {"ids": ["a"], "documents": ["apple"]})[0] == 422
    assert col.count() == 0


def test_fork(client):
    src = client.create_collection(unique("fork-src"), embedding_function=None)
    src.add(ids=["a", "b"], embeddings=[[1.0, 0.0], [0.0, 1.0]], documents=["alpha", "beta"])
    name = unique("fork-dst")
    fork = src.fork(name)
    assert fork.name == name and fork.id != src.id
    assert fork.get()["ids"] == ["a", "b"]

    fork.add(ids=["c"], embeddings=[[1.0, 1.0]], documents=["gamma"])
    src.delete(ids=["a"])
    assert fork.get()["ids"] == ["a", "b", "c"]
    assert src.get()["ids"] == ["b"]
    assert src.fork_count() == 1 and fork.fork_count() == 1
    with pytest.raises(ChromaError, match=f"Collection \\[{name}\\] already exists"):
        src.fork(name)

    client.delete_collection(src.name)
    left = fork.get(include=["documents", "embeddings"])
    assert left["documents"] == ["alpha", "beta", "gamma"]
    assert [list(map(float, e)) for e in left["embeddings"]] == [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
    with pytest.raises(NotFoundError):
        src.fork(unique("orphan"))


# ---- Search API ----

def four_points(client):
    col = client.create_collection(unique("search"), embedding_function=None)
    col.add(ids=["a", "b", "c", "d"], embeddings=[[0, 0], [1, 0], [2, 0], [3, 0]],
            documents=["apple pie", "banana split", "cherry tart", "date loaf"],
            metadatas=[{"kind": "fruit", "n": 1}, {"kind": "fruit", "n": 2},
                       {"kind": "stone", "n": 3}, {"kind": "stone", "n": 4}])
    return col


def test_search_dense_knn_with_select_and_limit(client):
    from chromadb import Search, K, Knn
    col = four_points(client)
    result = col.search(Search().rank(Knn(query=[2.4, 0], limit=3)).limit(2).select(K.DOCUMENT, K.SCORE, "kind"))
    assert result["ids"] == [["c", "d"]]
    assert result["documents"] == [["cherry tart", "date loaf"]]
    assert result["metadatas"] == [[{"kind": "stone"}, {"kind": "stone"}]]
    assert result["embeddings"] == [None]
    assert result["scores"][0] == pytest.approx([0.16, 0.36], abs=1e-6)
    assert [row["id"] for row in result.rows()[0]] == ["c", "d"]


def test_search_reciprocal_rank_fusion_filter_and_group_by(client):
    from chromadb import Search, K, Knn, Rrf
    from chromadb.execution.expression import GroupBy, MinK
    col = four_points(client)
    rrf = Rrf(ranks=[Knn(query=[0, 0], limit=3, return_rank=True), Knn(query=[3, 0], limit=3, return_rank=True)], k=60)
    result = col.search(Search().rank(rrf).select(K.SCORE))
    # knn(0,0): a 0, b 1, c 2; knn(3,0): d 0, c 1, b 2. Without defaults only b and c are in both.
    assert result["ids"] == [["b", "c"]]
    assert result["scores"][0][0] == pytest.approx(-(1 / 61 + 1 / 62), abs=1e-6)

    grouped = col.search(Search()
                         .where(K.ID.not_in(["a"]) & K.DOCUMENT.contains("a"))
                         .rank(Knn(query=[0, 0], limit=4))
                         .group_by(GroupBy(keys=[K("kind")], aggregate=MinK(keys=[K.SCORE], k=1)))
                         .select(K.SCORE))
    assert grouped["ids"] == [["b", "c"]]
    assert grouped["scores"] == [[1.0, 4.0]]


def test_search_batch_read_levels_and_indexing_status(client):
    from chromadb import Search, Knn, ReadLevel
    col = four_points(client)
    col.add(ids=["e"], embeddings=[[2.5, 0]])
    latest = col.search([Search().rank(Knn(query=[2.5, 0], limit=1)), Search().limit(2, 3)])
    assert latest["ids"] == [["e"], ["d", "e"]]
    compacted_only = col.search(Search().rank(Knn(query=[2.5, 0], limit=1)), read_level=ReadLevel.INDEX_ONLY)
    assert compacted_only["ids"] == [[]]
    status = col.get_indexing_status()
    assert status.total_ops == 5 and status.num_unindexed_ops == 5 and status.num_indexed_ops == 0


def test_sparse_vectors_in_a_schema_index_metadata_knn_and_bounded_count(client):
    from chromadb import Search, K, Knn, ReadLevel, Schema
    from chromadb.api.types import SparseVectorIndexConfig
    from chromadb.base_types import SparseVector
    schema = Schema().create_index(SparseVectorIndexConfig(), key="sparse")
    col = client.create_collection(unique("sparse"), schema=schema, embedding_function=None)
    a = SparseVector(indices=[1, 5], values=[1.0, 2.0])
    b = SparseVector(indices=[5, 9], values=[0.5, 1.0])
    col.add(ids=["a", "b", "c"], embeddings=[[0, 0], [1, 0], [2, 0]],
            metadatas=[{"sparse": a, "n": 1}, {"sparse": b}, {"n": 3}])
    got = col.get(ids=["a", "b", "c"])
    assert got["metadatas"] == [{"sparse": a, "n": 1}, {"sparse": b}, {"n": 3}]
    # 1 - query·vector: a 1 - 2 = -1, b 1 - 0.5 = 0.5; c has no sparse vector.
    result = col.search(Search().rank(Knn(query=SparseVector(indices=[5], values=[1.0]), key="sparse", limit=5))
                        .select(K.SCORE, "n"))
    assert result["ids"] == [["a", "b"]]
    assert result["scores"] == [[-1.0, 0.5]]
    # Nothing compacted here: the bound (250 log operations) covers the three.
    assert col.count(read_level=ReadLevel.INDEX_AND_BOUNDED_WAL) == 3
    assert col.count(read_level=ReadLevel.INDEX_ONLY) == 0
