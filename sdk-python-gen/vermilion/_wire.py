"""Between plain Python values and the generated client (vermilion_gen): request models in, plain data out.

The generated models wrap every metadata value in anyOf holders and every embedding list in a oneOf holder;
callers of this package never see them. Errors of the generated client become ``vermilion.errors``.
"""

from __future__ import annotations

import functools
import json
import numbers
from collections.abc import Mapping
from enum import Enum
from typing import Any, Callable, TypeVar
from uuid import UUID

import pydantic

from vermilion_gen import ApiClient, CollectionApi, DatabaseApi, RecordApi, SystemApi, TenantApi
from vermilion_gen.exceptions import ApiException, ApiTypeError, ApiValueError
from vermilion_gen.models import MetadataValue, RecordMetadataValue
from vermilion_gen.models import SparseVector as SparseVectorModel

from .errors import InvalidArgumentError, error_for
from .sparse import SparseVector

F = TypeVar("F", bound=Callable[..., Any])

Embedding = list[float]


class Api:
    """The generated API groups over one connection pool."""

    def __init__(self, api_client: ApiClient) -> None:
        self.client = api_client
        self.system = SystemApi(api_client)
        self.tenants = TenantApi(api_client)
        self.databases = DatabaseApi(api_client)
        self.collections = CollectionApi(api_client)
        self.records = RecordApi(api_client)


def translate_errors(method: F) -> F:
    """Makes every failure of the generated client a ``vermilion.errors`` exception: an error response by its
    status and body, and a value the generated models refuse before sending (e.g. a name shorter than 3
    characters) as an ``InvalidArgumentError``."""

    @functools.wraps(method)
    def translated(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except ApiException as e:
            raise error_for(e.status or 0, e.body) from None
        except (pydantic.ValidationError, ApiValueError, ApiTypeError) as e:
            raise InvalidArgumentError(str(e)) from None

    return translated  # type: ignore[return-value]


def json_answer(response: Any) -> Any:
    """The decoded JSON of a ``*_without_preload_content`` call's response, or its error."""
    body = response.read()
    text = body.decode("utf-8") if body else ""
    if not 200 <= response.status < 300:
        raise error_for(response.status, text)
    return json.loads(text) if text else None


def one_or_many(value: Any) -> list | None:
    """``"a"`` → ``["a"]``, a mapping → ``[mapping]``; lists pass through; ``None`` stays ``None``."""
    if value is None:
        return None
    if isinstance(value, (str, Mapping)):
        return [value]
    return list(value)


def embeddings(value: Any) -> list[Embedding] | None:
    """One embedding or many, of any number sequences (lists, tuples, numpy arrays), as lists of floats."""
    if value is None:
        return None
    items = list(value)
    if items and isinstance(items[0], numbers.Real):
        items = [items]
    return [[float(x) for x in e] for e in items]


def _scalar(value: Any) -> MetadataValue:
    if not isinstance(value, (str, bool, numbers.Integral, numbers.Real)):
        raise InvalidArgumentError(f"Metadata value {value!r} is not a string, integer, float or boolean")
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = int(value)
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):
        value = float(value)
    return MetadataValue(value)


def _record_value(value: Any) -> RecordMetadataValue:
    sparse = value if isinstance(value, SparseVector) else SparseVector.from_wire(value)
    if sparse is not None:
        return RecordMetadataValue(SparseVectorModel.from_dict(sparse.to_dict()))
    if isinstance(value, (list, tuple)):
        return RecordMetadataValue(list(value))
    return RecordMetadataValue(_scalar(value))


def collection_metadata(metadata: Mapping[str, Any] | None, allow_none: bool = False) -> dict[str, Any] | None:
    if metadata is None:
        return None
    return {k: (None if v is None and allow_none else _scalar(v)) for k, v in metadata.items()}


def record_metadatas(metadatas: Any, allow_none: bool = False) -> list[dict[str, Any] | None] | None:
    items = one_or_many(metadatas)
    if items is None:
        return None
    return [
        None if m is None else {k: (None if v is None and allow_none else _record_value(v)) for k, v in m.items()}
        for m in items
    ]


def plain(value: Any) -> Any:
    """A generated model (or a list or dict of them) as plain JSON-like data."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, UUID):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if hasattr(value, "to_dict"):
        return plain(value.to_dict())
    return value
