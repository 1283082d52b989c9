"""The web tests' fixtures: the collected static files come from the root conftest (static_root)."""
