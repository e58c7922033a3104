"""Global ids of facts that were not given one when they were made.

The first answer revision of a point is made on the device that recorded the visit, once: its id is derived
from the visit's UUID and the point (uuid5), so it needs no storage and every database computes the same id.
Revisions recorded before revisions had ids are named the same way, by their revision number.
"""

from __future__ import annotations

import hashlib
import uuid

REVISION_NAMESPACE = uuid.UUID("6f1d2a4e-6b9e-4c53-9d8e-2f7c3f0b8a11")
_NAMESPACE_BYTES = REVISION_NAMESPACE.bytes


def revision_uid(visit_id: str, item_id: str, revision: int = 1) -> str:
    """uuid5(REVISION_NAMESPACE, "visit/item/revision"), computed without building UUID objects (it runs for
    every answer a findings rebuild reads)."""
    b = bytearray(hashlib.sha1(_NAMESPACE_BYTES + f"{visit_id}/{item_id}/{revision}".encode()).digest()[:16])
    b[6] = (b[6] & 0x0F) | 0x50  # version 5
    b[8] = (b[8] & 0x3F) | 0x80  # RFC 4122 variant
    x = b.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def new_uid() -> str:
    return str(uuid.uuid4())
