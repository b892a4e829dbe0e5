"""RIO/1 conformance suite (a package so its test modules never collide
with another suite's modules of the same name)."""
