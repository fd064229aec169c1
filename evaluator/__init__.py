"""portal-eval: grades Vietnamese public-service portals on the ministry's rubric."""

__version__ = "0.1.0"
