from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from settlement.intake import services
from settlement.intake.models import ImportBatch
from tests.settlement.intake_rows import csv_bytes


@pytest.fixture
def media_root(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        yield tmp_path


@pytest.fixture
def upload(media_root, django_capture_on_commit_callbacks):
    """``upload(user, rows)``: send a file as that user; the import job runs inline at commit."""

    def send(user, rows=None, *, name="cases.csv", content: bytes | None = None) -> ImportBatch:
        data = content if content is not None else csv_bytes(rows)
        with django_capture_on_commit_callbacks(execute=True):
            batch = services.batch_upload(actor=user, upload=SimpleUploadedFile(name, data))
        batch.refresh_from_db()
        return batch

    return send
