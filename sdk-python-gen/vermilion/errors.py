"""Errors raised by the client, named after Chroma's error names.

Every failure the server reports becomes one ``VermilionError`` subclass, chosen once here from the body's
``error`` name and the HTTP status (the server sends ``ChromaError`` for most statuses, so the status decides).
"""

from __future__ import annotations

import json


class VermilionError(Exception):
    """Base of every error the client raises for a refused or failed request.

    ``error_name`` is Chroma's name for the error (the class name; for an error of no known kind, the name the
    server sent), ``status`` the HTTP status (``None`` when the client refused the call before sending it) and
    ``message`` the server's message.
    """

    error_name = "ChromaError"

    def __init__(self, message: str, status: int | None = None, error_name: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        if error_name is not None:
            self.error_name = error_name

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, message={self.message!r})"


class InvalidArgumentError(VermilionError):
    """The request was refused as invalid (400, or 422 for a body of the wrong shape)."""

    error_name = "InvalidArgumentError"


class NotFoundError(VermilionError):
    """The tenant, database or collection does not exist (404)."""

    error_name = "NotFoundError"


class UniqueConstraintError(VermilionError):
    """The name is already taken (409)."""

    error_name = "UniqueConstraintError"


class QuotaExceededError(VermilionError):
    """A size or count limit was exceeded (422 "Quota exceeded: ..."); the message names the limit."""

    error_name = "QuotaExceededError"


class AuthError(VermilionError):
    """The credentials were missing, wrong or not allowed this request (401, 403)."""

    error_name = "AuthError"


class RateLimitError(VermilionError):
    """Too many requests (429)."""

    error_name = "RateLimitError"


class ServerError(VermilionError):
    """The server failed (5xx)."""

    error_name = "ServerError"


_BY_NAME: dict[str, type[VermilionError]] = {
    "InvalidArgumentError": InvalidArgumentError,
    "NotFoundError": NotFoundError,
    "UniqueConstraintError": UniqueConstraintError,
    "QuotaExceededError": QuotaExceededError,
    "AuthError": AuthError,
    "RateLimitError": RateLimitError,
    "InternalError": ServerError,
}

_BY_STATUS: dict[int, type[VermilionError]] = {
    400: InvalidArgumentError,
    401: AuthError,
    403: AuthError,
    404: NotFoundError,
    409: UniqueConstraintError,
    429: RateLimitError,
}


def error_for(status: int, body: str | None) -> VermilionError:
    """The exception for an error response: its status and its ``{"error", "message"}`` body (if any)."""
    name, message = None, None
    try:
        parsed = json.loads(body) if body else None
        if isinstance(parsed, dict):
            name, message = parsed.get("error"), parsed.get("message")
    except ValueError:
        pass
    if message is None:
        message = body or f"HTTP {status}"
    cls = _BY_NAME.get(name) or _BY_STATUS.get(status)
    if cls is None:
        if status == 422:
            cls = QuotaExceededError if "quota" in message.lower() else InvalidArgumentError
        elif status >= 500:
            cls = ServerError
        else:
            return VermilionError(message, status, name or VermilionError.error_name)
    return cls(message, status)
