"""The `chromium` fixture (tests/render/chromium.py) for this directory's browser tests."""

from tests.render.chromium import chromium

__all__ = ["chromium"]
