"""CLI: demo (being built)."""


def demo() -> None:
    """Load the demo district."""
