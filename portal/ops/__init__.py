"""Operating the service: structured logs, request ids, health, metrics, production server."""
