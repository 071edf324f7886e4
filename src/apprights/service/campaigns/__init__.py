"""campaigns domain: named detection campaigns (专项行动) that scan runs and submissions belong to."""
