"""Importers, one module per data source family; :mod:`.registry` picks one for a path."""
