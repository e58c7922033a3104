"""Global ids of facts that were not given one when they were made.

The first answer revision of a point is made on the device that recorded the visit, once: its id is derived
from the visit's UUID and the point (uuid5), so it needs no storage and every database computes the same id.
Revisions recorded before revisions had ids are named the same way, by their revision number.
"""

from __future__ import annotations

import uuid

REVISION_NAMESPACE = uuid.UUID("6f1d2a4e-6b9e-4c53-9d8e-2f7c3f0b8a11")


def revision_uid(visit_id: str, item_id: str, revision: int = 1) -> str:
    return str(uuid.uuid5(REVISION_NAMESPACE, f"{visit_id}/{item_id}/{revision}"))


def new_uid() -> str:
    return str(uuid.uuid4())
