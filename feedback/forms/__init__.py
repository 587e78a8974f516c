"""Forms of the feedback app, one module per sub-domain."""
