"""HTML routers (Jinja2 templates, htmx partials)."""
