"""The Search API's parts as the JSON the server reads: rank expressions (``knn``, ``bm25``, arithmetic, ``rrf``) and
``Search``.

Lower scores rank first. ``rrf`` builds reciprocal rank fusion the way Chroma's clients compile it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .sparse import SparseVector

Rank = dict[str, Any]


def knn(
    query: Sequence[float] | str | SparseVector,
    limit: int = 16,
    default: float | None = None,
    return_rank: bool = False,
    key: str | None = None,
) -> Rank:
    """The ``limit`` nearest records to ``query`` score their distance (their 0-based position with
    ``return_rank``); other records score ``default``, or drop out when it is ``None``. A text ``query`` is embedded
    by the collection's embedding function when it has one, otherwise by the server (a collection it embeds). A
    ``SparseVector`` query ranks the sparse vectors under metadata ``key`` (a key with a sparse vector index in the
    collection schema) by ``1 - query·vector``."""
    if isinstance(query, SparseVector):
        if key is None:
            raise TypeError("a sparse knn needs the metadata key of its sparse vector index")
        wire: Any = query.to_dict()
    else:
        wire = query if isinstance(query, str) else [float(v) for v in query]
    body: dict[str, Any] = {"query": wire}
    if key is not None:
        body["key"] = key
    body["limit"] = limit
    if default is not None:
        body["default"] = default
    if return_rank:
        body["return_rank"] = True
    return {"$knn": body}


def bm25(text: str, limit: int = 16, default: float | None = None, return_rank: bool = False) -> Rank:
    """Vermilion's BM25 extension: the ``limit`` records whose document best matches ``text`` by BM25 (over the
    server's text index, compacted records and log tail alike) score ``-bm25`` (their 0-based position with
    ``return_rank``); other records score ``default``, or drop out when it is ``None``. Never embedded; fuse it with a
    dense ``knn`` by ``rrf`` for hybrid search."""
    if not isinstance(text, str):
        raise TypeError("bm25 needs a text query")
    body: dict[str, Any] = {"query": text, "key": DOCUMENT_KEY, "limit": limit}
    if default is not None:
        body["default"] = default
    if return_rank:
        body["return_rank"] = True
    return {"$knn": body}


#: The ``$knn`` key that makes a text query BM25 over the records' documents.
DOCUMENT_KEY = "#document"


def val(value: float) -> Rank:
    return {"$val": value}


def sum_(*terms: Rank) -> Rank:
    return {"$sum": list(terms)}


def mul(*terms: Rank) -> Rank:
    return {"$mul": list(terms)}


def max_(*terms: Rank) -> Rank:
    return {"$max": list(terms)}


def min_(*terms: Rank) -> Rank:
    return {"$min": list(terms)}


def sub(left: Rank, right: Rank) -> Rank:
    return {"$sub": {"left": left, "right": right}}


def div(left: Rank, right: Rank) -> Rank:
    return {"$div": {"left": left, "right": right}}


def abs_(operand: Rank) -> Rank:
    return {"$abs": operand}


def exp(operand: Rank) -> Rank:
    return {"$exp": operand}


def log(operand: Rank) -> Rank:
    return {"$log": operand}


def rrf(*ranks: Rank, k: int = 60) -> Rank:
    """Reciprocal rank fusion: ``-(sum of 1 / (k + rank))``; give the ranks ``return_rank=True`` (and a default to
    keep records only some of them found)."""
    if not ranks:
        raise ValueError("rrf needs at least one rank")
    return mul(val(-1), sum_(*(div(val(1), sum_(val(k), rank)) for rank in ranks)))


@dataclass(frozen=True)
class Search:
    """One search: ``where`` (the where grammar plus ``#id`` and ``#document`` keys), ``rank``, an optional group-by
    (``group_by`` keys, ``aggregate_by`` keys or ``#score``, ``k`` per group, ``max_k`` for the highest), a page and
    the keys to ``select`` (``#document``, ``#embedding``, ``#metadata``, ``#score`` or metadata keys)."""

    where: Mapping[str, Any] | None = None
    rank: Rank | None = None
    group_by: Sequence[str] = ()
    aggregate_by: Sequence[str] = ("#score",)
    k: int = 1
    max_k: bool = False
    limit: int | None = None
    offset: int = 0
    select: Sequence[str] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        page: dict[str, Any] = {"offset": self.offset}
        if self.limit is not None:
            page["limit"] = self.limit
        body: dict[str, Any] = {
            "filter": dict(self.where) if self.where else None,
            "rank": self.rank,
            "limit": page,
            "select": {"keys": list(self.select)},
        }
        if self.group_by:
            body["group_by"] = {
                "keys": list(self.group_by),
                "aggregate": {"$max_k" if self.max_k else "$min_k": {"keys": list(self.aggregate_by), "k": self.k}},
            }
        return body
