"""Rules of problem type 6 of 工信部信管函〔2020〕164号."""
