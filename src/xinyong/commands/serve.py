"""CLI: serve (being built)."""


def serve() -> None:
    """Serve the web app."""
