"""Example gameday plugins: the `config-garble` fault and the `json-field` probe."""
