"""Reading request documents from files and streams: size, encoding, JSON or YAML, one or many per file.

`read_file` is what every command uses: it refuses a file over the size limit before reading it whole,
accepts UTF-8 with or without a byte-order mark and says "save it as UTF-8" for anything else, and
returns one `Document` (or `DocumentError`) per document, each named by its `source`: the file, or
`file#N` for the N-th document of a multi-document YAML file. YAML documents keep the line and column
of every value, so a problem found later can be shown where it was written.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import IO, Any

from ..errors import RequestError, RequestProblem
from .json_reader import JsonProblem, parse_json
from .yaml_reader import YamlProblem, read_stream

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_BYTES_VARIABLE = "VILKAR_MAX_DOCUMENT_BYTES"
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000 ** 2, "mb": 1000 ** 2, "mib": 1024 ** 2,
          "g": 1000 ** 3, "gb": 1000 ** 3, "gib": 1024 ** 3}


class DocumentError(RequestError):
    """A file or document that cannot be read as a request: where (file:line:col) and why.

    It is a RequestError, so its `.errors` (with `line` and `col`) are reported like any other."""

    def __init__(self, source: str, problems: list[RequestProblem], name: str | None = None):
        self.source = source
        self.name = name or source  # the file: file:line:col names it, whichever document of it failed
        super().__init__(problems)

    @classmethod
    def at(cls, source: str, message: str, pointer: str = "", line: int | None = None, col: int | None = None,
           hint: str | None = None) -> DocumentError:
        return cls(source, [RequestProblem(pointer, message, hint=hint, line=line, col=col, has_value=False)])

    def __str__(self) -> str:
        lines = []
        for problem in self.errors:
            where = f"{self.name}:{problem.line}:{problem.col}" if problem.line is not None else self.source
            pointer = f" {problem.pointer}:" if problem.pointer else ""
            hint = f"\n    = hint: {problem.hint}" if problem.hint else ""
            lines.append(f"{where}:{pointer} {problem.message}{hint}")
        return "\n".join(lines)


@dataclass
class Document:
    """A request document, where it came from (`source`), and for YAML where each value was written."""

    name: str
    data: Any
    yaml: bool = False
    source: str = ""
    positions: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.source = self.source or self.name

    def position(self, pointer: str) -> tuple[int, int] | None:
        """The 1-based line and column of the value at a JSON pointer, or of the nearest object that holds it."""
        if not self.yaml:
            return None
        while True:
            if pointer in self.positions:
                return self.positions[pointer]
            if not pointer:
                return None
            pointer = pointer[: pointer.rfind("/")]

    def line_of(self, *path: Any) -> int:
        """The 1-based line where the value at a path of keys and indexes was written (0 if unknown)."""
        pointer = "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)
        return (self.position(pointer) or (0, 0))[0]

    def locate(self, problem: RequestProblem) -> RequestProblem:
        """Add the YAML line:col of the value a problem points at (1-based)."""
        position = self.position(problem.pointer)
        if position is not None and problem.line is None:
            problem.line, problem.col = position
        return problem


def max_bytes() -> int:
    """The size limit for one request file: VILKAR_MAX_DOCUMENT_BYTES (`20971520`, `20MiB`), else 10 MiB."""
    text = os.environ.get(MAX_BYTES_VARIABLE, "").strip()
    if not text:
        return DEFAULT_MAX_BYTES
    number = text.rstrip("bBkKmMgGiI ")
    unit = text[len(number):].strip().lower()
    if not number.isdigit() or unit not in _UNITS or int(number) == 0:
        raise ValueError(f"{MAX_BYTES_VARIABLE}={text!r} is not a size: write a number of bytes, "
                         "such as 20971520 or 20MiB")
    return int(number) * _UNITS[unit]


def read_file(name: str, stdin: IO[bytes] | None = None) -> list[Document | DocumentError]:
    """Every request document of a file (`-` is stdin), or the error that stopped the reading."""
    try:
        limit = max_bytes()
    except ValueError as error:
        return [DocumentError.at(name, str(error))]
    try:
        if name == "-":
            data = _read_limited(stdin or _stdin_bytes(), limit)
        else:
            with open(name, "rb") as handle:
                data = _read_limited(handle, limit)
    except OSError as error:
        return [DocumentError.at(name, f"cannot read: {error.strerror or error}")]
    if data is None:
        return [DocumentError.at(name, f"is larger than {_size(limit)}, the limit for a request file",
                                 hint=f"set {MAX_BYTES_VARIABLE} (bytes, or e.g. 50MiB) to allow more")]
    text = decode(name, data)
    if isinstance(text, DocumentError):
        return [text]
    return read_text(name, text)


def decode(name: str, data: bytes) -> str | DocumentError:
    """UTF-8 text, with or without a byte-order mark; anything else says how to fix it."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return DocumentError.at(name, "is UTF-16 text; vilkar reads request files in UTF-8",
                                hint="save it as UTF-8")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        col = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        return DocumentError.at(name, f"is not UTF-8 text (byte 0x{data[error.start]:02X} cannot start or "
                                      "continue a UTF-8 character)", "", line, col,
                                "save it as UTF-8 (it may be Windows-1252 or Latin-1)")


