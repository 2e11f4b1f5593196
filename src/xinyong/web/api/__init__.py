"""JSON routers (``/api/v1``, ``/healthz``)."""
