"""apps domain."""
