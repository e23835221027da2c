"""One importer per input format. Each module registers a `SourceKind` (see base.py); the build, the
release file and `newserrata import` find the kinds through `kinds()`."""

from newserrata.sources.base import (
    MAIN,
    Option,
    Pin,
    Provenance,
    Source,
    SourceKind,
    SourceLog,
    artifacts,
    kinds,
    register,
)

__all__ = ["MAIN", "Option", "Pin", "Provenance", "Source", "SourceKind", "SourceLog", "artifacts", "kinds",
           "register"]
