"""A small client for Chroma's HTTP API v2, shared by the data commands (export, import, copy). It speaks only what
both Vermilion and a Chroma server answer, so every command works against either. Standard library only.

Errors: every failed call raises ApiError (HTTP status and Chroma's error body); a refused connection or a 5xx/429 is
retried a few times with a growing pause first, since a migration should ride over a server restart.
"""
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

INCLUDE_ALL = ["embeddings", "documents", "metadatas", "uris"]
RETRIES = 4


class ApiError(Exception):
    def __init__(self, method, path, status, body):
        super().__init__(f"{method} {path} failed with {status}: {body}")
        self.status = status


class Api:
    """One database of one server: paths are relative to /api/v2/tenants/{tenant}/databases/{database}."""

    def __init__(self, url, tenant, database, key):
        self.root = url.rstrip("/")
        self.tenant = tenant
        self.database = database
        self.base = self.root + f"/api/v2/tenants/{q(tenant)}/databases/{q(database)}"
        self.key = key

    def call(self, method, path, body=None, absolute=False):
        url = (self.root if absolute else self.base) + path
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        for attempt in range(RETRIES + 1):
            req = urllib.request.Request(url, data=data, method=method)
            req.add_header("content-type", "application/json")
            if self.key:
                req.add_header("x-chroma-token", self.key)
            try:
                with urllib.request.urlopen(req, timeout=300) as resp:
                    text = resp.read().decode()
                return json.loads(text) if text else None
            except urllib.error.HTTPError as e:
                detail = e.read().decode(errors="replace")
                if (e.code >= 500 or e.code == 429) and attempt < RETRIES:
                    time.sleep(0.5 * 2 ** attempt)
                    continue
                raise ApiError(method, path, e.code, detail) from None
            except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
                if attempt < RETRIES:
                    time.sleep(0.5 * 2 ** attempt)
                    continue
                raise ApiError(method, url, "no answer", getattr(e, "reason", e)) from None

    def collection(self, name):
        """The collection named so, or None when it does not exist."""
        try:
            return self.call("GET", f"/collections/{q(name)}")
        except ApiError as e:
            if e.status == 404:
                return None
            raise

    def collections(self):
        """Every collection of the database, in the server's order (paged)."""
        result, offset = [], 0
        while True:
            page = self.call("GET", f"/collections?limit=100&offset={offset}")
            result.extend(page)
            offset += len(page)
            if len(page) < 100:
                return result

    def count(self, collection_id):
        return self.call("GET", f"/collections/{collection_id}/count")

    def pages(self, collection_id, size, offset=0):
        """(offset after the page, page) for each page of records from offset on, in the collection's order."""
        while True:
            page = self.call("POST", f"/collections/{collection_id}/get",
                             {"limit": size, "offset": offset, "include": INCLUDE_ALL})
            if not page["ids"]:
                return
            offset += len(page["ids"])
            yield offset, page
            if len(page["ids"]) < size:
                return

    def write(self, collection_id, verb, records):
        """add or upsert a batch of records given as dicts {id, embedding, document, metadata, uri}."""
        body = {"ids": [r["id"] for r in records], "embeddings": [r["embedding"] for r in records]}
        for field, key in (("documents", "document"), ("metadatas", "metadata"), ("uris", "uri")):
            values = [r.get(key) for r in records]
            if any(v is not None for v in values):
                body[field] = values
        self.call("POST", f"/collections/{collection_id}/{verb}", body)

    def max_batch_size(self):
        checks = self.call("GET", "/api/v2/pre-flight-checks", absolute=True) or {}
        return checks.get("max_batch_size")

    def ensure_database(self):
        """Creates this database when the tenant does not have it yet (the tenant must exist)."""
        path = f"/api/v2/tenants/{q(self.tenant)}/databases"
        try:
            self.call("GET", f"{path}/{q(self.database)}", absolute=True)
        except ApiError as e:
            if e.status != 404:
                raise
            self.call("POST", path, {"name": self.database}, absolute=True)


def q(segment):
    return urllib.parse.quote(segment, safe="")


def records_of(page):
    """The records of a get answer as dicts {id, embedding, document, metadata, uri}."""
    n = len(page["ids"])

    def column(name):
        values = page.get(name)
        return values if values is not None else [None] * n

    embeddings, documents, metadatas, uris = (column(c) for c in INCLUDE_ALL)
    return [{"id": page["ids"][i], "embedding": embeddings[i], "document": documents[i], "metadata": metadatas[i],
             "uri": uris[i]} for i in range(n)]


def portable_configuration(collection):
    """The part of a collection's configuration_json that a create request carries over (index, embedding
    function); None when there is nothing to carry."""
    config = collection.get("configuration_json") or {}
    kept = {k: config[k] for k in ("hnsw", "spann", "embedding_function") if config.get(k) is not None}
    return kept or None


def create_body(name, metadata, configuration):
    body = {"name": name}
    if metadata:
        body["metadata"] = metadata
    if configuration:
        body["configuration"] = configuration
    return body


def fail(message, code=1):
    print(f"vermilion: {message}", file=sys.stderr)
    raise SystemExit(code)
