"""Two writes of one participant at once, in days that share an eight-week block.

Each dose entry written upserts its block (dose_block's trigger), which locks the block's
row until commit; each write's audit event takes the participant's chain lock. A phone's
sync writes several days in one transaction: its first day's block row, then the chain
lock, then its next day's block row. Had the trigger locked the block before the chain,
a write of another day of that block arriving in between would hold the block row and
want the chain while the sync held the chain and wanted the row: a deadlock, and one of
the two a 503. The trigger takes the chain lock first, so the two only queue.
"""

import threading
import time
from datetime import UTC, datetime

import pytest

from diary.extensions import db
from diary.operations import doses
from tests.api.dose_helpers import MY_DOSES, MY_SYNC, taken
from tests.api.races import someone_waits_on_a_lock
from tests.factories import auth, make_participant, token_for

FROZEN_AT = datetime(2026, 5, 15, 3, tzinfo=UTC)
pytestmark = [pytest.mark.usefixtures("clock"), pytest.mark.postgres_only]


def test_a_sync_and_a_write_in_the_same_block_queue_and_both_land(committed_app, monkeypatch):
    with committed_app.app_context():
        patient = make_participant(enrolled="2026-03-01", tz="Asia/Seoul")
        headers = auth(token_for(patient, hours=24 * 90))
        db.session.remove()
    first_audited = threading.Event()
    record = doses.record_audit
    local = threading.local()

    def record_then_wait_for_the_other_write(*args, **kwargs):
        # The sync's first day audited (it holds the chain): hold still until the other
        # write is waiting on a lock, then go on to the sync's second day.
        record(*args, **kwargs)
        if getattr(local, "pause", False):
            local.pause = False
            first_audited.set()
            limit = time.monotonic() + 10
            while not someone_waits_on_a_lock(committed_app):
                assert time.monotonic() < limit, "the other write never waited"
                time.sleep(0.05)

    monkeypatch.setattr(doses, "record_audit", record_then_wait_for_the_other_write)
    answers = {}

    def sync():
        local.pause = True
        response = committed_app.test_client().post(
            MY_SYNC, json={"entries": [taken("2026-03-05"), taken("2026-05-01")]},
            headers=headers)
        answers["sync"] = response.status_code

    def write():
        first_audited.wait(10)
        response = committed_app.test_client().post(MY_DOSES, json=taken("2026-04-30"),
                                                     headers=headers)
        answers["write"] = response.status_code

    threads = [threading.Thread(target=sync), threading.Thread(target=write)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == {"sync": 200, "write": 201}
