"""Attack: a colleague who knows their own answer reads the others' from a small or unanimous count.

A team of exactly the minimum group (five) answers a pulse. When all five answer alike, any figure of
it tells each of them what the four others said ("5 · 0 · 0 · 0 · 0", a mood of 1.0, 0% yes); when one
dissents, the counts and the mean tell the dissenter ("4 · 0 · 0 · 0 · 1" and 1.8 to the one who gave
the 5; "1 yes, 4 no"; eNPS −60 with one promoter). The attacker, who gave the last answer of each list,
reads every view a figure of the week reaches — the weekly digest (text and blocks), `/pulse digest`,
App Home, `pulsebot report`, `pulsebot export` and the share with the team — and must learn nothing
beyond how many answered. The same for "Is this helping?" in the team's channel.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta

import pytest

from pulsebot.slack.digest import send_digests
from tests.attack_steps import every_view
from tests.conftest import MANAGER, PULSE_CHANNEL
from tests.crowd import CROWD
from tests.loop.share_steps import block_texts, last_week, on_tuesday, submit_share
from tests.loop.test_is_this_helping import answer, helping_posts, run_sweep, shared_action
from tests.pulse_data import make_team, merge, people, run_week, scores

NOW = datetime.now(UTC)
TEAM = people(5)  # exactly PULSEBOT_MIN_GROUP
ATTACKER = TEAM[-1]

# Per team: the answers of the five (the attacker's last) to the 1–5, eNPS and yes/no questions, and
# what any of those figures would tell the attacker (the spread, the mean, the share, the eNPS).
TEAMS = {
    "unanimous": (
        [1, 1, 1, 1, 1],
        [3, 3, 3, 3, 3],
        [0, 0, 0, 0, 0],
        ["5 · 0 · 0 · 0 · 0", "1.0", "0 yes, 5 no", " 0% yes", "-100", "−100", "0 promoters"],
    ),
    "one dissenter": (
        [1, 1, 1, 1, 5],
        [3, 3, 3, 3, 10],
        [0, 0, 0, 0, 1],
        ["4 · 0 · 0 · 0 · 1", "1.8", "1 yes, 4 no", "20% yes", "-60", "−60", "1 promoters"],
    ),
}


@pytest.fixture(params=list(TEAMS))
def team(request, sessions):
    workload, enps, focus = TEAMS[request.param][:3]
    make_team(sessions, managers=(MANAGER,), now=NOW - timedelta(days=60))
    run_week(
        sessions,
        survey="team-pulse",
        opened=NOW - timedelta(days=7),  # always in the last complete week
        audience=TEAM,
        answers=merge(
            scores(TEAM, workload),
            scores(TEAM, enps, question="enps"),
            scores(TEAM, focus, question="focus"),
        ),
    )
    return TEAMS[request.param][3]


def test_no_view_of_the_week_tells_a_member_how_the_others_answered(
    team, slack, fake_slack, sessions, client, settings, cli_env, tmp_path
):
    send_digests(client, sessions, settings, now=NOW, survey_name="team-pulse")
    (weekly,) = fake_slack.posts_to(MANAGER)
    views = every_view(slack, fake_slack, cli_env, tmp_path, user=MANAGER, survey="team-pulse")
    fake_slack.reset_calls()
    submit_share(slack, week=last_week(NOW))
    fake_slack.wait_for("chat.postMessage", 2)
    (share,) = fake_slack.posts_to(PULSE_CHANNEL)
    views |= {
        "weekly digest text": weekly["text"],
        "weekly digest blocks": block_texts(weekly["blocks"]),
        "share text": share["text"],
        "share blocks": block_texts(share["blocks"]),
    }

    told = {name: [figure for figure in team if figure in text] for name, text in views.items()}
    assert {name: figures for name, figures in told.items() if figures} == {}
    # The week itself is shown, and says how many answered each question and why no more.
    assert "5 of 5" in views["report"] and "5 of 5" in views["weekly digest blocks"]
    for name in ("report", "digest", "weekly digest blocks"):
        assert views[name].count("5 answered, too alike to show") == 3, name
    (row,) = [row for row in csv.DictReader(views["export"].splitlines()) if row["status"] == "shown"]
    assert (row["respondents"], row["mood"], row["enps"]) == ("5", "", "")
    assert row["q_workload"] == row["q_enps"] == row["q_focus"] == ""


@pytest.mark.parametrize(
    ("choices", "told"),
    [
        (["no"] * 5, ["5 no", "0 yes"]),
        (["no", "no", "no", "no", "yes"], ["1 yes", "4 no"]),
    ],
    ids=["unanimous", "one dissenter"],
)
def test_is_this_helping_tells_no_member_how_the_others_answered(
    choices, told, crowd, client, sessions, settings, fake_slack
):
    assert settings.min_group == len(choices)
    shared_action(sessions)
    now = datetime.now(UTC)
    run_sweep(client, sessions, settings, at=now)
    check_id = int(helping_posts(fake_slack)[0]["blocks"][1]["elements"][0]["value"].split(":")[0])
    for person, choice in zip(CROWD, choices, strict=False):
        answer(crowd, check_id, person, choice)
    crowd.wait_pending(len(choices))
    crowd.mixer.flush()
    fake_slack.wait_for("response_url", len(choices))

    run_sweep(client, sessions, settings, at=now + timedelta(days=8))

    (update,) = fake_slack.calls_to("chat.update")
    shown = update["text"] + block_texts(update["blocks"])
    assert [figure for figure in told if figure in shown] == []
    assert "5 answered; the answers are not shown" in update["text"]


@pytest.mark.parametrize(
    ("choices", "counts"),
    [
        (["no", "no", "no", "yes", "yes"], "2 yes, 0 not yet, 3 no"),
        (["no", "no", "no", "yes", "not_yet"], "1 yes, 1 not yet, 3 no"),
    ],
)
def test_a_round_whose_counts_leave_every_member_in_doubt_shows_them(
    choices, counts, crowd, client, sessions, settings, fake_slack
):
    shared_action(sessions)
    now = datetime.now(UTC)
    run_sweep(client, sessions, settings, at=now)
    check_id = int(helping_posts(fake_slack)[0]["blocks"][1]["elements"][0]["value"].split(":")[0])
    for person, choice in zip(CROWD, choices, strict=False):
        answer(crowd, check_id, person, choice)
    crowd.wait_pending(len(choices))
    crowd.mixer.flush()
    fake_slack.wait_for("response_url", len(choices))

    run_sweep(client, sessions, settings, at=now + timedelta(days=8))

    (update,) = fake_slack.calls_to("chat.update")
    assert f"5 answered: {counts}." in update["text"]


def test_a_member_who_answered_both_runs_of_a_week_reads_nothing_from_their_two_answers(
    slack, fake_slack, sessions, cli_env, tmp_path
):
    # Two pulses in one week, each answered by the same five: the attacker gave the only 5 in both, so
    # "0 · 0 · 0 · 8 · 2" (or a mood of 4.2) would tell them the four others gave 4 twice.
    make_team(sessions, managers=(MANAGER,), now=NOW - timedelta(days=60))
    tuesday = on_tuesday(last_week(NOW))
    for opened in (tuesday, tuesday + timedelta(days=1)):
        run_week(
            sessions, survey="team-pulse", opened=opened, audience=TEAM, answers=scores(TEAM, [4] * 4 + [5])
        )

    views = every_view(slack, fake_slack, cli_env, tmp_path, user=MANAGER, survey="team-pulse")

    told = {
        name: [figure for figure in ("0 · 0 · 0 · 8 · 2", "4.2") if figure in text]
        for name, text in views.items()
    }
    assert {name: figures for name, figures in told.items() if figures} == {}
    assert "10 answered, too alike to show" in views["report"] and "5 of 5" in views["report"]
