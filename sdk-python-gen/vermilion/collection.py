"""A collection and its records: add, upsert, update, delete, get, query, count, modify."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, Union, runtime_checkable

from vermilion_gen.models import (
    AddCollectionRecordsPayload,
    DeleteCollectionRecordsPayload,
    Embeddings,
    GetRequestPayload,
    QueryRequestPayload,
    ReadLevel,
    SearchRequestPayload,
    UpdateCollectionConfiguration,
    UpdateCollectionRecordsPayload,
    UpdateCollectionRequest,
    UpdateEmbeddings,
    UpsertCollectionRecordsPayload,
)

from . import _wire
from .search import DOCUMENT_KEY
from .sparse import sparse_in_metadata
from .errors import InvalidArgumentError

if TYPE_CHECKING:
    from ._wire import Api

Metadata = dict[str, Any]

#: What Chroma's clients name a collection made with their default function (all-MiniLM-L6-v2); the server embeds
#: such a collection's documents and query texts.
SERVER_EMBEDDING_FUNCTION: dict[str, Any] = {"type": "known", "name": "default", "config": {}}


@runtime_checkable
class EmbeddingFunction(Protocol):
    """Embeds texts on the client, as Chroma's ``EmbeddingFunction``: called with a list of texts, returns one
    embedding (a sequence of numbers) per text, in order."""

    def __call__(self, input: list[str]) -> Sequence[Sequence[float]]: ...

Where = Mapping[str, Any]
OneOrMany = Union[str, Sequence[str]]


@dataclass(frozen=True)
class GetResult:
    """Records found by ``get``, one index per record; a column not included is ``None``."""

    ids: list[str]
    embeddings: list[list[float]] | None
    documents: list[str | None] | None
    uris: list[str | None] | None
    metadatas: list[Metadata | None] | None
    include: list[str]


@dataclass(frozen=True)
class QueryResult:
    """Per query embedding, its hits nearest first: ``ids[q][i]`` is the i-th hit of query ``q``."""

    ids: list[list[str]]
    embeddings: list[list[list[float]]] | None
    documents: list[list[str | None]] | None
    uris: list[list[str | None]] | None
    metadatas: list[list[Metadata | None]] | None
    distances: list[list[float]] | None
    include: list[str]


@dataclass(frozen=True)
class SearchResult:
    """Per search, its results best first: ``ids[s][i]`` is the i-th result of search ``s``; a column the search did
    not select is ``None`` in its row; ``select`` lists each search's keys in the server's order."""

    ids: list[list[str]]
    documents: list[list[str | None] | None]
    embeddings: list[list[list[float] | None] | None]
    metadatas: list[list[Metadata | None] | None]
    scores: list[list[float] | None]
    select: list[list[str]]


@dataclass(frozen=True)
class IndexingStatus:
    """Log operations compacted into the index, still only in the log, in total, and the indexed share."""

    num_indexed_ops: int
    num_unindexed_ops: int
    total_ops: int
    op_indexing_progress: float


def _present(**kwargs: Any) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if v is not None}


class Collection:
    """A handle on one collection of a client's tenant and database. Its attributes are as of the last
    read or ``modify`` through this handle; every record method goes to the server. Safe to share between threads
    (the underlying connection pool is) as long as ``modify`` is not called concurrently."""

    def __init__(self, api: Api, model: Any, embedding_function: EmbeddingFunction | None = None) -> None:
        self._api = api
        #: Embeds documents and query texts on the client; ``None``: they are sent as they are (the server embeds
        #: them for a collection it embeds, see ``server_embedded``).
        self.embedding_function = embedding_function
        self._set(model)

    @property
    def server_embedded(self) -> bool:
        """Whether the server embeds this collection's documents and query texts (its configuration names
        Chroma's ``default`` embedding function)."""
        ef = self.configuration.get("embedding_function") or {}
        return ef.get("type") == "known" and ef.get("name") == "default"

    def _embed(self, texts: list[str | None]) -> list[list[float]]:
        if any(t is None for t in texts):
            raise InvalidArgumentError("Every record needs a document to embed when no embeddings are given")
        vectors = _wire.embeddings(self.embedding_function([str(t) for t in texts]))  # type: ignore[misc]
        if vectors is None or len(vectors) != len(texts):
            raise InvalidArgumentError(
                f"The embedding function returned {0 if vectors is None else len(vectors)} embeddings "
                f"for {len(texts)} texts"
            )
        return vectors

    def _embedded(self, embeddings: Any, documents: Any) -> Any:
        """The embeddings to send: as given, else the function's embeddings of the documents when there is one
        (else none: the server embeds the documents of a collection it embeds)."""
        if embeddings is not None or documents is None or self.embedding_function is None:
            return embeddings
        return self._embed(_wire.one_or_many(documents))

    def _set(self, model: Any) -> None:
        self.id: str = str(model.id)
        self.name: str = model.name
        self.tenant: str = model.tenant
        self.database: str = model.database
        self.metadata: Metadata | None = _wire.plain(model.metadata)
        self.configuration: dict[str, Any] = _wire.plain(model.configuration_json) or {}
        self.dimension: int | None = model.dimension

    def _where(self) -> dict[str, Any]:
        return {"tenant": self.tenant, "database": self.database, "collection_id": self.id}

    def __repr__(self) -> str:
        return f"Collection(name={self.name!r}, id={self.id!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Collection) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @_wire.translate_errors
    def count(self, read_level: str | None = None) -> int:
        """The number of records, every acknowledged write included; ``read_level`` ``index_only`` counts the
        compacted version alone, ``index_and_bounded_wal`` it plus the oldest operations of the log after it (a
        server setting, 250 by default)."""
        try:
            level = None if read_level is None else ReadLevel(read_level)
        except ValueError:
            raise InvalidArgumentError(f"Unknown read level {read_level!r}") from None
        return self._api.records.collection_count(read_level=level, **self._where())

    @_wire.translate_errors
    def add(
        self,
        ids: OneOrMany,
        embeddings: Any = None,
        documents: str | Sequence[str | None] | None = None,
        metadatas: Mapping[str, Any] | Sequence[Mapping[str, Any] | None] | None = None,
        uris: str | Sequence[str | None] | None = None,
    ) -> None:
        """Adds records; an id that already exists is left unchanged. Without ``embeddings``, the documents are
        embedded by the ``embedding_function``, or else by the server for a collection it embeds."""
        embeddings = self._embedded(embeddings, documents)
        payload = AddCollectionRecordsPayload(
            **_present(
                ids=_wire.one_or_many(ids),
                embeddings=None if embeddings is None else Embeddings(_wire.embeddings(embeddings)),
                documents=_wire.one_or_many(documents),
                uris=_wire.one_or_many(uris),
                metadatas=_wire.record_metadatas(metadatas),
            )
        )
        self._api.records.collection_add(add_collection_records_payload=payload, **self._where())

    @_wire.translate_errors
    def upsert(
        self,
        ids: OneOrMany,
        embeddings: Any = None,
        documents: str | Sequence[str | None] | None = None,
        metadatas: Mapping[str, Any] | Sequence[Mapping[str, Any] | None] | None = None,
        uris: str | Sequence[str | None] | None = None,
    ) -> None:
        """Adds new records and updates existing ones; metadata is merged key by key (``None`` drops a key).
        Documents without ``embeddings`` are embedded as in ``add``."""
        embeddings = self._embedded(embeddings, documents)
        payload = UpsertCollectionRecordsPayload(
            **_present(
                ids=_wire.one_or_many(ids),
                embeddings=None if embeddings is None else Embeddings(_wire.embeddings(embeddings)),
                documents=_wire.one_or_many(documents),
                uris=_wire.one_or_many(uris),
                metadatas=_wire.record_metadatas(metadatas, allow_none=True),
            )
        )
        self._api.records.collection_upsert(upsert_collection_records_payload=payload, **self._where())

    @_wire.translate_errors
    def update(
        self,
        ids: OneOrMany,
        embeddings: Any = None,
        documents: str | Sequence[str | None] | None = None,
        metadatas: Mapping[str, Any] | Sequence[Mapping[str, Any] | None] | None = None,
        uris: str | Sequence[str | None] | None = None,
    ) -> None:
        """Changes existing records: only the columns given; metadata is merged key by key. Documents without
        ``embeddings`` are embedded again as in ``add``."""
        vectors = _wire.embeddings(self._embedded(embeddings, documents))
        payload = UpdateCollectionRecordsPayload(
            **_present(
                ids=_wire.one_or_many(ids),
                embeddings=None if vectors is None else UpdateEmbeddings(vectors),
                documents=_wire.one_or_many(documents),
                uris=_wire.one_or_many(uris),
                metadatas=_wire.record_metadatas(metadatas, allow_none=True),
            )
        )
        self._api.records.collection_update(update_collection_records_payload=payload, **self._where())

    @_wire.translate_errors
    def delete(
        self,
        ids: OneOrMany | None = None,
        where: Where | None = None,
        where_document: Where | None = None,
    ) -> int:
        """Deletes the records matching all the given conditions; returns how many were deleted."""
        payload = DeleteCollectionRecordsPayload(
            **_present(ids=_wire.one_or_many(ids), where=where, where_document=where_document)
        )
        answer = self._api.records.collection_delete(delete_collection_records_payload=payload, **self._where())
        return answer.deleted

    @_wire.translate_errors
    def get(
        self,
        ids: OneOrMany | None = None,
        where: Where | None = None,
        where_document: Where | None = None,
        limit: int | None = None,
        offset: int | None = None,
        include: Sequence[str] | None = None,
    ) -> GetResult:
        """Records matching all the given conditions, in id order; ``include`` defaults to documents and
        metadatas (also: ``embeddings``, ``uris``)."""
        payload = GetRequestPayload(
            **_present(
                ids=_wire.one_or_many(ids),
                where=where,
                where_document=where_document,
                limit=limit,
                offset=offset,
                include=None if include is None else list(include),
            )
        )
        # Decoded without the generated GetResponse model, which would wrap each metadata value in its anyOf holder.
        columns = _wire.json_answer(
            self._api.records.collection_get_without_preload_content(get_request_payload=payload, **self._where())
        )
        metadatas = columns.get("metadatas")
        return GetResult(
            ids=columns["ids"],
            embeddings=columns.get("embeddings"),
            documents=columns.get("documents"),
            uris=columns.get("uris"),
            metadatas=None if metadatas is None else [sparse_in_metadata(m) for m in metadatas],
            include=columns.get("include") or [],
        )

    @_wire.translate_errors
    def query(
        self,
        query_embeddings: Any = None,
        n_results: int = 10,
        where: Where | None = None,
        where_document: Where | None = None,
        ids: OneOrMany | None = None,
        include: Sequence[str] | None = None,
        query_texts: OneOrMany | None = None,
    ) -> QueryResult:
        """The ``n_results`` nearest records to each query embedding (or text), by the collection's distance
        function; ``include`` defaults to documents, metadatas and distances (also: ``embeddings``, ``uris``).
        ``query_texts`` are embedded by the ``embedding_function``, or else sent for the server to embed (a
        collection it embeds; any other answers ``InvalidArgumentError``)."""
        if (query_embeddings is None) == (query_texts is None):
            raise InvalidArgumentError("Give query_embeddings or query_texts, not both")
        texts = None if query_texts is None else _wire.one_or_many(query_texts)
        if texts is not None and self.embedding_function is not None:
            query_embeddings, texts = self._embed(texts), None
        payload = QueryRequestPayload(
            **_present(
                query_embeddings=_wire.embeddings(query_embeddings),
                query_texts=texts,
                n_results=n_results,
                ids=_wire.one_or_many(ids),
                where=where,
                where_document=where_document,
                include=None if include is None else list(include),
            )
        )
        # Decoded without the generated QueryResponse model: its from_dict cannot read a list of lists of
        # metadata maps (OpenAPI Generator 7.25.0 emits `Dict[...].from_dict` there).
        answer = _wire.json_answer(
            self._api.records.collection_query_without_preload_content(query_request_payload=payload, **self._where())
        )
        return QueryResult(
            ids=answer["ids"],
            embeddings=answer.get("embeddings"),
            documents=answer.get("documents"),
            uris=answer.get("uris"),
            metadatas=_nested_sparse(answer.get("metadatas")),
            distances=answer.get("distances"),
            include=answer.get("include") or [],
        )

    @_wire.translate_errors
    def search(self, *searches: Any, read_level: str | None = None) -> SearchResult:
        """Runs the searches (``vermilion.Search`` objects or their dicts) over one view of the collection;
        ``read_level`` ``index_only`` leaves out what is not compacted yet."""
        body: dict[str, Any] = {"searches": [s.to_dict() if hasattr(s, "to_dict") else dict(s) for s in searches]}
        if self.embedding_function is not None:
            body["searches"] = [self._embed_text_knns(s) for s in body["searches"]]
        if read_level is not None:
            body["read_level"] = read_level
        answer = _wire.json_answer(
            self._api.records.collection_search_without_preload_content(
                search_request_payload=SearchRequestPayload.from_dict(body), **self._where()
            )
        )
        return SearchResult(
            ids=answer["ids"],
            documents=answer["documents"],
            embeddings=answer["embeddings"],
            metadatas=_nested_sparse(answer["metadatas"]),
            scores=answer["scores"],
            select=answer["select"],
        )

    def _embed_text_knns(self, node: Any) -> Any:
        """A copy of a search (or part of one) whose text ``$knn`` queries are embedded by the embedding function."""
        if isinstance(node, list):
            return [self._embed_text_knns(x) for x in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if (key == "$knn" and isinstance(value, dict) and isinstance(value.get("query"), str)
                    and value.get("key") != DOCUMENT_KEY):  # BM25 over #document: the server reads the text
                out[key] = {**value, "query": self._embed([value["query"]])[0]}
            else:
                out[key] = self._embed_text_knns(value)
        return out

    @_wire.translate_errors
    def indexing_status(self) -> IndexingStatus:
        """How far compaction has caught up with the collection's log."""
        answer = _wire.json_answer(self._api.records.indexing_status_without_preload_content(**self._where()))
        return IndexingStatus(**answer)

    @_wire.translate_errors
    def modify(
        self,
        name: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        configuration: Mapping[str, Any] | None = None,
    ) -> None:
        """Renames the collection, replaces its whole metadata (a ``None`` value drops its key) and/or changes the
        mutable part of its configuration (e.g. ``{"hnsw": {"ef_search": 200}}``)."""
        request = UpdateCollectionRequest(
            **_present(
                new_name=name,
                new_metadata=_wire.collection_metadata(metadata, allow_none=True),
                new_configuration=None
                if configuration is None
                else UpdateCollectionConfiguration.from_dict(dict(configuration)),
            )
        )
        self._api.collections.update_collection(update_collection_request=request, **self._where())
        self._set(self._api.collections.get_collection_by_id(**self._where()))


def _nested_sparse(metadatas: Any) -> Any:
    """Per query (or search), its metadata maps with tagged sparse vectors as ``SparseVector``."""
    if metadatas is None:
        return None
    return [None if row is None else [sparse_in_metadata(m) for m in row] for row in metadatas]
