"""Precision, recall and speed of the threat flags (issues 9 and 14).

Run: ``.venv/bin/python bench/bench_flags.py`` from the repository's root. It prints the
Markdown tables kept in docs/benchmarks.md:
- the one threat reading (issue 14) on its labelled set (tests/data/threats_labelled_en.yaml,
  which the rules are tuned on), its dev set (tests/data/threats_dev_en.yaml, looked at now
  and then while the rules change, never tuned on) and its held-out set
  (tests/data/threats_heldout_en.yaml, written and committed before the rules were changed,
  never tuned on): precision and recall for threats of violence or death, then recall per
  sort of wording;
- per flag, on the flags' labelled set (tests/data/flags_labelled_en.yaml) and held-out set
  (tests/data/flags_heldout_en.yaml);
then the engine's speed in messages per second (CPU time of this process, best of five runs
over the labelled set's messages repeated to 20,000, and over its unflagged ones alone).

Score any threat set: ``.venv/bin/python bench/bench_flags.py --threat-set FILE`` prints the
threat reading's precision and recall on FILE, its recall per sort, every false alarm and
every miss. FILE is YAML: ``items``, each with ``text``, ``label`` (threat or none) and, for
threats, a ``sort`` (any names); the project's own sets (``messages`` with ``flags``/``kind``)
are read too.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from cairn.flags.engine import flag_text, load_rules
from cairn.flags.evaluate import Labelled, LabelledSetError, evaluate, load_labelled, scored_kinds
from cairn.flags.threats import THREAT

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


THREAT_SETS = {
    "labelled": "threats_labelled_en.yaml",
    "dev": "threats_dev_en.yaml",
    "held-out": "threats_heldout_en.yaml",
}


def threats_table() -> None:
    rules = load_rules()
    sets = {}
    for name, file in THREAT_SETS.items():
        path = DATA / file
        messages = load_labelled(path)
        scores, misses = evaluate(messages, rules, kinds=scored_kinds(path))
        missed = {m.text for m in misses if THREAT in m.expected and THREAT not in m.found}
        sets[name] = messages, scores[THREAT], missed
    print("| threats of violence or death | messages | threats | precision | recall |")
    print("|---|---|---|---|---|")
    for name, (messages, score, _) in sets.items():
        print(
            f"| {name} set | {len(messages)} | {score.labelled} | {score.precision:.2f} | "
            f"{score.recall:.2f} |"
        )
    kind = rules.kind(THREAT)
    print("\n| sort of wording | " + " | ".join(f"{name}: found" for name in sets) + " |")
    print("|---|" + "---|" * len(sets))
    for sort, label in kind.sort_labels:
        cells = []
        for messages, _, missed in sets.values():
            of_sort = [m for m in messages if m.sort == sort]
            found = sum(1 for m in of_sort if m.text not in missed)
            cells.append(f"{found} of {len(of_sort)}")
        print(f"| {sort} ({label}) | " + " | ".join(cells) + " |")
    print()


def threat_set_report(path: Path) -> str:
    """Precision, recall, recall per sort, the false alarms and the misses on one set."""
    messages = load_labelled(path)
    score, misses = evaluate(messages, load_rules(), kinds=frozenset({THREAT}))
    s = score[THREAT]
    lines = [
        f"{path.name}: {len(messages)} messages, {s.labelled} threats, "
        f"{len(messages) - s.labelled} not",
        f"precision {s.precision:.2f} ({s.true_positives} of "
        f"{s.true_positives + s.false_positives} raised are threats)",
        f"recall {s.recall:.2f} ({s.true_positives} of {s.labelled} threats found)",
        "recall per sort:",
    ]
    missed = {m.text for m in misses if THREAT in m.expected and THREAT not in m.found}
    sorts: dict[str, list[Labelled]] = {}
    for message in messages:
        if THREAT in message.flags:
            sorts.setdefault(message.sort or "(no sort)", []).append(message)
    for sort, of_sort in sorts.items():
        found = sum(1 for m in of_sort if m.text not in missed)
        lines.append(f"  {sort}: {found} of {len(of_sort)} ({found / len(of_sort):.2f})")
    alarms = [m.text for m in misses if THREAT in m.found and THREAT not in m.expected]
    lines.append(f"false alarms ({len(alarms)}):")
    lines.extend(f"  - {text}" for text in alarms)
    lines.append(f"missed threats ({len(missed)}):")
    lines.extend(f"  - [{m.sort or '?'}] {m.text}" for m in messages if m.text in missed)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--threat-set",
        type=Path,
        metavar="FILE",
        help="score the threat reading on this YAML set and stop",
    )
    args = parser.parse_args()
    if args.threat_set:
        try:
            print(threat_set_report(args.threat_set))
        except LabelledSetError as exc:
            sys.exit(f"error: {exc}")
        return
    threats_table()
    rules = load_rules()
    labelled = load_labelled(DATA / "flags_labelled_en.yaml")
    held_out = load_labelled(DATA / "flags_heldout_en.yaml")
    scores, _ = evaluate(labelled, rules)
    held, _ = evaluate(held_out, rules)
    print(
        f"Labelled set: {len(labelled)} messages ({sum(1 for m in labelled if not m.flags)} "
        f"with no flag); held-out set: {len(held_out)} messages. Rules: "
        f"{rules.language} version {rules.version}.\n"
    )
    print(
        "| flag | labelled: messages | precision | recall | held-out: messages | precision "
        "| recall |"
    )
    print("|---|---|---|---|---|---|---|")
    for kind in rules.kinds:
        s, h = scores[kind.key], held[kind.key]
        print(
            f"| {kind.label} (`{kind.key}`) | {s.labelled} | {s.precision:.2f} | "
            f"{s.recall:.2f} | {h.labelled} | {h.precision:.2f} | {h.recall:.2f} |"
        )
    print(
        f"\nSpeed: {speed(labelled):,.0f} messages/s over the labelled messages; "
        f"{speed([m for m in labelled if not m.flags]):,.0f} messages/s over those "
        "with no flag (CPU time, best of five)."
    )


if __name__ == "__main__":
    main()
