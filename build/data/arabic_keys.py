"""Key folding shared by the data scripts; the same rules as NewsMonitor.Text.ArabicNormalizer for Arabic letters."""
import re

DIACRITICS = re.compile("[\u064B-\u065F\u0670\u0640\u06D6-\u06ED\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]")
FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي", "ی": "ي", "ک": "ك"})


def key(word: str) -> str:
    return DIACRITICS.sub("", word).translate(FOLD).lower()
