"""Catalogue data (YAML with a ``source:`` on every entry), loaded and validated with pydantic."""
