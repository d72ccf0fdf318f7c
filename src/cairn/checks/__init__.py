"""Tech-safety checks for the victim: is there stalkerware on my phone, and who else is signed
in to my accounts? Parsers and matching are pure (``phone``, ``indicators``, ``sessions``);
``services`` is the write path, ``access`` the read path."""
