"""NewsErrata: a benchmark for finding errors in machine-written news."""

__version__ = "0.1.0"
