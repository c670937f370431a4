#!/usr/bin/env python3
"""Builds services/NewsMonitor.Entities/Data/common-words.txt from ANERcorp *train* only.

A word that ANERcorp's annotators tagged O (outside any entity) at least twice and in at least half of its
occurrences is a common word: a gazetteer entry equal to it (اليوم, الوطن, أمل ...) would mark ordinary
text as a name, so the spotter skips such entries. Keys are folded like NewsMonitor.Text.ArabicNormalizer.
Usage: build/data/common-words.py ../shared/data/ner/anercorp/train.conll > services/NewsMonitor.Entities/Data/common-words.txt
"""
import os
import re
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arabic_keys import key  # noqa: E402


outside, total = Counter(), Counter()
with open(sys.argv[1], encoding="utf-8") as conll:
    for line in conll:
        parts = line.split()
        if len(parts) != 2 or parts[0] == "-DOCSTART-":
            continue
        word = key(parts[0])
        total[word] += 1
        if parts[1] == "O":
            outside[word] += 1

for word in sorted(w for w in total if outside[w] >= 2 and outside[w] * 2 >= total[w]):
    print(word)
