"""names package."""
