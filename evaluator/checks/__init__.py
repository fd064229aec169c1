"""Checks: the library of parameterised functions that criteria YAML refers to by name."""
