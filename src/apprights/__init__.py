"""apprights: App technical detection for MIIT 工信部信管函〔2020〕164号."""

__version__ = "0.1.0"
