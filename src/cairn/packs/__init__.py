"""The evidence pack: a PDF and a BagIt bag a court can check without Cairn (issue 6)."""
