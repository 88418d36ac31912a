from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sklearn.base import clone

from attrib import build_pipeline, load_corpus, load_model, save_model, train
from attrib.features.cleaning import clean, distort, mask_signatures, remove_furniture
from attrib.features.estimators import TextCleaner
from attrib.features.typography import plain_typography


def seed(label: str, index: int = 0) -> str:
    return [d.text for d in load_corpus().documents if d.label == label][index]


def test_rt_page_chrome_is_removed_and_the_article_kept() -> None:
    raw = seed("rt")
    cleaned = clean(raw)
    for chrome in ("icon", "chevron", "READ MORE", "Podcasts", "25:36", "10 May, 2016 16:21"):
        assert chrome in raw
        assert chrome not in cleaned
    assert "Putin hopes Russia-US cooperation will lead to fundamental changes in Syria" in cleaned
    assert cleaned.rstrip().endswith("according to UN estimates.")
    body = [line for line in raw.splitlines() if line.startswith("Putin praised the Russian")]
    assert body and body[0] in cleaned


def test_press_tv_furniture_is_removed_and_the_article_kept() -> None:
    raw = seed("presstv")
    cleaned = clean(raw)
    for chrome in ("News \xa0 / \xa0 Russia", "website can also be accessed", "www.presstv.ir",
                   "SHARE THIS ARTICLE", "Roku"):  # fmt: skip
        assert chrome in raw
        assert chrome not in cleaned
    assert "The Kremlin has announced that Russia and the US are prepared" in cleaned
    assert cleaned.rstrip().endswith("it receives from various sources.")


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("MOSCOW, May 20. /TASS/. Russia has begun", "MOSCOW, May 20. /§/. Russia has begun"),
        ("MOSCOW (Sputnik) – The Russian", "MOSCOW (§) – The Russian"),
        ("told Russia's Sputnik website.", "told Russia's § website."),
        ("according to Sputnik International,", "according to §,"),
        ("RT's Murad Gazdiev said", "§'s Murad Gazdiev said"),
        ("The president was clear about Russia Today,", "The president was clear about §,"),
        ("Jatras told Press TV on Friday.", "Jatras told § on Friday."),
        ("a PressTV report", "a § report"),
        ("ITAR-TASS and TASS agree", "§ and § agree"),
        ("said (AFP) and Reuters", "said (§) and §"),
        ("see https://sputnikglobe.com/20230101/x.html.", "see ‹url›."),
        ("at www.presstv.ir and rt.com", "at ‹url› and ‹url›"),
        ("write to press@tass.ru now", "write to ‹email› now"),
        ("ARTS, a report, PARTS and start", "ARTS, a report, PARTS and start"),
    ],
)
def test_signatures_are_masked_with_their_punctuation(text: str, masked: str) -> None:
    assert mask_signatures(text) == masked


def test_furniture_rules_keep_ordinary_lines() -> None:
    text = "On May 10, 2016 he said: 10 people / 2 groups.\nThe share of icons rose."
    assert remove_furniture(text) == text


def test_distortion_keeps_frequent_words_and_shapes() -> None:
    assert distort("The 2016 ceasefire, he said, was 'fragile'.", ["the", "he", "was"]) == (
        "The #### *********, he ****, was '*******'."
    )


def test_cleaner_is_a_plain_stateless_transformer() -> None:
    cleaner = TextCleaner(mask="distort", distort_words=10)
    assert clone(cleaner).get_params() == {
        "mask": "distort",
        "distort_words": 10,
        "typography": "plain",
    }
    assert cleaner.fit_transform(["RT said"]) == ["§ ****"]
    with pytest.raises(ValueError, match="mask must be one of"):
        TextCleaner(mask="all").fit(["x"])


def test_mask_none_leaves_the_words_alone() -> None:
    raw = seed("rt")
    assert clean(raw, "none", typography="raw") == raw
    # Plain typography changes the characters between the words, never the words.
    plain = clean(raw, "none")
    assert plain == " ".join(plain_typography(raw).split())
    assert plain.split() != raw.split()  # the seed has curly quotes and line breaks
    assert re.findall(r"\w+", plain) == re.findall(r"\w+", raw)


