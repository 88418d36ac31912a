"""The types of n-gram features (after Sapkota et al. 2015), and which read as style or topic.

Plain data, so that presentation can name them without importing the explanation's machinery.
"""

from __future__ import annotations

STYLE_TYPES = ("punctuation", "prefix", "suffix", "shape")
TOPIC_TYPES = ("whole word", "mid-word", "word n-gram")
TYPES = STYLE_TYPES + TOPIC_TYPES
