"""Identity: users, roles, sessions, credentials and the personal-data vault (the layer beside marketdata)."""
