#!/usr/bin/env python3
"""Builds services/NewsMonitor.Text/Data/lexicon.tsv: the word list the clitic segmenter validates against.

Sources (train/dev-safe): ANERcorp *train* tokens, the ANERGazet gazetteers, the stop-word lists and the
sample corpus, all in ../shared/data and ../shared/corpus. Keys are folded like ArabicNormalizer
(the service folds them again on load, so small differences cannot break anything). Each line is
`key<TAB>count<TAB>flags` where flags has `n` for a gazetteer name and `s` for a stop word.
Usage: build/data/lexicon.py ../shared > services/NewsMonitor.Text/Data/lexicon.tsv
"""
import os
import re
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arabic_keys import key  # noqa: E402

shared = sys.argv[1]
WORD = re.compile(r"[\u0621-\u064A\u0660-\u0669\u066E-\u06D3\u06FA-\u06FF\u0640\u064B-\u065F\u0670]+")


counts, flags = Counter(), {}

with open(os.path.join(shared, "data/ner/anercorp/train.conll"), encoding="utf-8") as conll:
    for line in conll:
        parts = line.split()
        if len(parts) == 2 and parts[0] != "-DOCSTART-":
            for word in WORD.findall(parts[0]):
                counts[key(word)] += 1

sample = os.path.join(shared, "corpus/sample")
for name in sorted(os.listdir(sample)):
    if name.endswith(".txt"):
        with open(os.path.join(sample, name), encoding="utf-8") as text:
            for word in WORD.findall(text.read()):
                counts[key(word)] += 1

for name in ("PersGazetteer.txt", "LocGazetteer.txt", "OrgGazetteer.txt"):
    with open(os.path.join(shared, "data/ner/gazetteers", name), encoding="utf-8") as gazetteer:
        for line in gazetteer:
            for word in WORD.findall(line):
                k = key(word)
                if len(k) >= 3:
                    counts[k] += 1
                    flags[k] = flags.get(k, "") .replace("n", "") + "n"

for name in ("mohataher_list.txt", "ite5th_stop_words.txt"):
    with open(os.path.join(shared, "data/stopwords", name), encoding="utf-8") as stop:
        for line in stop:
            word = line.strip()
            if WORD.fullmatch(word or "-"):
                k = key(word)
                counts[k] += 1
                flags[k] = flags.get(k, "").replace("s", "") + "s"

for k in sorted(counts):
    print(f"{k}\t{counts[k]}\t{flags.get(k, '')}")
