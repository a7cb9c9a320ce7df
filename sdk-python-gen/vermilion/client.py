"""Clients of one server, scoped to a tenant and a database: ``Client`` and ``CloudClient`` (with an API key)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vermilion_gen import ApiClient, Configuration
from vermilion_gen.models import (
    CollectionConfiguration,
    CreateCollectionRequest,
    CreateDatabaseRequest,
    CreateTenantRequest,
)

from . import _wire
from ._version import __version__
from .collection import SERVER_EMBEDDING_FUNCTION, Collection, EmbeddingFunction

DEFAULT_TENANT = "default_tenant"
DEFAULT_DATABASE = "default_database"
API_KEY_SCHEME = "ApiKey"


@dataclass(frozen=True)
class Database:
    id: str
    name: str
    tenant: str


class Client:
    """A client of a Vermilion (or Chroma-compatible) server at ``host:port``, working in one tenant and
    database. With ``api_key`` (needed when the server has auth on) every route that takes a key gets it in the
    ``x-chroma-token`` header. One connection pool per client; safe to share between threads."""

    def __init__(
        self,
        host: str = "localhost",
        port: int = 8000,
        tenant: str = DEFAULT_TENANT,
        database: str = DEFAULT_DATABASE,
        *,
        ssl: bool = False,
        api_key: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        scheme = "https" if ssl else "http"
        configuration = Configuration(host=f"{scheme}://{host}:{port}")
        if api_key:
            configuration.api_key[API_KEY_SCHEME] = api_key  # the contract's security scheme for x-chroma-token
        api_client = ApiClient(configuration)
        api_client.user_agent = f"vermilion-python/{__version__}"
        for name, value in (headers or {}).items():
            api_client.set_default_header(name, value)
        self._api = _wire.Api(api_client)
        self.tenant = tenant
        self.database = database

    # --- server -------------------------------------------------------------------------------------------

    @_wire.translate_errors
    def heartbeat(self) -> int:
        """The server's clock in nanoseconds since the epoch."""
        return self._api.system.heartbeat().nanosecond_heartbeat

    @_wire.translate_errors
    def get_version(self) -> str:
        return self._api.system.version()

    # --- tenants and databases --------------------------------------------------------------------------------

    @_wire.translate_errors
    def create_tenant(self, name: str) -> None:
        self._api.tenants.create_tenant(create_tenant_request=CreateTenantRequest(name=name))

    @_wire.translate_errors
    def get_tenant(self, name: str) -> str:
        """The tenant's name; ``NotFoundError`` when it does not exist."""
        return self._api.tenants.get_tenant(tenant_name=name).name

    @_wire.translate_errors
    def create_database(self, name: str, tenant: str | None = None) -> None:
        self._api.databases.create_database(
            tenant=tenant or self.tenant, create_database_request=CreateDatabaseRequest(name=name)
        )

    @_wire.translate_errors
    def get_database(self, name: str, tenant: str | None = None) -> Database:
        found = self._api.databases.get_database(tenant=tenant or self.tenant, database=name)
        return Database(id=str(found.id), name=found.name, tenant=found.tenant)

    @_wire.translate_errors
    def list_databases(
        self, limit: int | None = None, offset: int | None = None, tenant: str | None = None
    ) -> list[Database]:
        found = self._api.databases.list_databases(tenant=tenant or self.tenant, limit=limit, offset=offset)
        return [Database(id=str(d.id), name=d.name, tenant=d.tenant) for d in found]

    @_wire.translate_errors
    def delete_database(self, name: str, tenant: str | None = None) -> None:
        self._api.databases.delete_database(tenant=tenant or self.tenant, database=name)

    # --- collections ------------------------------------------------------------------------------------------

    def _scope(self) -> dict[str, str]:
        return {"tenant": self.tenant, "database": self.database}

    @_wire.translate_errors
    def create_collection(
        self,
        name: str,
        metadata: Mapping[str, Any] | None = None,
        configuration: Mapping[str, Any] | None = None,
        get_or_create: bool = False,
        embedding_function: EmbeddingFunction | None = None,
        server_embedded: bool = False,
    ) -> Collection:
        """Creates a collection; ``configuration`` as Chroma's, e.g. ``{"hnsw": {"space": "cosine"}}``.
        An existing name is a ``UniqueConstraintError`` unless ``get_or_create``. ``embedding_function`` embeds its
        documents and query texts on this client; ``server_embedded`` makes it a collection the server embeds
        (its configuration names Chroma's ``default`` function, all-MiniLM-L6-v2)."""
        if server_embedded:
            configuration = {**(configuration or {}), "embedding_function": SERVER_EMBEDDING_FUNCTION}
        request = CreateCollectionRequest(
            name=name,
            metadata=_wire.collection_metadata(metadata),
            configuration=None if configuration is None else CollectionConfiguration.from_dict(dict(configuration)),
            get_or_create=get_or_create,
        )
        created = self._api.collections.create_collection(create_collection_request=request, **self._scope())
        return Collection(self._api, created, embedding_function)

    def get_or_create_collection(
        self,
        name: str,
        metadata: Mapping[str, Any] | None = None,
        configuration: Mapping[str, Any] | None = None,
        embedding_function: EmbeddingFunction | None = None,
        server_embedded: bool = False,
    ) -> Collection:
        """The collection of that name, created (with this metadata and configuration) if it does not exist."""
        return self.create_collection(
            name, metadata, configuration, get_or_create=True, embedding_function=embedding_function,
            server_embedded=server_embedded,
        )

    @_wire.translate_errors
    def get_collection(self, name: str, embedding_function: EmbeddingFunction | None = None) -> Collection:
        """The collection of that name (its texts embedded by ``embedding_function`` on this client, if given);
        ``NotFoundError`` when there is none."""
        found = self._api.collections.get_collection(collection_id=name, **self._scope())
        return Collection(self._api, found, embedding_function)

    @_wire.translate_errors
    def list_collections(self, limit: int | None = None, offset: int | None = None) -> list[Collection]:
        """The database's collections, ordered by id."""
        found = self._api.collections.list_collections(limit=limit, offset=offset, **self._scope())
        return [Collection(self._api, c) for c in found]

    @_wire.translate_errors
    def count_collections(self) -> int:
        return self._api.collections.count_collections(**self._scope())

    @_wire.translate_errors
    def delete_collection(self, name: str) -> None:
        """Deletes the collection of that name and all its records; ``NotFoundError`` when there is none."""
        self._api.collections.delete_collection(collection_id=name, **self._scope())

    def close(self) -> None:
        """Closes the client's pooled connections."""
        self._api.client.rest_client.pool_manager.clear()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class CloudClient(Client):
    """A client that authenticates with an API key, sent in the ``x-chroma-token`` header as Chroma Cloud clients
    send it. HTTPS by default (port 443; 8000 when ``ssl=False`` and no port is given)."""

    def __init__(
        self,
        api_key: str,
        tenant: str = DEFAULT_TENANT,
        database: str = DEFAULT_DATABASE,
        host: str = "localhost",
        port: int | None = None,
        ssl: bool = True,
    ) -> None:
        if not api_key:
            raise ValueError("CloudClient needs an API key")
        super().__init__(
            host,
            port if port is not None else (443 if ssl else 8000),
            tenant,
            database,
            ssl=ssl,
            api_key=api_key,
        )
