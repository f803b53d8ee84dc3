"""Tools over policy files: lint, fmt and policy tests."""
