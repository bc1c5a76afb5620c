"""compliance layer."""
