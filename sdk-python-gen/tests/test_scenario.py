"""The SDK scenario shared by every Vermilion SDK (Java, Python, TypeScript), against the packaged server."""

from __future__ import annotations

import http.client
import math
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import vermilion
from vermilion import (
    CloudClient,
    InvalidArgumentError,
    NotFoundError,
    UniqueConstraintError,
)


def cosine_distance(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b))
    return 1.0 - dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def create_docs(client: vermilion.Client) -> vermilion.Collection:
    return client.create_collection(
        "docs", metadata={"topic": "sdk", "version": 2}, configuration={"hnsw": {"space": "cosine"}}
    )


def add_fruits(docs: vermilion.Collection) -> None:
    docs.add(
        ids=["a", "b", "c"],
        embeddings=[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        documents=["apple pie", "banana split", "cherry tart"],
        metadatas=[{"fruit": "apple", "n": 1}, {"fruit": "banana", "n": 2}, {"fruit": "cherry", "n": 3}],
    )


def test_records_round_trip_through_every_operation(server, tenant):
    client = server.client(tenant, "main")
    docs = create_docs(client)
    assert docs.name == "docs"
    assert docs.tenant == tenant and docs.database == "main"
    assert docs.metadata == {"topic": "sdk", "version": 2}
    assert docs.configuration["hnsw"]["space"] == "cosine"

    add_fruits(docs)
    assert docs.count() == 3

    found = docs.get(where={"n": {"$gte": 2}})
    assert found.ids == ["b", "c"]
    assert found.documents == ["banana split", "cherry tart"]
    assert found.metadatas == [{"fruit": "banana", "n": 2}, {"fruit": "cherry", "n": 3}]
    assert found.embeddings is None

    q = [1.0, 0.1, 0.0]
    hits = docs.query(query_embeddings=[q], n_results=2)
    assert hits.ids == [["a", "b"]]
    assert hits.documents == [["apple pie", "banana split"]]
    assert hits.metadatas == [[{"fruit": "apple", "n": 1}, {"fruit": "banana", "n": 2}]]
    assert len(hits.distances[0]) == 2
    assert hits.distances[0][0] == pytest.approx(cosine_distance(q, [1, 0, 0]), abs=1e-6)
    assert hits.distances[0][1] == pytest.approx(cosine_distance(q, [0, 1, 0]), abs=1e-6)

    docs.upsert(ids=["b"], embeddings=[[0.0, 1.0, 0.0]], metadatas=[{"n": 20}])
    b = docs.get(ids=["b"], include=["metadatas", "documents", "embeddings"])
    assert b.ids == ["b"]
    assert b.metadatas == [{"fruit": "banana", "n": 20}]
    assert b.documents == ["banana split"]
    assert b.embeddings == [[0.0, 1.0, 0.0]]

    docs.update(ids=["c"], documents=["cherry pie"])
    c = docs.get(ids=["c"])
    assert c.documents == ["cherry pie"]
    assert c.metadatas == [{"fruit": "cherry", "n": 3}]

    assert docs.delete(where={"fruit": "apple"}) == 1
    assert docs.count() == 2
    assert docs.get().ids == ["b", "c"]


def test_failures_raise_chroma_named_errors(server, tenant):
    client = server.client(tenant, "main")
    docs = create_docs(client)
    add_fruits(docs)

    with pytest.raises(NotFoundError) as missing:
        client.get_collection("missing")
    assert missing.value.status == 404
    assert missing.value.error_name == "NotFoundError"
    assert missing.value.message == "Collection [missing] does not exist"

    with pytest.raises(UniqueConstraintError) as taken:
        create_docs(client)
    assert taken.value.status == 409
    assert taken.value.error_name == "UniqueConstraintError"
    assert taken.value.message == "Collection [docs] already exists"

    with pytest.raises(InvalidArgumentError) as wrong_dimension:
        docs.add(ids=["d"], embeddings=[[1.0, 0.0]])
    assert wrong_dimension.value.status == 400
    assert wrong_dimension.value.error_name == "InvalidArgumentError"
    assert str(wrong_dimension.value) == "Collection expecting embedding with dimension of 3, got 2"
    assert docs.count() == 3

    for error in (missing.value, taken.value, wrong_dimension.value):
        assert isinstance(error, vermilion.VermilionError)


class _CapturingProxy:
    """A local HTTP proxy in front of the server that records each request's method, path and headers."""

    def __init__(self, upstream_port: int) -> None:
        self.requests: list[dict[str, object]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                proxy.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                    }
                )
                upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                answer = upstream.getresponse()
                payload = answer.read()
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                upstream.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def proxy(server) -> Iterator[_CapturingProxy]:
    p = _CapturingProxy(server.port)
    yield p
    p.close()


