"""The versioned YAML schema (apiVersion gameday/v1), as pydantic models.

The runner never sees these: `gameday.validate` converts them into the frozen
dataclasses of `gameday.model`.
"""

API_VERSION = "gameday/v1"
