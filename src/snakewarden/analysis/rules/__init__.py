"""analysis rules package."""
