"""apprights.batch."""
