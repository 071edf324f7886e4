"""apprights.extractors."""
