"""A serving process starts all of Bolt's listener threads before the first click, so a burst of clicks
starts none in the acks' path."""

import threading

from pulsebot.slack.app import warm_listeners


def listener_threads() -> set[str]:
    return {thread.name for thread in threading.enumerate() if thread.name.startswith("listener")}


def test_every_listener_thread_is_running_before_any_work_arrives():
    before = listener_threads()
    pool = warm_listeners(12)
    try:
        started = listener_threads() - before
        assert len(started) == 12
        done = [pool.submit(lambda n=n: n * n) for n in range(50)]
        assert sorted(f.result(timeout=5) for f in done) == [n * n for n in range(50)]
        assert listener_threads() - before == started  # the work started no thread of its own
    finally:
        pool.shutdown(wait=True)
