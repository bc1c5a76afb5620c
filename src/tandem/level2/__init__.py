"""level2 layer."""