def test_cloud_client_sends_api_key_on_every_request(tenant, proxy):
    key = "ck-sdk-test-7f3a"
    cloud = CloudClient(api_key=key, tenant=tenant, database="main", host="127.0.0.1", port=proxy.port, ssl=False)

    docs = create_docs(cloud)
    add_fruits(docs)
    assert docs.count() == 3
    assert cloud.get_collection("docs").id == docs.id
    assert docs.query(query_embeddings=[[0.0, 0.0, 1.0]], n_results=1).ids == [["c"]]
    cloud.delete_collection("docs")
    assert cloud.count_collections() == 0

    assert [(r["method"], r["path"].rsplit("/", 1)[-1]) for r in proxy.requests] == [
        ("POST", "collections"),
        ("POST", "add"),
        ("GET", "count"),
        ("GET", "docs"),
        ("POST", "query"),
        ("DELETE", "docs"),
        ("GET", "collections_count"),
    ]
    assert [r["headers"].get("x-chroma-token") for r in proxy.requests] == [key] * 7

    # The plain client sends no key.
    vermilion.Client(host="127.0.0.1", port=proxy.port, tenant=tenant, database="main").count_collections()
    assert "x-chroma-token" not in proxy.requests[-1]["headers"]


def test_collections_are_listed_counted_renamed_and_deleted(server, tenant):
    client = server.client(tenant, "main")
    assert client.list_collections() == []
    assert client.count_collections() == 0

    docs = create_docs(client)
    notes = client.create_collection("notes")
    assert sorted(c.name for c in client.list_collections()) == ["docs", "notes"]
    assert {c.id for c in client.list_collections()} == {docs.id, notes.id}
    assert client.count_collections() == 2

    docs.modify(name="articles", metadata={"topic": "renamed"})
    assert docs.name == "articles"
    assert docs.metadata == {"topic": "renamed"}
    renamed = client.get_collection("articles")
    assert renamed.id == docs.id
    assert renamed.metadata == {"topic": "renamed"}
    with pytest.raises(NotFoundError):
        client.get_collection("docs")

    client.delete_collection("articles")
    assert [c.name for c in client.list_collections()] == ["notes"]
    assert client.count_collections() == 1
    client.delete_collection("notes")
    assert client.count_collections() == 0
    with pytest.raises(NotFoundError):
        client.delete_collection("notes")


def test_search_ranks_filters_groups_and_reports_indexing(server, tenant):
    client = server.client(tenant, "main")
    col = client.create_collection("search")
    col.add(ids=["a", "b", "c", "d"], embeddings=[[0, 0], [1, 0], [2, 0], [3, 0]],
            documents=["apple pie", "banana split", "cherry tart", "date loaf"],
            metadatas=[{"kind": "fruit"}, {"kind": "fruit"}, {"kind": "stone"}, {"kind": "stone"}])
    dense = vermilion.Search(rank=vermilion.knn([2.4, 0], limit=3), limit=2, select=["#document", "#score", "kind"])
    fused = vermilion.Search(rank=vermilion.rrf(vermilion.knn([0, 0], 3, return_rank=True),
                                                 vermilion.knn([3, 0], 3, return_rank=True)), select=["#score"])
    grouped = vermilion.Search(where={"#id": {"$nin": ["a"]}}, rank=vermilion.knn([0, 0], 4),
                               group_by=["kind"], select=["#score"])
    result = col.search(dense, fused, grouped)
    assert result.ids == [["c", "d"], ["b", "c"], ["b", "c"]]
    assert result.documents[0] == ["cherry tart", "date loaf"]
    assert result.metadatas[0] == [{"kind": "stone"}, {"kind": "stone"}]
    assert result.scores[0] == pytest.approx([0.16, 0.36], abs=1e-6)
    assert result.scores[1][0] == pytest.approx(-(1 / 61 + 1 / 62), abs=1e-6)
    assert result.scores[2] == [1.0, 4.0]
    assert result.documents[1] is None and result.select[2] == ["#score"]
    assert col.search(vermilion.Search(rank=vermilion.knn([0, 0])), read_level="index_only").ids == [[]]
    status = col.indexing_status()
    assert (status.total_ops, status.num_unindexed_ops, status.num_indexed_ops) == (4, 4, 0)
