"""Test library for mod_foresatt's integration tests: a real httpd, free ports, build paths."""
