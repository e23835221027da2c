"""One importer per input format; each turns raw files into un-aggregated `Record`s."""