def read_text(name: str, text: str) -> list[Document | DocumentError]:
    """The documents of a text: JSON if it is named .json (or looks like JSON on stdin), else YAML."""
    text = text[1:] if text.startswith("\ufeff") else text
    looks_json = name.endswith(".json") or (name == "-" and text.lstrip().startswith(("{", "[")))
    if looks_json:
        try:
            return [Document(name, parse_json(text), False)]
        except JsonProblem as problem:
            return [DocumentError.at(name, problem.message, problem.pointer, problem.line, problem.col, problem.hint)]
    found: list[Document | DocumentError] = []
    for item in read_stream(text):
        if isinstance(item, YamlProblem):
            found.append(DocumentError.at(name, item.message, item.pointer, item.line, item.col, item.hint))
        else:
            found.append(Document(name, item.data, True, positions=item.positions))
    if not found:
        return [DocumentError.at(name, "holds no request document", hint="a request is an object with a `kind`")]
    if len(found) > 1:
        for number, item in enumerate(found, 1):
            item.source = f"{name}#{number}"
    return found


def read_document(name: str, text: str) -> Document:
    """The one request document of a text; raises DocumentError (also when it holds several)."""
    found = read_text(name, text)
    if isinstance(found[0], DocumentError):
        raise found[0]
    if len(found) > 1:
        raise DocumentError.at(name, f"holds {len(found)} documents where one is expected",
                               hint="keep one document (the `---` lines separate documents)")
    return found[0]  # type: ignore[return-value]


def parse_line(text: str, limit: int | None = None) -> Any:
    """One JSON Lines record as a request value; raises DocumentError (source `-`, as for stdin).

    `limit` is `max_bytes()` when the caller has read it once for many lines."""
    if len(text) > (max_bytes() if limit is None else limit):
        raise DocumentError.at("-", "this line is larger than the limit for a request document",
                               hint=f"set {MAX_BYTES_VARIABLE} to allow more")
    try:
        return parse_json(text)
    except JsonProblem as problem:
        raise DocumentError.at("-", problem.message, problem.pointer, problem.line, problem.col,
                               problem.hint) from None


def _read_limited(handle: IO[bytes], limit: int) -> bytes | None:
    data = handle.read(limit + 1)
    return None if len(data) > limit else data


def _stdin_bytes() -> IO[bytes]:
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        return buffer
    import io
    return io.BytesIO(sys.stdin.read().encode("utf-8", "surrogateescape"))


def _size(limit: int) -> str:
    for unit, size in (("GiB", 1024 ** 3), ("MiB", 1024 ** 2), ("KiB", 1024)):
        if limit >= size and limit % size == 0:
            return f"{limit // size} {unit}"
    return f"{limit:,} bytes"
