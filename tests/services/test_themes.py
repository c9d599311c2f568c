"""Themes of a week's comments: common keywords and phrases, never a colleague's name."""

from pulsebot.services.results.themes import common_themes, mentions

COMMENTS = [
    "Too many meetings this week, and the workload is crazy.",
    "Workload is heavy; I spent the week in meetings with Priya.",
    "The code review queue is slow. Priya is on leave.",
    "Code reviews take forever and the workload keeps growing.",
    "Great team lunch! <@U0ALICE> organised it, thanks @bob.",
    "Deadlines are unrealistic, workload too high.",
    "Release went smoothly, good code review culture.",
]


def test_the_most_mentioned_phrases_come_first_counted_once_per_comment():
    themes = common_themes(COMMENTS)

    assert [(theme.phrase, theme.comments) for theme in themes] == [
        ("workload", 4),
        ("code review", 3),
        ("meetings", 2),
    ]


def test_names_mentions_and_one_off_words_are_never_themes():
    phrases = {theme.phrase for theme in common_themes([*COMMENTS, "Priya helped a lot. Thanks Priya!"])}

    assert not phrases & {"priya", "Priya", "bob", "alice", "u0alice"}
    assert "lunch" not in phrases  # one comment is not a theme


def test_a_phrase_stands_for_its_words_when_it_carries_most_of_their_mentions():
    comments = [
        "The ticket backlog grows.",
        "Ticket backlog again!",
        "Another ticket escalated.",
        "Backlogs.",
    ]

    assert [t.phrase for t in common_themes(comments)] == ["ticket backlog"]


def test_mentions_matches_singular_and_plural():
    assert mentions("Endless meetings", "meeting")
    assert mentions("Code reviews are slow", "code review")
    assert not mentions("Code is slow to review", "code review")


def test_themes_name_things_not_how_people_feel_about_them():
    # The demo's week: "confusing" came second to nothing but the backlog, as if it were a subject.
    comments = [
        "The refund process is confusing and slow.",
        "The refund process is confusing, customers call twice.",
        "Slow tools again, everything is slow.",
        "I am exhausted and overloaded.",
        "Exhausted after the weekend shifts.",
        "Weekend shifts are really stressful.",
        "Really stressful week with the ticket backlog.",
        "The ticket backlog is overwhelming.",
    ]

    phrases = [theme.phrase for theme in common_themes(comments)]

    assert phrases == ["refund process", "ticket backlog", "weekend shifts"]
