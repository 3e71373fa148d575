"""Every write on orchestrations: `orchestrations` (create, update, delete: versioned with the
graph), `runs` (start, cancel, status) and `steps` (the runner's step rows and their events)."""

from orchestrations.services.orchestrations import (
    orchestration_create,
    orchestration_delete,
    orchestration_update,
)
from orchestrations.services.runs import run_cancel, run_start

__all__ = [
    "orchestration_create",
    "orchestration_delete",
    "orchestration_update",
    "run_cancel",
    "run_start",
]
