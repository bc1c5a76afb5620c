"""Mappers from domain records to the API schemas (shape only; what a screen shows is the domain's own view)."""
