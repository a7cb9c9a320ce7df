"""Clients against a server with auth on: the key a client sends is what lets it in, and refusals are AuthErrors."""

from __future__ import annotations

import uuid

import pytest

import vermilion_gen
from vermilion import AuthError, Client, CloudClient
from vermilion_gen.models import CreateApiKeyPayload


def cloud(auth_server, key: str, tenant: str = "default_tenant") -> CloudClient:
    return CloudClient(
        api_key=key, tenant=tenant, database="main", host=auth_server.host, port=auth_server.port, ssl=False
    )


def create_key(auth_server, tenant: str, role: str) -> str:
    """A key of the tenant with that role, made with the admin key through the generated Admin API."""
    configuration = vermilion_gen.Configuration(host=f"http://{auth_server.host}:{auth_server.port}")
    configuration.api_key["ApiKey"] = auth_server.admin_key
    admin = vermilion_gen.AdminApi(vermilion_gen.ApiClient(configuration))
    return admin.create_api_key(CreateApiKeyPayload(tenant=tenant, role=role)).key


def test_without_a_valid_key_only_public_routes_answer(auth_server):
    anonymous = Client(host=auth_server.host, port=auth_server.port)
    assert anonymous.heartbeat() > 0

    with pytest.raises(AuthError) as missing:
        anonymous.list_collections()
    assert missing.value.status == 401
    assert missing.value.error_name == "AuthError"
    assert missing.value.message == "Missing API key in the request header"

    with pytest.raises(AuthError) as unknown:
        cloud(auth_server, "not-a-key").list_collections()
    assert unknown.value.status == 401
    assert unknown.value.message == "Permission denied."


def test_cloud_client_with_a_key_runs_the_lifecycle(auth_server):
    tenant = f"sdk-{uuid.uuid4().hex[:12]}"
    admin = cloud(auth_server, auth_server.admin_key, tenant)
    admin.create_tenant(tenant)
    admin.create_database("main")

    writer = cloud(auth_server, create_key(auth_server, tenant, "read_write"), tenant)
    docs = writer.create_collection("docs", configuration={"hnsw": {"space": "cosine"}})
    docs.add(ids=["a", "b"], embeddings=[[1.0, 0.0], [0.0, 1.0]], documents=["apple pie", "banana split"])
    assert docs.count() == 2
    assert docs.query(query_embeddings=[[0.9, 0.1]], n_results=1).documents == [["apple pie"]]

    reader = cloud(auth_server, create_key(auth_server, tenant, "read_only"), tenant)
    assert reader.get_collection("docs").get().ids == ["a", "b"]
    with pytest.raises(AuthError) as refused:
        reader.get_collection("docs").add(ids=["c"], embeddings=[[0.5, 0.5]])
    assert refused.value.status == 403
    assert refused.value.error_name == "AuthError"
    assert refused.value.message == "Permission denied."

    writer.delete_collection("docs")
    assert writer.count_collections() == 0
