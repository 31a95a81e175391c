"""The STATUS text written again against the clock (dockui.format): pure parsing, no engine."""

from __future__ import annotations

import random

from dockui import format as fmt


def test_human_duration_speaks_as_the_docker_cli():
    cases = {0.4: "Less than a second", 1.2: "1 second", 59.9: "59 seconds", 60: "About a minute", 119: "About a minute",
             120: "2 minutes", 3599: "59 minutes", 3600: "About an hour", 5399: "About an hour", 5400: "2 hours",
             47 * 3600: "47 hours", 48 * 3600: "2 days", 14 * 86400: "2 weeks", 60 * 86400: "2 months", 731 * 86400: "2 years"}
    for secs, words in cases.items():
        assert fmt.human_duration(secs) == words, secs


def test_status_reads_back_as_listed_then_follows_the_clock():
    rnd = random.Random(24)
    for _ in range(1500):
        d = rnd.choice([rnd.uniform(0, 120), rnd.uniform(0, 7200), rnd.uniform(0, 4e5), rnd.uniform(0, 1e8)])
        now = 1.8e9 + rnd.random()
        for prefix, suffix in (("Up ", ""), ("Up ", " (healthy)"), ("Up ", " (Paused)"), ("Exited (137) ", " ago"), ("Restarting (1) ", " ago")):
            listed = prefix + fmt.human_duration(d) + suffix
            row = {"Status": listed, "StatusSince": fmt.status_since(listed, now)}
            assert fmt.status(row, now) == listed  # at the moment it was read: the engine's words
    # later, without any new read: the words move on ("Up 2 seconds" was shown 50 s later before)
    row = {"Status": "Up 2 seconds", "StatusSince": fmt.status_since("Up 2 seconds", 1000.0)}
    assert fmt.status(row, 1050.0) == "Up 52 seconds"
    assert fmt.status(row, 1000.0 + 3 * 60) == "Up 3 minutes"
    row = {"Status": "Exited (0) 5 minutes ago", "StatusSince": fmt.status_since("Exited (0) 5 minutes ago", 1000.0)}
    assert fmt.status(row, 1000.0 + 3600) == "Exited (0) About an hour ago"


def test_statuses_without_a_duration_stay_as_they_are():
    for listed in ("Created", "Dead", "Removal In Progress", "", "Up", "weird [bold]x[/]"):
        assert fmt.status_since(listed, 1000.0) is None
        assert fmt.status({"Status": listed, "StatusSince": None}, 2000.0) == listed


def test_the_same_words_read_again_give_the_same_instant_mostly():
    """From a minute on, re-reading unchanged words does not look like a change to the store."""
    same = sum(fmt.status_since("Up 3 hours", 10_000.0 + t) == fmt.status_since("Up 3 hours", 10_000.0) for t in range(0, 600, 10))
    assert same >= 50  # of 60 reads over 10 minutes
