"""Benchmark: does attrib learn style, or signatures?

On the development corpus (the 5 bundled seeds plus ``../shared/corpus-dev``: 92 documents),
stratified 5-fold cross-validation (seed 0, the same folds for every row), macro-F1 of:

* the plain pipeline: char_wb 2-5 + word 1-2 TF-IDF (sublinear tf), LinearSVC, no cleaning,
  on the raw text and on the text with the outlet names crudely deleted;
* attrib under each ``--mask`` mode (``signatures`` is the default).

Then trains attrib's default model on all 92 documents and checks its top 50 features per outlet
for outlet names, aliases, domains and page-chrome tokens.

    python bench/masking.py
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

sys.path.insert(0, str(Path(__file__).parent))

from devcorpus import dev_corpus

import attrib
from attrib.evaluation.republished import plain_pipeline
from attrib.explanation.explain import top_features
from attrib.presentation.terminal import visible

FOLDS = StratifiedKFold(5, shuffle=True, random_state=0)
CRUDE_NAMES = re.compile(r"Sputnik|TASS|Press ?TV|Russia Today|\bRT\b")
# Lower-case fragments that only a name, alias, domain or rt.com/presstv.ir chrome would give.
SIGNATURE_FRAGMENTS = (
    "sputn", "putni", "utnik", "tass", "press tv", "presst", "esstv", "russia tod", "ruptly",
    "icon", "chevr", "roku", "www", ".com", ".ir", "http", "share this", "read more",
)  # fmt: skip
RT_TOKEN = re.compile(r"(^|[\s(/])rt($|[\s)/'’.,])")


def is_signature(feature: attrib.explanation.explain.Feature) -> bool:
    ngram = feature.ngram.lower()
    return any(f in ngram for f in SIGNATURE_FRAGMENTS) or bool(RT_TOKEN.search(ngram))


def main() -> None:
    corpus = attrib.load_corpus(dev_corpus())
    texts, labels = corpus.texts, corpus.labels
    sizes = {outlet: stats.documents for outlet, stats in corpus.stats().items()}
    print(f"corpus: {len(texts)} documents, {sizes}")
    print("stratified 5-fold (seed 0), macro-F1:")

    for name, inputs in [
        ("plain pipeline, raw text", texts),
        ("plain pipeline, names crudely deleted", [CRUDE_NAMES.sub("", t) for t in texts]),
    ]:
        start = time.perf_counter()
        predicted = cross_val_predict(plain_pipeline(), inputs, labels, cv=FOLDS)
        score = f1_score(labels, predicted, average="macro")
        print(f"  {name:45s} {score:.3f}   ({time.perf_counter() - start:.1f} s)")

    for mask in ("none", "signatures", "distort"):
        start = time.perf_counter()
        report = attrib.evaluate(corpus, folds=5, seed=0, permutations=0, mask=mask)
        label = f"attrib --mask {mask}" + (" (default)" if mask == "signatures" else "")
        print(f"  {label:45s} {report.macro_f1:.3f}   ({time.perf_counter() - start:.1f} s)")

    model = attrib.train(corpus)
    top = top_features(model, 50)
    flagged = {o: [f for f in found if is_signature(f)] for o, found in top.items()}
    print("\nattrib default, trained on all documents: top 50 features per outlet")
    for outlet, found in top.items():
        print(
            f"  {outlet:8s} signature-like: {len(flagged[outlet])}   first 12: "
            + ", ".join(visible(f.name) for f in found[:12])
        )
        for feature in flagged[outlet]:
            print(f"           flagged: {visible(feature.name)}")
    kinds = {}
    for found in top.values():
        for feature in found:
            kinds[feature.kind] = kinds.get(feature.kind, 0) + 1
    print(f"  kinds among the top 50s: {kinds}")


if __name__ == "__main__":
    main()
