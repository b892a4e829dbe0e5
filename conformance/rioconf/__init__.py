"""rioconf — the machinery of the RIO/1 conformance suite: the requirement
registry, verdicts and outcome checks, transcripts, targets, the scripted
server for client tests, and the reports."""
