"""Precision, recall and speed of the threat flags (issue 9).

Run: ``.venv/bin/python bench/bench_flags.py`` from the repository's root. It prints the
Markdown table kept in docs/benchmarks.md: per flag, on the labelled set
(tests/data/flags_labelled_en.yaml, the one the tests hold to the issue's bar) and on the
held-out set (tests/data/flags_heldout_en.yaml, written after the rules were last changed),
then the engine's speed in messages per second (CPU time of this process, best of five runs
over the labelled set's messages repeated to 20,000, and over its unflagged ones alone).
"""

from __future__ import annotations

import time
from pathlib import Path

from cairn.flags.engine import flag_text, load_rules
from cairn.flags.evaluate import Labelled, evaluate, load_labelled

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
RUNS = 5
COUNT = 20_000


def speed(messages: list[Labelled]) -> float:
    rules = load_rules()
    texts = [m.text for m in messages]
    texts = (texts * (COUNT // len(texts) + 1))[:COUNT]
    best = float("inf")
    for _ in range(RUNS):
        start = time.process_time()
        for text in texts:
            flag_text(text, rules)
        best = min(best, time.process_time() - start)
    return COUNT / best


def main() -> None:
    rules = load_rules()
    labelled = load_labelled(DATA / "flags_labelled_en.yaml")
    held_out = load_labelled(DATA / "flags_heldout_en.yaml")
    scores, _ = evaluate(labelled, rules)
    held, _ = evaluate(held_out, rules)
    print(f"Labelled set: {len(labelled)} messages ({sum(1 for m in labelled if not m.flags)} "
          f"with no flag); held-out set: {len(held_out)} messages. Rules: "
          f"{rules.language} version {rules.version}.\n")
    print("| flag | labelled: messages | precision | recall | held-out: messages | precision "
          "| recall |")
    print("|---|---|---|---|---|---|---|")
    for kind in rules.kinds:
        s, h = scores[kind.key], held[kind.key]
        print(f"| {kind.label} (`{kind.key}`) | {s.labelled} | {s.precision:.2f} | "
              f"{s.recall:.2f} | {h.labelled} | {h.precision:.2f} | {h.recall:.2f} |")
    print(f"\nSpeed: {speed(labelled):,.0f} messages/s over the labelled messages; "
          f"{speed([m for m in labelled if not m.flags]):,.0f} messages/s over those "
          "with no flag (CPU time, best of five).")


if __name__ == "__main__":
    main()
