"""`newserrata score`'s stages, in the order a run goes through them: where the gold comes from (gold.py),
one record's prediction against its gold (match.py), per-record columns and the bootstrap (bootstrap.py),
the report and its table (summary.py, format.py), and the session that runs them (session.py) under one
set of options (options.py). Definitions: docs/scoring.md."""

from newserrata.scoring.bootstrap import Columns, bootstrap_rows
from newserrata.scoring.format import Report
from newserrata.scoring.gold import Gold, elsewhere, load_gold
from newserrata.scoring.match import RecordScore, score_record
from newserrata.scoring.options import Options
from newserrata.scoring.session import Scored, Session, score
from newserrata.scoring.summary import summarize

__all__ = ["Columns", "Gold", "Options", "RecordScore", "Report", "Scored", "Session", "bootstrap_rows",
           "elsewhere", "load_gold", "score", "score_record", "summarize"]
