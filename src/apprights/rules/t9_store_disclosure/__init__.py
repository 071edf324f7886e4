"""Rules of problem type 9 of 工信部信管函〔2020〕164号."""
