"""Rules of problem type 7 of 工信部信管函〔2020〕164号."""
