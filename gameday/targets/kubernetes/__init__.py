"""The Kubernetes target. `params` declares its settings and fault parameters; the
adapter that talks to the API server is not in this release (see docs/format.md)."""
