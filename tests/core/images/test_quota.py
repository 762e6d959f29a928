from __future__ import annotations

import pytest

from core.errors import PermanentError
from core.images.quota import QuotaExceeded, QuotaUsage, check_quota

MB = 1024 * 1024


def test_images_that_fit_are_allowed() -> None:
    usage = QuotaUsage(used_bytes=90 * MB, quota_bytes=100 * MB)
    check_quota(usage, 10 * MB)
    assert usage.free_bytes == 10 * MB
    assert usage.describe() == "90 MB of 100 MB used (90%)"


def test_images_that_do_not_fit_are_refused_with_the_way_out() -> None:
    usage = QuotaUsage(used_bytes=95 * MB, quota_bytes=100 * MB)
    with pytest.raises(QuotaExceeded) as caught:
        check_quota(usage, 6 * MB)
    error = caught.value
    assert isinstance(error, PermanentError)
    assert error.reason == "quota_exceeded"
    assert "95 MB of 100 MB used" in str(error) and "6 MB more" in str(error)
    assert "published products" in str(error)


def test_over_quota_accounts_report_sensibly() -> None:
    usage = QuotaUsage(used_bytes=120 * MB, quota_bytes=100 * MB)
    assert usage.free_bytes == 0
    assert usage.percent_used == 100.0
    check_quota(usage, 0)
    with pytest.raises(QuotaExceeded):
        check_quota(usage, 1)
    assert QuotaUsage(used_bytes=0, quota_bytes=0).percent_used == 100.0
