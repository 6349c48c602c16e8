"""anomaly package."""
