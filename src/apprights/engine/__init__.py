"""apprights.engine."""
