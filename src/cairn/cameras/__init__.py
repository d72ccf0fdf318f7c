"""Cameras that may have recorded an incident: footage asked for before it is overwritten
(issue 22; docs/adr/0033-cameras-and-the-ask-by-date.md)."""
