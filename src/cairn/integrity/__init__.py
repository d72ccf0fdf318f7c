"""Integrity of a whole vault: ``cairn verify`` and the owner's integrity page.

The ledger (``cairn.ledger``) proves its own log: entries, tree, signed heads. This app sits
above the vault and the importers (at the level of ``cairn.checks``) because checking the
records means rebuilding their content: each incident, revision, person, exhibit and import
batch is decrypted and hashed again and compared with the ledger entry that recorded it, and
each exhibit's file is read back from the store (ADR 0056).
"""
