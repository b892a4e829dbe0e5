"""A second RIO/1 server for the conformance self-tests (README.md)."""
