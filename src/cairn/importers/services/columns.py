"""A CSV diary's columns: suggested, shown, confirmed.

Only the victim knows what the columns of her spreadsheet mean, so a diary is imported with
the columns she confirmed: the CLI asks for ``--columns``, the web shows a "Check the
columns" page between the upload and the background task. The confirmed mapping (field name
to 0-based column) is kept sealed with the job's other options
(``ImportJob.column_mapping``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction

from cairn.accounts.models import User
from cairn.audit import services as audit
from cairn.importers.base import (
    ImportFailure,
)
from cairn.importers.models import (
    ImportFormat,
    ImportJob,
    JobStatus,
)
from cairn.importers.parsers import diary
from cairn.importers.services.jobs import discard_staged, job_columns, set_job, staged_bytes
from cairn.vault import services as vault_services


def diary_preview(
    source: str | os.PathLike[str] | BinaryIO | bytes, *, name: str
) -> diary.DiaryPreview:
    """The diary's header, sample rows and suggested columns (``parsers.diary.inspect``).

    Raises ``ImportFailure`` for a file that cannot be read as a CSV spreadsheet."""
    return diary.inspect(source, name=name)


def check_diary_columns(preview: diary.DiaryPreview, mapping: Mapping[str, Any]) -> dict[str, int]:
    """A mapping (field name to 0-based column) checked against the diary's columns.

    Raises ``ValidationError`` on ``columns`` with one line: a field a diary does not have,
    a column the file does not have (numbered from 1, as people count them), or no column
    for a field every diary row needs (date, what happened).
    """
    width = max([len(preview.header), *(len(row) for row in preview.sample_rows)])
    for field_name, column in mapping.items():
        if field_name not in diary.FIELDS:
            raise ValidationError(
                {
                    "columns": [
                        f"a diary has no field called {field_name!r}; the fields are "
                        + ", ".join(diary.FIELDS)
                    ]
                }
            )
        if isinstance(column, bool) or not isinstance(column, int) or not 0 <= column < width:
            shown = column + 1 if isinstance(column, int) else column
            raise ValidationError(
                {
                    "columns": [
                        f"there is no column {shown} (for {field_name}): the file has {width} "
                        f"column{'s' if width != 1 else ''}, numbered 1 to {width}"
                    ]
                }
            )
    missing = [f for f in diary.REQUIRED if f not in mapping]
    if missing:
        raise ValidationError({"columns": ["say which column holds " + " and ".join(missing)]})
    return {f: int(mapping[f]) for f in diary.FIELDS if f in mapping}


def staged_diary_preview(job: ImportJob) -> diary.DiaryPreview:
    """``diary_preview`` of a job's staged upload.

    A file that cannot be read as a diary fails the job (its message names the file and
    line) and its staged copy is deleted; the ``ImportFailure`` is raised again."""
    try:
        return diary_preview(staged_bytes(job, diary.MAX_SIZE + 1), name=job.source_name)
    except ImportFailure as exc:
        set_job(job, status=JobStatus.FAILED, error=str(exc))
        discard_staged(job)
        raise


def confirm_diary_columns(*, actor: User, job: ImportJob, mapping: Mapping[str, Any]) -> ImportJob:
    """Record the columns the victim confirmed for a staged diary; the job can then run.

    Raises ``ValidationError`` (on ``columns``) for a bad mapping or a job that is not
    waiting for its columns, ``ImportFailure`` for a file that is not a readable diary."""
    vault_services.require_owner(actor, job.vault)
    preview = staged_diary_preview(job)
    confirmed = check_diary_columns(preview, mapping)
    with transaction.atomic():
        current = ImportJob.objects.select_for_update().get(pk=job.pk)
        if current.status != JobStatus.QUEUED or job_columns(current) is not None:
            raise ValidationError({"columns": ["The columns of this file were already confirmed"]})
        current.format = ImportFormat.CSV
        current.column_mapping = confirmed
        current.save()
        audit.record(
            actor=actor,
            action="import.columns.confirmed",
            object_type="importjob",
            object_id=current.pk,
            vault_id=current.vault_id,
            detail={"columns": confirmed},
        )
    return current
