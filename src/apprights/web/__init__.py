"""apprights.web."""
