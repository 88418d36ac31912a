"""Drawing an evaluation's confusion matrix (needs the optional matplotlib)."""

from __future__ import annotations

import io
import os

from attrib.errors import AttribError
from attrib.evaluation.evaluate import Evaluation
from attrib.outlets import display_name
from attrib.storage.files import write_atomically


def plot_confusion(evaluation: Evaluation, path: str | os.PathLike[str]) -> None:
    """Write the confusion matrix of ``evaluation`` to an image file (PNG by its extension)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [display_name(label) for label in evaluation.confusion["labels"]]
    matrix = evaluation.confusion["matrix"]
    figure, axes = plt.subplots(figsize=(1.2 * len(names) + 2, 1.2 * len(names) + 1.5))
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(names)), names, rotation=30, ha="right")
    axes.set_yticks(range(len(names)), names)
    axes.set_xlabel("predicted outlet")
    axes.set_ylabel("true outlet")
    top = max(max(row) for row in matrix) or 1
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            colour = "white" if count > top / 2 else "black"
            axes.text(j, i, str(count), ha="center", va="center", color=colour)
    axes.set_title(
        f"{evaluation.scheme}: accuracy {evaluation.accuracy:.2f}, ceiling {evaluation.ceiling:.2f}"
    )
    figure.tight_layout()
    image = io.BytesIO()
    try:
        kind = os.path.splitext(os.fspath(path))[1].lstrip(".").lower() or "png"
        figure.savefig(image, dpi=120, format=kind)
    except ValueError as error:  # an extension matplotlib cannot draw
        raise AttribError(f"cannot write the plot to {os.fspath(path)}: {error}") from None
    finally:
        plt.close(figure)
    write_atomically(path, image.getvalue())
