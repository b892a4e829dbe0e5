"""Capture-library tools: a deterministic pcap generator for crafted
captures, a recorder for real loopback traffic, and expect.py, the
independent reassembler that writes the expectation JSON of recorded ones."""
