"""Chroma's sparse vector, a metadata value and the query of a sparse ``knn``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: The tag Chroma's wire form carries under ``#type``.
SPARSE_VECTOR_TYPE = "sparse_vector"


@dataclass(frozen=True)
class SparseVector:
    """Dimension indices (strictly ascending, unsigned 32-bit) and their float32 values, and optionally one token per
    index; the server refuses indices out of order or lengths apart. On the wire it is Chroma's tagged form
    ``{"#type": "sparse_vector", "indices": [...], "values": [...]}``; reads give it back as this type."""

    indices: list[int]
    values: list[float]
    tokens: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "#type": SPARSE_VECTOR_TYPE,
            "indices": [int(i) for i in self.indices],
            "values": [float(v) for v in self.values],
        }
        if self.tokens is not None:
            body["tokens"] = list(self.tokens)
        return body

    @staticmethod
    def from_wire(value: Any) -> SparseVector | None:
        """The sparse vector a decoded JSON value stands for (Chroma's tagged form), or ``None``."""
        if not isinstance(value, Mapping) or value.get("#type") != SPARSE_VECTOR_TYPE:
            return None
        tokens = value.get("tokens")
        return SparseVector(
            indices=list(value["indices"]),
            values=[float(v) for v in value["values"]],
            tokens=None if tokens is None else list(tokens),
        )


def sparse_in_metadata(metadata: Any) -> Any:
    """A metadata map (or ``None``) with its tagged sparse vectors as ``SparseVector``."""
    if not isinstance(metadata, Mapping):
        return metadata
    out = {}
    for key, value in metadata.items():
        sparse = SparseVector.from_wire(value)
        out[key] = value if sparse is None else sparse
    return out
