"""Draws the defense/international labelling sample from the ASND and SIB-200 *train* splits (never dev or test).

Procedure (fixed, re-runnable): random.Random(18) shuffles each pool's row numbers, the first n are kept.
Pools: ASND train rows labelled politics or crime-war-conflict (n=90: where defense and international news
concentrate, so that positives are not too rare), ASND train rows with any other label (n=60), SIB-200 train (n=50).
Items are then interleaved in a fixed order by the same generator, and the first 140 are the fitting part, the last 60
the evaluation part (held apart: never used to fit).
usage: python3 sample.py ../../../../shared/data/topics > sample.tsv
"""
import csv, random, sys

root = sys.argv[1]
rng = random.Random(18)
csv.field_size_limit(10**9)

def read(path, delimiter, text, label):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=delimiter))
    return [(r[text].replace("\t", " ").replace("\r", " ").replace("\n", " ").strip(), r[label].strip()) for r in rows]

asnd = read(f"{root}/asnd/train.csv", ",", "Content", "Class")
sib = read(f"{root}/sib200/train.tsv", "\t", "text", "category")
pools = [
    ("asnd", [i for i, (_, l) in enumerate(asnd) if l in ("politics", "crime-war-conflict")], 90, asnd),
    ("asnd", [i for i, (_, l) in enumerate(asnd) if l not in ("politics", "crime-war-conflict")], 60, asnd),
    ("sib200", list(range(len(sib))), 50, sib),
]
items = []
for name, indices, n, rows in pools:
    rng.shuffle(indices)
    items += [(name, i, rows[i][1], rows[i][0]) for i in indices[:n]]
rng.shuffle(items)
print("item\tpart\tdataset\trow\tdataset_label\ttext")
for k, (name, i, label, text) in enumerate(items):
    print(f"{k}\t{'fit' if k < 140 else 'eval'}\t{name}\t{i}\t{label}\t{text}")
