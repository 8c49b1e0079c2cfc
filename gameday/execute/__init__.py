"""Running scenarios: the only stage with side effects, and only through plugins."""
