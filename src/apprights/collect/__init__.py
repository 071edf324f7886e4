"""apprights.collect."""
