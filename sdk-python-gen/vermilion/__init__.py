"""Vermilion's Python client: a thin layer over the client generated from the OpenAPI contract (vermilion_gen).

import vermilion
client = vermilion.Client(host="localhost", port=8000)
docs = client.get_or_create_collection("docs", configuration={"hnsw": {"space": "cosine"}})
docs.add(ids=["a"], embeddings=[[0.1, 0.2, 0.3]], documents=["hello"])
print(docs.query(query_embeddings=[[0.1, 0.2, 0.3]], n_results=1).ids)
"""

from ._version import __version__
from .client import DEFAULT_DATABASE, DEFAULT_TENANT, Client, CloudClient, Database
from .collection import (
    SERVER_EMBEDDING_FUNCTION,
    Collection,
    EmbeddingFunction,
    GetResult,
    IndexingStatus,
    QueryResult,
    SearchResult,
)
from .search import Search, bm25, knn, rrf
from .sparse import SparseVector
from .errors import (
    AuthError,
    InvalidArgumentError,
    NotFoundError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    UniqueConstraintError,
    VermilionError,
)

__all__ = [
    "__version__",
    "DEFAULT_DATABASE",
    "DEFAULT_TENANT",
    "AuthError",
    "Client",
    "CloudClient",
    "Collection",
    "Database",
    "EmbeddingFunction",
    "SERVER_EMBEDDING_FUNCTION",
    "GetResult",
    "InvalidArgumentError",
    "NotFoundError",
    "IndexingStatus",
    "QueryResult",
    "Search",
    "SearchResult",
    "SparseVector",
    "bm25",
    "knn",
    "rrf",
    "QuotaExceededError",
    "RateLimitError",
    "ServerError",
    "UniqueConstraintError",
    "VermilionError",
]
