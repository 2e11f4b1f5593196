"""Keep personal identifiers out of the logs: a ``logging.Filter`` masking ID numbers and phone numbers.

``PiiLogFilter`` masks resident-ID-shaped and phone-shaped text (and whole API tokens) in a record's
message, its string arguments and its formatted traceback. The argument structure is kept (uvicorn's
access formatter unpacks ``record.args``), so numbers passed as ``int`` arguments are not masked: log
identifiers as strings.

``install_pii_log_filter()`` applies the filter to every record the process creates, through the log
record factory, so it holds whatever handlers are configured later (``uvicorn.run`` replaces its own);
it also attaches the filter to the handlers that exist now. ``xinyong serve`` calls it before starting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from xinyong.auth.audit import scrub_text

_FORMATTER = logging.Formatter()
_installed_factory: Callable[..., logging.LogRecord] | None = None
_previous_factory: Callable[..., logging.LogRecord] | None = None


def _mask_arg(value: Any) -> Any:
    return scrub_text(value) if isinstance(value, str) else value


class PiiLogFilter(logging.Filter):
    """Mask ID numbers, phone numbers and API token secrets in a log record (in place); never drops it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_pii_masked", False):
            return True
        if isinstance(record.msg, str):
            record.msg = scrub_text(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_mask_arg(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _mask_arg(v) for k, v in record.args.items()}
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub_text(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub_text(record.stack_info)
        record._pii_masked = True
        return True


PII_FILTER = PiiLogFilter()
LOGGERS = ("", "xinyong", "uvicorn", "uvicorn.error", "uvicorn.access", "sqlalchemy.engine")


def install_pii_log_filter() -> None:
    """Mask personal identifiers in every log record from now on (idempotent)."""
    global _installed_factory, _previous_factory
    current = logging.getLogRecordFactory()
    if current is not _installed_factory:
        previous = _previous_factory = current

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            PII_FILTER.filter(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed_factory = factory
    for name in LOGGERS:
        for handler in logging.getLogger(name).handlers:
            if PII_FILTER not in handler.filters:
                handler.addFilter(PII_FILTER)


def uninstall_pii_log_filter() -> None:
    """Undo ``install_pii_log_filter`` (tests)."""
    global _installed_factory, _previous_factory
    for name in LOGGERS:
        for handler in logging.getLogger(name).handlers:
            handler.removeFilter(PII_FILTER)
    if _installed_factory is not None and logging.getLogRecordFactory() is _installed_factory:
        logging.setLogRecordFactory(_previous_factory or logging.LogRecord)
    _installed_factory = _previous_factory = None
