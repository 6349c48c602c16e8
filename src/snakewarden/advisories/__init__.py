"""advisories package."""
