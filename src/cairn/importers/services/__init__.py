"""The importers' services: the only code that writes import batches, items, candidates,
proposals and jobs (DESIGN.md "Shape"). Every function takes the acting user as ``actor``
and records its change through ``cairn.vault.services.record_change``. Bad input raises
``ImportFailure`` (the file) or ``django.core.exceptions.ValidationError`` (a choice), and
changes nothing.

The modules, in the order an import meets them:

- ``parsing``: the file on disk, its format, its parser.
- ``senders``, ``drafts``, ``files``: who sent each item, each item as a draft and its
  fingerprint, the evidence files.
- ``commit``: ``commit_import``, all or nothing, saving items as the parser reads them.
- ``batches``: what a batch's ledger entry hashes, and re-hashing it (verification).
- ``review`` and ``candidates``: the victim's review of proposals and unknown senders.
- ``jobs`` and ``columns``: background imports from the web, and a diary's columns.

The canonical contents the ledger hashes are built in ``cairn.importers.records`` (pure).
The names below are the services' public interface; callers import them from here.
"""

from cairn.importers.records import (
    ItemsDigest,
    candidate_content,
    item_content,
    items_digest,
)
from cairn.importers.services.batches import batch_content, batch_items_digest, verify_batch
from cairn.importers.services.candidates import confirm_candidate, dismiss_candidate
from cairn.importers.services.columns import (
    check_diary_columns,
    confirm_diary_columns,
    diary_preview,
    staged_diary_preview,
)
from cairn.importers.services.commit import ImportResult, commit_import
from cairn.importers.services.drafts import SAVE_CHUNK
from cairn.importers.services.jobs import (
    answer_date_order,
    awaiting_columns,
    awaiting_date_order,
    date_question,
    fail_job,
    job_columns,
    note_task,
    requeue_job,
    run_import_job,
    stage_import,
    staged_file_kept,
    wants_columns,
)
from cairn.importers.services.parsing import HEAD_BYTES, PARSER_MODULES, archived_dkim_keys
from cairn.importers.services.review import (
    ACCEPT_CHUNK,
    accept_proposals,
    dismiss_proposal,
    proposal_content,
)

__all__ = [
    "ACCEPT_CHUNK",
    "HEAD_BYTES",
    "PARSER_MODULES",
    "SAVE_CHUNK",
    "ImportResult",
    "ItemsDigest",
    "accept_proposals",
    "answer_date_order",
    "archived_dkim_keys",
    "awaiting_columns",
    "awaiting_date_order",
    "batch_content",
    "batch_items_digest",
    "candidate_content",
    "check_diary_columns",
    "commit_import",
    "confirm_candidate",
    "confirm_diary_columns",
    "date_question",
    "diary_preview",
    "dismiss_candidate",
    "dismiss_proposal",
    "fail_job",
    "item_content",
    "items_digest",
    "job_columns",
    "note_task",
    "proposal_content",
    "requeue_job",
    "run_import_job",
    "stage_import",
    "staged_diary_preview",
    "staged_file_kept",
    "verify_batch",
    "wants_columns",
]
