"""The report settings (``report_key_file``, ``report_font_dir``, ``public_base_url`` of ``xinyong.settings``).

Read fresh on every call rather than through the cached ``get_settings()``: tests and ``xinyong reports
rotate-key`` change them at run time, and a report is issued or rendered far too rarely for the read to matter.
"""

from __future__ import annotations

from xinyong.settings import Settings


def report_settings() -> Settings:
    """The current settings, read from the environment now."""
    return Settings()
