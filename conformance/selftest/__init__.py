"""Self-tests of the conformance suite: proof that it passes a correct
implementation and fails each broken one by exactly the right requirement."""
