"""Frozen domain objects the runner, scorer and renderers work on."""
