"""Many operators pressing Get Work at once: every item is handed out exactly once."""

import threading
from collections import Counter

import pytest
from django.db import connection

from peel.accounts.actions import do_create_user
from peel.core.testing import file_report
from peel.workqueue.actions import do_get_work
from peel.workqueue.models import WorkItem, WorkStatus

CLAIMERS = 8
ITEMS = 40


@pytest.mark.django_db(transaction=True)
def test_concurrent_claimers_never_receive_the_same_item() -> None:
    for _ in range(ITEMS):
        file_report()
    users = [
        do_create_user("test", f"op{i}", "pw-not-used-here", ["operator"]) for i in range(CLAIMERS)
    ]
    claimed: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(CLAIMERS)

    def claimer(user) -> None:
        try:
            start.wait()
            while True:
                item = do_get_work(user)
                if item is None:
                    return
                with lock:
                    claimed.append(item.pk)
                # Finish it so the next press draws a new item.
                WorkItem.objects.filter(pk=item.pk).update(status=WorkStatus.DONE)
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=claimer, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    duplicates = [pk for pk, n in Counter(claimed).items() if n > 1]
    assert duplicates == []
    assert len(claimed) == ITEMS
    assert set(claimed) == set(WorkItem.objects.values_list("pk", flat=True))
