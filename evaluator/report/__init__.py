"""Report renderers: turn a PortalResult (result.json) into human-readable formats."""
