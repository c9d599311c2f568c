"""Acks first: a listener's work after its ack waits while another request still waits for its ack."""

import threading

from pulsebot.slack import acks_first as acks_first_module
from pulsebot.slack.acks_first import AckGate, acks_first


def test_work_after_an_ack_waits_until_no_request_is_waiting_for_its_ack(monkeypatch):
    monkeypatch.setattr(acks_first_module, "MOST_DEFERRED", 60.0)  # only the other ack may release it
    gate = AckGate()
    done: list[str] = []

    def listener(ack):
        ack()
        done.append("after-ack work")

    run = acks_first(listener, gate)
    other_request = gate.request()
    other_request.__enter__()  # another click is still waiting for its ack
    worker = threading.Thread(target=run, kwargs={"ack": lambda: done.append("ack")})
    worker.start()
    worker.join(0.2)
    assert done == ["ack"]

    other_request.__exit__(None, None, None)  # ...and now it has had it
    worker.join(5)
    assert done == ["ack", "after-ack work"]


def test_a_listener_without_an_ack_runs_as_it_is():
    gate = AckGate()
    with gate.request():
        assert acks_first(lambda event: event["n"] + 1, gate)(event={"n": 1}) == 2
