TEXT = """This is a long but ordinary docstring-like text with spaces and words that should not look like an encoded blob at all, even if it goes on for a while."""
