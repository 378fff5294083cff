#!/usr/bin/env python3
"""The pandas + pingouin baseline that `partnerscope score` is timed against (scripts/bench-score).

What an analyst would write by hand for the same job on the benchmark file: pandas reads the CSV,
reverse-keys the items the instrument marks `reverse` (min + max - x), scores each dimension as
the mean of its answered items when answered / items >= the dimension's `min_answered` (as
partnerscope does), computes `pingouin.cronbach_alpha` per dimension (pairwise-complete, its
default) and the mean score of each dimension per group. It prints a short digest so a run can be
checked by eye against partnerscope's reports; it writes no files.

Benchmarks only: nothing in the test suite needs pandas or pingouin.

Usage: scripts/bench-score-baseline.py INSTRUMENT.toml RESPONSES.csv
"""

import sys
import tomllib
import warnings

import pandas as pd
import pingouin as pg

# The instrument's default share of items a respondent must answer for a score.
DEFAULT_MIN_ANSWERED = 0.5


def dimensions_of(instrument):
    """[(dimension id, [(item id, reverse, min, max)], min_answered)] in instrument order."""
    scales = {
        name: (min(scale["values"]), max(scale["values"]))
        for name, scale in instrument["scales"].items()
    }
    default = instrument.get("min_answered", DEFAULT_MIN_ANSWERED)
    dimension_of_factor = {f["id"]: f["dimension"] for f in instrument.get("factors", [])}
    dimensions = {
        d["id"]: ([], d.get("min_answered", default)) for d in instrument["dimensions"]
    }
    for item in instrument["items"]:
        dimension = item.get("dimension") or dimension_of_factor[item["factor"]]
        lo, hi = scales[item["scale"]]
        dimensions[dimension][0].append((item["id"], item.get("reverse", False), lo, hi))
    return [(d, items, share) for d, (items, share) in dimensions.items()]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], "rb") as f:
        instrument = tomllib.load(f)
    dimensions = dimensions_of(instrument)

    data = pd.read_csv(sys.argv[2])
    for _, items, _ in dimensions:
        for item, reverse, lo, hi in items:
            if reverse:
                data[item] = lo + hi - data[item]

    scores = pd.DataFrame(index=data.index)
    alphas = {}
    for dimension, items, min_answered in dimensions:
        answers = data[[item for item, _, _, _ in items]]
        answered = answers.notna().sum(axis=1)
        enough = answered / len(items) >= min_answered
        scores[dimension] = answers.mean(axis=1).where(enough)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            alphas[dimension] = pg.cronbach_alpha(data=answers)[0]
    group_means = scores.groupby(data["group"]).mean()

    print(f"{len(data)} respondents, {len(dimensions)} dimensions")
    for dimension, _, _ in dimensions:
        print(f"{dimension}: mean {scores[dimension].mean():.6f}, alpha {alphas[dimension]:.6f}")
    print(group_means.round(6).to_string())


if __name__ == "__main__":
    main()
