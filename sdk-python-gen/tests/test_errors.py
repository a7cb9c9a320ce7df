"""How error responses become exceptions (no server needed)."""

from __future__ import annotations

import json

import pytest

from vermilion import (
    AuthError,
    InvalidArgumentError,
    NotFoundError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    UniqueConstraintError,
    VermilionError,
)
from vermilion.errors import error_for


def body(name: str, message: str) -> str:
    return json.dumps({"error": name, "message": message})


@pytest.mark.parametrize(
    "status, name, expected",
    [
        (400, "InvalidArgumentError", InvalidArgumentError),
        (400, "ChromaError", InvalidArgumentError),
        (401, "ChromaError", AuthError),
        (403, "ChromaError", AuthError),
        (404, "NotFoundError", NotFoundError),
        (409, "ChromaError", UniqueConstraintError),
        (422, "ChromaError", InvalidArgumentError),
        (429, "ChromaError", RateLimitError),
        (500, "InternalError", ServerError),
        (503, "ChromaError", ServerError),
    ],
)
def test_status_and_name_choose_the_exception(status, name, expected):
    error = error_for(status, body(name, "m"))
    assert type(error) is expected
    assert error.status == status
    assert error.message == "m"
    assert error.error_name == expected.__name__


def test_quota_refusal_is_quota_exceeded():
    message = (
        "Quota exceeded: 'Number of records' exceeded quota limit for action 'Add': "
        "current usage of 6 exceeds limit of 5"
    )
    error = error_for(422, body("ChromaError", message))
    assert type(error) is QuotaExceededError
    assert str(error) == message


def test_unclassified_status_keeps_the_servers_name():
    error = error_for(415, body("ChromaError", "Unsupported media type"))
    assert type(error) is VermilionError
    assert error.error_name == "ChromaError"
    assert error.status == 415


def test_body_that_is_not_json_becomes_the_message():
    error = error_for(502, "Bad Gateway")
    assert type(error) is ServerError
    assert error.message == "Bad Gateway"
