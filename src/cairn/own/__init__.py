"""Her own account where it meets her logs and her shares (docs/adr/0030, ADR 0055).

``cairn.accounts`` is low in the layers: users, organisations, roles, two-factor and
recovery know nothing of vaults or cases. What ties an account to them lives here, above
``cairn.cases``: signing up (the account and its first log), the /account/ pages (a new log,
closing the account, which withdraws her shares and destroys her logs), the help page for
advocates and officers, and the reset links they issue. The models stay in ``accounts``.
"""
