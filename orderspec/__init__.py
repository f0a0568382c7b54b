"""orderspec: Zuora Orders API requests kept as reviewed YAML specs."""

__version__ = "0.1.0"
