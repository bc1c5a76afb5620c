"""HTML pages and their htmx partials (thin handlers: gather view data from the services, render)."""
