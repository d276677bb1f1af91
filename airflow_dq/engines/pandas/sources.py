"""Where a DataFrame comes from: a frame in memory, a callable, or a CSV/Parquet file.

A source hands the engine chunks. A frame (or a file read whole) is one chunk; a file read
with ``chunksize`` is a stream of chunks, re-read on each pass, so memory stays bounded by
the chunk size (plus the few states that grow with distinct keys).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pandas as pd

from airflow_dq.engines.pandas.types import arrow_family, frame_types

FILE_FORMATS = ("csv", "parquet")
_COMPRESSION = {".gz": "gzip", ".bz2": "bz2", ".zip": "zip", ".xz": "xz", ".zst": "zstd"}
_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet", ".parq": "parquet"}


class FrameSource:
    """A DataFrame already in memory (e.g. pulled from XCom), or returned by a callable."""

    chunked = False

    def __init__(self, data: pd.DataFrame | Callable[[], pd.DataFrame], name: str | None = None) -> None:
        self._data = data
        self._frame: pd.DataFrame | None = None
        self._name = name

    @property
    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            frame = self._data() if callable(self._data) and not isinstance(self._data, pd.DataFrame) else self._data
            if not isinstance(frame, pd.DataFrame):
                origin = f"{getattr(self._data, '__name__', 'the callable')}()" if callable(self._data) else "data"
                raise TypeError(f"{origin} gave a {type(frame).__name__}, not a pandas DataFrame")
            self._frame = frame
        return self._frame

    def describe(self) -> str:
        if self._name:
            return self._name
        if callable(self._data) and not isinstance(self._data, pd.DataFrame):
            return f"DataFrame from {getattr(self._data, '__name__', 'callable')}()"
        return "DataFrame"

    def column_types(self) -> dict[str, str]:
        return frame_types(self.frame)

    def chunks(self, columns: Sequence[str] | None = None) -> Iterator[pd.DataFrame]:
        yield self.frame  # no column subset: selecting would copy the frame


def file_format(path: str, given: str | None) -> tuple[str, str | None]:
    """(format, compression) of ``path``, from ``given`` or the file name's suffixes."""
    name = os.path.basename(str(path)).lower()
    stem, compression = name, None
    for suffix, kind in _COMPRESSION.items():
        if stem.endswith(suffix):
            stem, compression = stem[: -len(suffix)], kind
    if given is not None:
        if given not in FILE_FORMATS:
            raise ValueError(f"file_format must be one of {FILE_FORMATS}, got {given!r}")
        return given, compression
    for suffix, kind in _SUFFIXES.items():
        if stem.endswith(suffix):
            return kind, compression
    raise ValueError(f"cannot tell the format of {path!s} from its name; pass file_format='csv' or 'parquet'")


class FileSource:
    """A CSV or Parquet file: a local path, or any object with ``open()`` (Airflow's
    ``ObjectStoragePath`` for s3://, gs://, file:// ...).

    ``read_options`` go to ``pandas.read_csv`` (e.g. ``dtype``, ``sep``, ``parse_dates``) or to
    ``pyarrow.parquet.ParquetFile.iter_batches``/``pandas.read_parquet``.
    """

    def __init__(
        self,
        path: Any,
        *,
        file_format: str | None = None,
        chunksize: int | None = None,
        read_options: dict[str, Any] | None = None,
    ) -> None:
        if chunksize is not None and (isinstance(chunksize, bool) or not isinstance(chunksize, int) or chunksize < 1):
            raise ValueError(f"chunksize must be a whole number >= 1, got {chunksize!r}")
        self.path = path
        self.format, self.compression = _detect(path, file_format)
        self.chunksize = chunksize
        self.read_options = dict(read_options or {})
        if self.format == "csv" and str(path).lower().rstrip("/").endswith((".tsv", ".tsv.gz")):
            self.read_options.setdefault("sep", "\t")
        self._whole: pd.DataFrame | None = None

    @property
    def chunked(self) -> bool:
        return self.chunksize is not None

    def describe(self) -> str:
        how = f", chunks of {self.chunksize:,} rows" if self.chunked else ""
        return f"{self.format} file {self.path}{how}"

    @contextmanager
    def _opened(self) -> Iterator[Any]:
        if isinstance(self.path, str | os.PathLike) and "://" not in str(self.path):
            yield os.fspath(self.path)  # pandas opens local files (and infers compression) itself
        else:
            with self.path.open("rb") as handle:
                yield handle

    def _read_whole(self) -> pd.DataFrame:
        if self._whole is None:
            with self._opened() as src:
                if self.format == "csv":
                    self._whole = pd.read_csv(src, compression=self.compression or "infer", **self.read_options)
                else:
                    self._whole = pd.read_parquet(src, **self.read_options)
        return self._whole

    def column_types(self) -> dict[str, str]:
        if not self.chunked:
            return frame_types(self._read_whole())
        if self.format == "parquet":
            import pyarrow.parquet as pq

            with self._opened() as src:
                schema = pq.ParquetFile(src).schema_arrow
            return {field.name: arrow_family(field.type) for field in schema}
        # A CSV has no schema: the first chunk's types stand for the file (give ``dtype`` in
        # read_options to pin them).
        chunks = self.chunks()
        try:
            first = next(chunks, None)
        finally:
            chunks.close()  # closes the file now, not when the generator is collected
        return {} if first is None else frame_types(first)

    def chunks(self, columns: Sequence[str] | None = None) -> Iterator[pd.DataFrame]:
        if not self.chunked:
            frame = self._read_whole()
            yield frame
            return
        with self._opened() as src:
            if self.format == "csv":
                options = dict(self.read_options)
                if columns is not None:
                    options["usecols"] = list(columns)
                    # pandas refuses parse_dates naming a column it was told not to read
                    if isinstance(options.get("parse_dates"), list):
                        options["parse_dates"] = [c for c in options["parse_dates"] if c in columns]
                reader = pd.read_csv(src, chunksize=self.chunksize, compression=self.compression or "infer", **options)
                with reader:
                    yield from reader
            else:
                import pyarrow.parquet as pq

                parquet = pq.ParquetFile(src)
                wanted = list(columns) if columns is not None else None
                for batch in parquet.iter_batches(batch_size=self.chunksize, columns=wanted, **self.read_options):
                    yield batch.to_pandas()


