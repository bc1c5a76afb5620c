"""wealth layer."""
