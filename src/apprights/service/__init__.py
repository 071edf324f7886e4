"""apprights.service."""
