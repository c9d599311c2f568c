"""How well pulsebot's comment sentiment agrees with people, next to plain TextBlob and plain VADER.

Reads the human-rated sets published with the VADER paper (Hutto & Gilbert, ICWSM 2014): one snippet a
line, `id <TAB> mean human rating (-4 … +4) <TAB> text`. Prints a Markdown table.

    .venv/bin/python benchmarks/sentiment.py [--data DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from textblob import TextBlob
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from pulsebot.services.results.sentiment import NEGATIVE_FROM, POSITIVE_FROM, score_text

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "sentiment"

# file name -> (label in the table, Pearson r VADER reached in the paper's Table 3)
DATASETS = {
    "tweets_GroundTruth.txt": ("tweets", 0.881),
    "amazonReviewSnippets_GroundTruth.txt": ("Amazon review snippets", 0.565),
}

# A snippet whose raters averaged within half a point of 0 on the nine-point -4 … +4 scale counts as
# neutral: one rater in eight leaning one way does not make a sentence opinionated.
HUMAN_NEUTRAL_WITHIN = 0.5
HUMAN_SCALE = 4.0


@dataclass(frozen=True)
class Snippet:
    human_mean: float
    text: str


def read_snippets(path: Path) -> list[Snippet]:
    snippets = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("\t", 2)
        if len(fields) != 3:
            raise ValueError(f"{path}:{line_no}: expected id, rating and text separated by tabs")
        rating = float(fields[1])
        if not -HUMAN_SCALE <= rating <= HUMAN_SCALE:
            raise ValueError(f"{path}:{line_no}: rating {rating} is outside -4 … +4")
        snippets.append(Snippet(human_mean=rating, text=fields[2]))
    return snippets


def human_class(mean: float) -> int:
    if mean >= HUMAN_NEUTRAL_WITHIN:
        return 1
    if mean <= -HUMAN_NEUTRAL_WITHIN:
        return -1
    return 0


def machine_class(score: float) -> int:
    # The same cut-offs pulsebot labels with, so the analysers are compared on equal terms.
    if score >= POSITIVE_FROM:
        return 1
    if score <= NEGATIVE_FROM:
        return -1
    return 0


def agreement(humans: list[float], scores: list[float]) -> float:
    same = sum(human_class(h) == machine_class(s) for h, s in zip(humans, scores, strict=True))
    return same / len(humans)


@dataclass(frozen=True)
class Result:
    name: str
    size: int
    paper_vader_r: float
    textblob_r: float
    vader_r: float
    pulsebot_r: float
    textblob_agreement: float
    vader_agreement: float
    pulsebot_agreement: float
    pulsebot_texts_per_second: float


def measure(
    name: str, paper_vader_r: float, snippets: list[Snippet], vader: SentimentIntensityAnalyzer
) -> Result:
    humans = [snippet.human_mean for snippet in snippets]
    texts = [snippet.text for snippet in snippets]
    textblob_scores = [TextBlob(text).sentiment.polarity for text in texts]
    vader_scores = [vader.polarity_scores(text)["compound"] for text in texts]
    started = time.perf_counter()
    pulsebot_scores = [score_text(text).score for text in texts]
    elapsed = time.perf_counter() - started
    return Result(
        name=name,
        size=len(snippets),
        paper_vader_r=paper_vader_r,
        textblob_r=statistics.correlation(humans, textblob_scores),
        vader_r=statistics.correlation(humans, vader_scores),
        pulsebot_r=statistics.correlation(humans, pulsebot_scores),
        textblob_agreement=agreement(humans, textblob_scores),
        vader_agreement=agreement(humans, vader_scores),
        pulsebot_agreement=agreement(humans, pulsebot_scores),
        pulsebot_texts_per_second=len(texts) / elapsed,
    )


def markdown_table(results: list[Result]) -> str:
    header = (
        "| set | snippets | r TextBlob | r VADER 3.3.2 | r pulsebot | r VADER (paper) "
        "| 3-class TextBlob | 3-class VADER 3.3.2 | 3-class pulsebot | pulsebot texts/s |"
    )
    rows = [header, "|" + " --- |" * 10]
    for result in results:
        rows.append(
            f"| {result.name} | {result.size:,} | {result.textblob_r:.3f} | {result.vader_r:.3f} "
            f"| **{result.pulsebot_r:.3f}** | {result.paper_vader_r:.3f} "
            f"| {result.textblob_agreement:.1%} | {result.vader_agreement:.1%} "
            f"| **{result.pulsebot_agreement:.1%}** | {result.pulsebot_texts_per_second:,.0f} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help=f"folder holding the *_GroundTruth.txt files (default: {DEFAULT_DATA})",
    )
    args = parser.parse_args(argv)

    missing = [name for name in DATASETS if not (args.data / name).is_file()]
    if missing:
        print(f"{args.data}: missing {', '.join(missing)}", file=sys.stderr)
        return 2

    score_text("warm up")  # load both lexicons before the clock starts
    vader = SentimentIntensityAnalyzer()
    results = [
        measure(name, paper_r, read_snippets(args.data / file_name), vader)
        for file_name, (name, paper_r) in DATASETS.items()
    ]

    print(markdown_table(results))
    print()
    print(
        "r: Pearson correlation with the mean human rating. 3-class: share of snippets in the same class "
        f"as the raters, a human mean within ±{HUMAN_NEUTRAL_WITHIN} of 0 (on -4 … +4) counting as "
        f"neutral and a score within ({NEGATIVE_FROM}, {POSITIVE_FROM}) counting as neutral for every "
        "analyser. texts/s: pulsebot's score_text, one text at a time, on this machine."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
