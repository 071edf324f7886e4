"""apprights.testing."""
