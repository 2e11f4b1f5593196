"""Input and output shapes of intake: a batch's summary (the departments' immediate feedback) and batch lists."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

# Messages of each level a summary lists; the rest stay in the stored feedback (intake_issue).
MAX_MESSAGES = 10_000


class RowMessage(BaseModel):
    """One error or warning: data row ``row`` (1-based, header excluded; 0 = the file or batch as a whole),
    column ``field`` (the Chinese column header; empty for a whole-row issue) and the Chinese ``reason``."""

    row: int
    field: str
    reason: str


class BatchSummary(BaseModel):
    """What became of one submitted batch.

    ``accepted`` = rows loaded (new records or new versions), of which ``superseded`` replaced an earlier
    version; ``unchanged`` = identical re-sends (nothing written); ``rejected`` = rows with errors; ``held`` =
    valid rows not loaded because the all-or-nothing batch had errors. ``rows`` counts every data row read.
    ``warnings`` and ``errors`` list the messages (at most ``MAX_MESSAGES`` each: a last row-0 message then
    says how many more the stored feedback holds).
    """

    batch_id: int
    item: str = Field(description="data item id, e.g. penalty")
    department: str = Field(description="name of the submitting department")
    status: str = Field(description="loaded | rejected")
    rows: int
    accepted: int
    rejected: int
    unchanged: int
    superseded: int
    held: int
    warnings: list[RowMessage]
    errors: list[RowMessage]
    file_error: str | None = None


class BatchOut(BaseModel):
    """One batch in a list (counts only; the messages are in ``BatchSummary`` and the feedback workbook)."""

    id: int
    item_id: str
    item_name: str
    item_version: int
    department_id: int
    department_code: str
    department_name: str
    channel: str
    filename: str
    partial: bool
    status: str
    rows: int
    accepted: int
    rejected: int
    unchanged: int
    superseded: int
    held: int
    warnings: int = Field(description="number of warnings")
    file_error: str | None
    submitted_on: date
    created_by: str
    created_at: datetime
