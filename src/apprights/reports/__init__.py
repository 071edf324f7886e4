"""apprights.reports."""
