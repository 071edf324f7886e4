"""apprights.cli."""
