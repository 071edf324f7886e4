"""Rules of problem type 8 of 工信部信管函〔2020〕164号."""