def test_default_pipeline_masks_signatures() -> None:
    assert build_pipeline().named_steps["clean"].mask == "signatures"


def wire_corpus(root: Path) -> Path:
    """Two made-up wire services whose copy carries their own signatures."""
    stories = ["talks on trade", "a new bridge", "grain exports", "the space station",
               "a power plant", "the harvest"]  # fmt: skip
    for i, story in enumerate(stories):
        (root / "tass").mkdir(parents=True, exist_ok=True)
        (root / "sputnik").mkdir(parents=True, exist_ok=True)
        (root / "tass" / f"{i}.txt").write_text(
            f"MOSCOW, May {i + 1}. /TASS/. Officials told TASS on Friday that work on {story} "
            "would continue. The ministry said the schedule was agreed, TASS learned.\n"
        )
        (root / "sputnik" / f"{i}.txt").write_text(
            f"MOSCOW (Sputnik) – Experts told Sputnik that {story} is going really well – and "
            "that is wonderful news!\nWhat comes next? Nobody knows for sure!\n"
        )
    return root


def test_a_forged_dateline_does_not_change_the_attribution(tmp_path: Path) -> None:
    corpus = wire_corpus(tmp_path / "c")
    text = "The railway is going really well – and that is wonderful news!\nWhat comes next?\n"
    forged = "MOSCOW, June 9. /TASS/. " + text
    shift = {}
    for mask in ("none", "signatures"):
        model = train(corpus, mask=mask)
        (before, after) = model.scores([text, forged])
        shift[mask] = after["tass"] - before["tass"]
        if mask == "signatures":
            best = [p.best for p in model.predictions([text, forged])]
            assert best == ["sputnik", "sputnik"]
    # The name and its frame move a plain model; masked, the whole dateline is gone.
    assert shift["signatures"] == 0 < shift["none"], shift


def test_a_saved_model_applies_its_own_mode(tmp_path: Path) -> None:
    text = seed("tass")
    for mask in ("none", "signatures", "distort"):
        model = train(mask=mask)
        path = save_model(model, tmp_path / f"{mask}.npz")
        loaded = load_model(path)
        assert loaded.pipeline.named_steps["clean"].mask == mask
        assert loaded.metadata["options"]["mask"] == mask
        assert loaded.scores([text]) == model.scores([text])
    assert train(mask="none").scores([text]) != train(mask="signatures").scores([text])


def test_compare_masking_shows_signatures_against_style() -> None:
    from click.testing import CliRunner

    from attrib.cli import cli

    result = CliRunner().invoke(cli, ["evaluate", "--compare-masking", "--permutations", "0"])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[3:6]}
    assert rows["none"][0] == "0.40"  # the RT pair finds itself through rt.com's chrome
    assert rows["signatures"][0] == "0.00"
    assert "distort" in rows
    none_section = result.stdout.split("Top features with mask=none:")[1].split("Top features")[0]
    assert "w:chevron" in none_section
    masked = result.stdout.split("Top features with mask=signatures:")[1]
    assert "chevron" not in masked.split("Top features")[0]
    data = CliRunner().invoke(
        cli, ["evaluate", "--compare-masking", "--permutations", "0", "--json"]
    )
    modes = json.loads(data.stdout)
    assert set(modes) == {"none", "signatures", "distort"}
    assert modes["none"]["evaluation"]["accuracy"] == 0.4


