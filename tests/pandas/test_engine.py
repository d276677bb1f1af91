"""The pandas engine on its own: NULL semantics, text forms, chunk merging, inputs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from airflow_dq import checks as dq
from airflow_dq.engines.pandas import PandasEngine, check_dataframe
from airflow_dq.engines.pandas.masks import text_form
from airflow_dq.engines.pandas.states import KeyHashes, key_hashes
from airflow_dq.metrics import (
    CompleteCount,
    DuplicateCount,
    Maximum,
    Mean,
    Minimum,
    NotIn,
    NullCount,
    OutOfRange,
    RegexMismatch,
    RowCount,
    StdDev,
    ViolationCount,
)

NOW = dt.datetime(2026, 11, 27, 16, tzinfo=dt.UTC)


def test_every_kind_of_missing_value_is_null() -> None:
    df = pd.DataFrame(
        {
            "obj": pd.Series(["a", None, np.nan, "b"], dtype=object),
            "f": [1.0, np.nan, None, 2.0],
            "i": pd.array([1, None, pd.NA, 4], dtype="Int64"),
            "t": pd.to_datetime(["2026-01-01", None, pd.NaT, "2026-01-02"]),
            "s": pd.Series(["x", None, np.nan, ""], dtype="str"),
        }
    )
    values = PandasEngine(df).compute([NullCount(c) for c in df.columns] + [CompleteCount(tuple(df.columns))])
    assert [values[NullCount(c)] for c in df.columns] == [2, 2, 2, 2, 2]  # '' is a value
    assert values[CompleteCount(tuple(df.columns))] == 2


def test_aggregates_of_nothing_are_none_like_sql() -> None:
    df = pd.DataFrame({"x": [np.nan, np.nan], "one": [3.0, np.nan]})
    engine = PandasEngine(df)
    metrics = [Minimum("x"), Maximum("x"), Mean("x"), StdDev("x"), StdDev("one"), Mean("one")]
    assert engine.compute(metrics) == {
        Minimum("x"): None,
        Maximum("x"): None,
        Mean("x"): None,
        StdDev("x"): None,
        StdDev("one"): None,  # one value: no sample standard deviation
        Mean("one"): 3.0,
    }


def test_predicates_never_match_null() -> None:
    df = pd.DataFrame({"x": pd.array([None, 5, 50], dtype="Int64"), "s": pd.Series([None, "ab", "zz"], dtype="str")})
    values = PandasEngine(df).compute(
        [
            ViolationCount(OutOfRange("x", min=10)),
            ViolationCount(NotIn("s", ("ab",))),
            ViolationCount(RegexMismatch("s", "^a")),
        ]
    )
    assert list(values.values()) == [1, 1, 1]


def test_text_form_matches_the_databases_cast() -> None:
    # Integers that arrived as float64 (a NULL forced the cast) print as integers.
    assert list(text_form(pd.Series([3.0, 12.5, -7.0, 1e20]))) == ["3", "12.5", "-7", "1e+20"]
    assert list(text_form(pd.Series([3, 40]))) == ["3", "40"]
    assert list(text_form(pd.Series([dt.date(2026, 1, 2)], dtype=object))) == ["2026-01-02"]


def test_regex_is_python_re_search_even_where_arrow_has_no_support() -> None:
    df = pd.DataFrame({"s": pd.Series(["abc", "abd", "xab"], dtype="str")})
    lookahead = RegexMismatch("s", r"ab(?=c)")  # RE2 (Arrow) rejects lookahead; re.search accepts it
    unanchored = RegexMismatch("s", "ab")
    values = PandasEngine(df).compute([ViolationCount(lookahead), ViolationCount(unanchored)])
    assert values == {ViolationCount(lookahead): 2, ViolationCount(unanchored): 0}


def test_duplicates_ignore_null_keys() -> None:
    df = pd.DataFrame({"a": [1, 1, None, None, 2], "b": ["x", "x", "y", "y", None]})
    values = PandasEngine(df).compute([DuplicateCount(("a",)), DuplicateCount(("a", "b")), DuplicateCount(("b",))])
    assert list(values.values()) == [1, 1, 2]


def _random_frame(n: int = 20_000, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, n // 2, n).astype("float64")
    ids[rng.random(n) < 0.05] = np.nan  # int ids with NULLs: float64, and int64 in some chunks
    return pd.DataFrame(
        {
            "id": ids,
            "amount": np.where(rng.random(n) < 0.1, np.nan, rng.normal(1e6, 250, n)),
            "country": rng.choice(np.array(["US", "DE", "FR", "XX", None], dtype=object), n),
            "day": rng.integers(1, 28, n),
        }
    )


METRICS = [
    RowCount(),
    NullCount("id"),
    CompleteCount(("id", "country")),
    DuplicateCount(("id",)),
    DuplicateCount(("id", "country")),
    DuplicateCount(("country", "day")),
    Minimum("amount"),
    Maximum("country"),
    Mean("amount"),
    StdDev("amount"),
    ViolationCount(NotIn("country", ("US", "DE"))),
    ViolationCount(OutOfRange("amount", min=999_800, max=1_000_200)),
    ViolationCount(RegexMismatch("id", "^1")),
]


@pytest.mark.parametrize("chunksize", [1_000, 7_777])
def test_chunked_csv_merges_to_the_in_memory_values(tmp_path: Path, chunksize: int) -> None:
    df = _random_frame()
    path = tmp_path / "big.csv"
    df.to_csv(path, index=False)
    whole = PandasEngine(df).compute(METRICS)
    engine = PandasEngine(path, chunksize=chunksize)
    chunked = engine.compute(METRICS)
    assert engine.statements["chunks"] == -(-len(df) // chunksize)
    for metric in METRICS:
        expected = whole[metric]
        assert chunked[metric] == (pytest.approx(expected, rel=1e-12) if isinstance(expected, float) else expected), (
            metric
        )
    assert whole[DuplicateCount(("id",))] > 1000  # there was something to merge


def test_key_hashes_do_not_depend_on_int_or_float_reading() -> None:
    as_int = pd.DataFrame({"k": [1, 2, 3]})
    as_float = pd.DataFrame({"k": [1.0, 2.0, 3.5]})
    assert list(key_hashes(as_int, ("k",))[:2]) == list(key_hashes(as_float, ("k",))[:2])
    assert key_hashes(as_int, ("k",))[2] != key_hashes(as_float, ("k",))[2]


def test_key_hash_set_merges_batches() -> None:
    state = KeyHashes(("k",))
    state._MIN_BATCH = 10  # merge often
    from airflow_dq.engines.pandas.masks import ChunkView

    for start in range(0, 1000, 100):
        chunk = pd.DataFrame({"k": np.arange(start, start + 150) % 700})
        state.add(ChunkView(chunk))
    assert state.distinct() == 700
    assert state.value() == 1500 - 700


def test_chunked_duplicate_sample_finds_the_most_repeated_keys(tmp_path: Path) -> None:
    df = pd.DataFrame({"k": [5, 1, 2, 5, 3, 5, 2, 9, None, None]})
    df.to_csv(tmp_path / "d.csv", index=False)
    result = check_dataframe(tmp_path / "d.csv", dq.unique("k"), chunksize=3, now=NOW)
    (check,) = result.results
    assert check.observed == 3
    assert check.failing_rows == [{"k": 5, "dq_count": 3}, {"k": 2, "dq_count": 2}]


def test_chunked_row_sample_stops_at_the_limit(tmp_path: Path) -> None:
    pd.DataFrame({"x": range(100)}).to_csv(tmp_path / "x.csv", index=False)
    result = check_dataframe(tmp_path / "x.csv", dq.value_range("x", max=10), chunksize=4, sample_size=3, now=NOW)
    assert [row["x"] for row in result.results[0].failing_rows] == [11, 12, 13]


def test_callable_input_and_dataset_names(tmp_path: Path) -> None:
    def make_events() -> pd.DataFrame:
        return pd.DataFrame({"x": [1, 2]})

    assert check_dataframe(make_events, dq.row_count(min=2), now=NOW).dataset == "DataFrame from make_events()"
    with pytest.raises(TypeError, match=r"make_list\(\) gave a list, not a pandas DataFrame"):

        def make_list() -> list:
            return [1]

        check_dataframe(make_list, dq.row_count(min=2), now=NOW)


def test_file_formats_from_names(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": [1, 2, None], "b": ["x", "y", "z"]})
    df.to_csv(tmp_path / "f.tsv", sep="\t", index=False)
    df.to_csv(tmp_path / "f.csv.gz", index=False)
    df.to_parquet(tmp_path / "f.data")
    for path, options in [("f.tsv", {}), ("f.csv.gz", {}), ("f.data", {"file_format": "parquet"})]:
        result = check_dataframe(tmp_path / path, [dq.not_null("a"), dq.row_count(min=3)], now=NOW, **options)
        assert [r.observed for r in result.results] == [1, 3], path
    with pytest.raises(ValueError, match=r"cannot tell the format of .*f\.data"):
        PandasEngine(tmp_path / "f.data")
    with pytest.raises(ValueError, match="chunksize and read_options apply to files"):
        PandasEngine(df, chunksize=10)


def test_custom_sql_checks_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"check 'orphans' \(custom_sql\) needs a SQL database"):
        check_dataframe(pd.DataFrame({"a": [1]}), [dq.custom_sql("SELECT 1", equals=1, name="orphans")])


def test_schema_of_a_frame() -> None:
    df = pd.DataFrame(
        {
            "i": pd.array([1, None], dtype="Int64"),
            "f": [1.5, None],
            "s": ["a", None],
            "b": [True, False],
            "t": pd.to_datetime(["2026-01-01", None]).tz_localize("UTC"),
            "d": [dt.date(2026, 1, 1), None],
            "dec": [__import__("decimal").Decimal("1.5"), None],
            "j": [{"a": 1}, None],
            "c": pd.Categorical(["x", "y"]),
            "td": pd.to_timedelta([1, 2], unit="s"),
        }
    )
    assert PandasEngine(df).column_types() == {
        "i": "integer",
        "f": "float",
        "s": "string",
        "b": "boolean",
        "t": "timestamp",
        "d": "date",
        "dec": "decimal",
        "j": "json",
        "c": "string",
        "td": "other",
    }


def test_timestamp_bounds_on_a_tz_aware_column() -> None:
    df = pd.DataFrame({"t": pd.to_datetime(["2026-11-27 10:00", "2026-11-27 12:00"]).tz_localize("Europe/Berlin")})
    result = check_dataframe(df, [dq.value_range("t", max="2026-11-27 11:00")], now=NOW)
    assert result.results[0].observed == 1  # the naive bound is read in the column's time zone
