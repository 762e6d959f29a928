"""All table models. Importing this package registers every table on ``SQLModel.metadata``."""

from core.models.accounts import Account, User
from core.models.base import utcnow
from core.models.jobs import FINISHED_JOB_STATUSES, ItemStatus, JobItem, JobRecord, JobStatus

__all__ = [
    "FINISHED_JOB_STATUSES",
    "Account",
    "ItemStatus",
    "JobItem",
    "JobRecord",
    "JobStatus",
    "User",
    "utcnow",
]
