"""BagIt 1.0 (RFC 8493) bags: writing ours, reading any bag, and the signed list (pure).

A bag is a folder (or a zip of one) holding ``bagit.txt``, ``bag-info.txt``, payload files
under ``data/``, and manifests that give every payload file's SHA-256 and SHA-512; the tag
manifests do the same for the tag files, so an edited manifest is caught too.

Writing: we write bags ourselves rather than with the ``bagit`` package, which declares
version 0.97; the tests check every bag we write with that package's validator. ``BagWriter``
streams each file once: the digests are taken as the bytes go out, so a 1 GiB exhibit is
never held in memory. Output goes to a folder or straight into a zip; zip members get a fixed
date, so two bags of the same content are the same bytes apart from ``bag-info.txt``'s date.

Reading: ``read_bag`` checks any bag with the Library of Congress ``bagit`` package (every
version from 0.93, every manifest algorithm, tag files in any declared encoding), after a
stricter first pass of our own over ``bagit.txt`` and the tag files, so that bytes the
package would trip over (a manifest that is not the text it declares, a malformed manifest
line it would skip) are refused with a message naming the file, never a traceback.

Sealing (ADR 0028): manifests prove nothing against someone who rebuilds them. ``finish``
can add ``signed-sha256.txt``, every file of the bag with its SHA-256 in ``sha256sum``
format, and ``signed-sha256.txt.sig``, a detached Ed25519 signature over it;
``check_seal`` verifies the signature and then names each file that differs from the list.
"""

from __future__ import annotations

from cairn.ledger.checks import Failure as Problem  # one failed check: where, and what
from cairn.packs.bag.reading import (
    BagReading,
    check_bag,
    check_seal,
    file_digest,
    read_bag,
    walk_files,
)
from cairn.packs.bag.writing import (
    ALGORITHMS,
    BAGIT_VERSION,
    SIGNATURE,
    SIGNED_LIST,
    BagError,
    BagWriter,
    Written,
    decode_path,
    encode_path,
    safe_file_name,
    signed_list,
)

__all__ = [
    "ALGORITHMS",
    "BAGIT_VERSION",
    "SIGNATURE",
    "SIGNED_LIST",
    "BagError",
    "BagReading",
    "BagWriter",
    "Problem",
    "Written",
    "check_bag",
    "check_seal",
    "decode_path",
    "encode_path",
    "file_digest",
    "read_bag",
    "safe_file_name",
    "signed_list",
    "walk_files",
]
