"""CLI command groups; ``xinyong.cli`` assembles them. Commands are thin: parse, call a service, print."""
