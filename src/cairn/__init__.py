"""Cairn: a tamper-evident evidence log for people being stalked, and for the police units
that protect them."""

__version__ = "0.1.0"
