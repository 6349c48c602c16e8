"""The command line: ``main`` plus one module per command."""
