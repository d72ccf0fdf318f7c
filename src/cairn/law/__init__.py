"""The law Cairn encodes, one module per instrument, in our own words with citations.

Nothing here is legal advice: the product shows evidence against a test; a court decides.
"""
