"""Plugin protocols and the registry that discovers them through entry points."""