class FilteredSource:
    """Another source narrowed to the rows a ``where`` selects, chunk by chunk: a pandas
    expression (``DataFrame.eval``, as in ``df.query``: ``"country == 'US' and amount > 0"``)
    or a callable ``frame -> boolean mask``. A row where the mask is NA is left out, as SQL's
    WHERE leaves out a NULL condition. Files are read with all their columns, since the
    filter may name any of them."""

    def __init__(self, inner: FrameSource | FileSource, where: str | Callable[[pd.DataFrame], Any]) -> None:
        if isinstance(where, str) and not where.strip():
            raise ValueError("the DataFrame filter 'where' is empty (a template that rendered to nothing?)")
        if not isinstance(where, str) and not callable(where):
            raise TypeError(f"'where' must be a pandas expression or a callable returning a mask, got {where!r}")
        self.inner, self.where = inner, where

    @property
    def chunked(self) -> bool:
        return self.inner.chunked

    def describe(self) -> str:
        shown = self.where if isinstance(self.where, str) else f"{getattr(self.where, '__name__', 'mask')}(frame)"
        return f"{self.inner.describe()} where {shown}"

    def column_types(self) -> dict[str, str]:
        return self.inner.column_types()

    def _mask(self, chunk: pd.DataFrame) -> Any:
        try:
            mask = chunk.eval(self.where) if isinstance(self.where, str) else self.where(chunk)
        except Exception as err:
            raise ValueError(f"the DataFrame filter where={self.where!r} failed on the data: {err}") from err
        mask = pd.Series(mask, index=chunk.index) if not isinstance(mask, pd.Series) else mask
        if len(mask) != len(chunk) or not (
            pd.api.types.is_bool_dtype(mask.dtype) or (mask.dtype == object and mask.map(type).isin([bool]).all())
        ):
            raise ValueError(
                f"the DataFrame filter where={self.where!r} must give one True/False per row, got {mask.dtype} "
                f"of {len(mask)} values for {len(chunk)} rows"
            )
        return mask.fillna(False).astype(bool).to_numpy()

    def chunks(self, columns: Sequence[str] | None = None) -> Iterator[pd.DataFrame]:
        for chunk in self.inner.chunks(None):
            yield chunk[self._mask(chunk)]


def _detect(path: Any, given: str | None) -> tuple[str, str | None]:
    name = getattr(path, "name", None) if not isinstance(path, str | os.PathLike) else None
    return file_format(str(path) if name is None else name, given)


def make_source(
    data: Any,
    *,
    file_format: str | None = None,
    chunksize: int | None = None,
    read_options: dict[str, Any] | None = None,
    name: str | None = None,
    where: str | Callable[[pd.DataFrame], Any] | None = None,
) -> FrameSource | FileSource | FilteredSource:
    """The source for ``data``: a DataFrame, a callable returning one, or a file path,
    narrowed by ``where`` when given."""
    if where is not None:
        return FilteredSource(
            make_source(data, file_format=file_format, chunksize=chunksize, read_options=read_options, name=name),
            where,
        )
    if isinstance(data, pd.DataFrame) or (callable(data) and not hasattr(data, "open")):
        if chunksize is not None or read_options:
            raise ValueError("chunksize and read_options apply to files, not to a DataFrame")
        return FrameSource(data, name)
    if isinstance(data, str | os.PathLike) or hasattr(data, "open"):
        if isinstance(data, str) and not data.strip():
            raise ValueError("the file path is empty")
        return FileSource(data, file_format=file_format, chunksize=chunksize, read_options=read_options)
    raise TypeError(
        f"cannot check a {type(data).__name__}: give a pandas DataFrame, a callable returning one, "
        "or the path of a CSV or Parquet file"
    )
