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
_NAMESPACE_SHA1 = hashlib.sha1(_NAMESPACE_BYTES)  # copied for each id: the namespace is hashed once


def revision_uid(visit_id: str, item_id: str, revision: int = 1) -> str:
    """uuid5(REVISION_NAMESPACE, "visit/item/revision"), computed without building UUID objects (it runs for
    every answer a findings rebuild or an import reads): the sha1's first 16 bytes as hex, with the version
    nibble set to 5 and the two top bits of the variant nibble to 10 (RFC 4122)."""
    digest = _NAMESPACE_SHA1.copy()
    digest.update(f"{visit_id}/{item_id}/{revision}".encode())
    h = digest.hexdigest()
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


_VARIANT = {c: "89ab"[int(c, 16) & 0x3] for c in "0123456789abcdef"}


def new_uid() -> str:
    return str(uuid.uuid4())