# Every way of writing a name that once slipped past masking (issue 13, item 4), and the
# aliases, domains and handles: each must leave no trace of the name.
VARIANTS = [
    ("SPUTNIK said", "§ said"),
    ("sputnik said", "§ said"),
    ("Tass said", "§ said"),
    ("TASS-reported figures", "§-reported figures"),
    ("told Press\u00a0TV.", "told §."),
    ("told Press  TV.", "told §."),
    ("told Press\nTV.", "told §."),
    ("told Press\u2009TV.", "told §."),
    ("on Russia  Today,", "on §,"),
    ("MOSCOW /T\u200bASS/.", "MOSCOW /§/."),
    ("MOSCOW /TA\u00adSS/.", "MOSCOW /§/."),
    ("MOSCOW /\u0422\u0410SS/.", "MOSCOW /§/."),  # Cyrillic Т and А
    ("MOSCOW /\u0422\u0410\u0421\u0421/.", "MOSCOW /§/."),  # ТАСС in Cyrillic
    ("\uff32\uff34 reports", "§ reports"),  # full-width ＲＴ
    ("\U0001d412\U0001d429\U0001d42e\U0001d42d\U0001d427\U0001d422\U0001d424 says", "§ says"),
    ("MOSCOW (SPUTNIK) –", "MOSCOW (§) –"),
    ("MOSCOW, May 20. /Tass/.", "MOSCOW, May 20. /§/."),
    ("Itar-Tass and sputnik international", "§ and §"),
    ("presstv and Press-TV", "§ and §"),
    ("RUSSIA TODAY", "§"),
    ("Sputnik News and Ruptly", "§ and §"),
    ("follow @RT_com, @SputnikInt and @tassagency_en", "follow ‹handle›, ‹handle› and ‹handle›"),
    ("at RT.COM and sputniknews.com", "at ‹url› and ‹url›"),
    ("see tass.ru, presstv.ir, sputnikglobe.com", "see ‹url›, ‹url›, ‹url›"),
    ("see en.sputniknews.africa", "see ‹url›"),
]


@pytest.mark.parametrize(("text", "masked"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_every_written_form_of_a_name_is_masked(text: str, masked: str) -> None:
    assert mask_signatures(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "Artists, parts and smart starts",
        "T-shirts and tassels",
        "a pressing TV deal",
        "e-mail me: a.b@example.org",
        "Sputniks",
    ],
)
def test_words_that_only_contain_a_name_are_kept(text: str) -> None:
    assert mask_signatures(text) == text.replace("a.b@example.org", "‹email›")


def test_masking_keeps_the_text_around_invisible_and_wide_characters() -> None:
    text = "Caf\u00e9 \u00abquoted\u00bb\u00a0text \u2014 T\u200bASS \uff08x\uff09 end"
    assert (
        mask_signatures(text) == "Caf\u00e9 \u00abquoted\u00bb\u00a0text \u2014 § \uff08x\uff09 end"
    )


def test_dateline_variants_do_not_train_name_features(tmp_path: Path) -> None:
    for outlet, dateline in (
        ("sputnik", "MOSCOW (SPUTNIK) –"),
        ("tass", "MOSCOW, May {n}. /Tass/."),
    ):
        (tmp_path / outlet).mkdir()
        for n in range(4):
            body = f"Talks on item {n} went on, officials said, and item {n + 1} is next."
            (tmp_path / outlet / f"{n}.txt").write_text(f"{dateline.format(n=n)} {body}")
    model = train(tmp_path)
    names = [
        name
        for _, vectorizer in model.pipeline.named_steps["features"].transformer_list
        for name in vectorizer.get_feature_names_out()
    ]
    assert not [n for n in names if "sputnik" in n.lower() or "tass" in n.lower()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A handle inside a URL goes with the URL: URLs are masked before handles.
        ("see https://twitter.com/@RT_com now", "see ‹url› now"),
        ("write to desk@tass.ru or @tassagency_en", "write to ‹email› or ‹handle›"),
        ("READ MORE ON WWW.RT.COM.", "READ MORE ON ‹url›."),
        ("at sputniknews.AFRICA today", "at ‹url› today"),
        (
            "no address here, only dots... and 3.5 per cent",
            "no address here, only dots... and 3.5 per cent",
        ),
    ],
)
def test_each_pattern_is_tried_where_it_could_match(text: str, expected: str) -> None:
    assert mask_signatures(text) == expected


@pytest.mark.parametrize("invisible", ["", "\u200b"], ids=["plain", "with an invisible character"])
def test_names_are_found_the_same_way_with_or_without_invisible_characters(invisible: str) -> None:
    # A text with an invisible character anywhere is matched by the slower pattern that allows
    # them inside names; both must find names across any whitespace, and stop at a hyphen.
    text = f"x{invisible}y: Press \n\t TV and tass-reported figures, said RIA  novosti."
    assert mask_signatures(text) == f"x{invisible}y: § and §-reported figures, said §."
