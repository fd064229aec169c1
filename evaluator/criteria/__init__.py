"""Criteria profiles: YAML data validated into frozen models (checkov-style policies)."""
