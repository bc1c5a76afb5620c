"""Mappers from domain records to the API/page schemas (presentation only: language choice, rounding, shape)."""
