"""The package version, written here rather than read from the installed metadata:
``importlib.metadata`` costs 80 ms at every start of a one-shot command (issue 12);
tests/test_layout.py checks that it equals pyproject.toml's."""

__version__ = "0.2.0"
