"""One importer per input format. Each module registers a `SourceKind` (see base.py); the build, the
release file and `newserrata import` find the kinds through `kinds()`."""

from newserrata.sources.base import MAIN, Option, Pin, Source, SourceKind, SourceLog, kinds, register

__all__ = ["MAIN", "Option", "Pin", "Source", "SourceKind", "SourceLog", "kinds", "register"]
