"""JSON routers under ``/api/v1`` (thin handlers: parse, call a domain service, map to a schema)."""
