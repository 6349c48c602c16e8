"""history package."""
