"""The web application: JSON API under ``/api/v1``, Chinese server-rendered pages, static files."""
