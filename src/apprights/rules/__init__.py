"""The rule catalogue: one module per rule, grouped by problem type (t1_… t10_), discovered automatically."""
