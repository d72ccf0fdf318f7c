"""The vault's pages. Each view: decorators for login and method, a form validates, a
service acts, a template renders. Reads go through ``cairn.vault.access`` only."""
