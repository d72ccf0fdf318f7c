"""The ``cairn`` command: a local, trusted tool working on the instance's data directory.

Commands are thin: they parse what was typed, call ``cairn.vault.services`` to change
anything and ``cairn.vault.access`` to read, acting as the vault's owner. Django is set up
lazily, on the first command that needs the database, so ``cairn --help`` stays quick.
"""
