"""Results on disk: run tables as Parquet datasets, manifests and provenance, every file atomic.

- ``files``: the one atomic writer (whole file or none, one file mode) and CSV, Parquet and JSON on it;
- ``tables``: the run tables (runs, daily, teams, events) as one part per finished batch, read back
  in run-identity order, and the same tables in memory;
- ``directory``: preparing an output directory, its manifest, and :func:`load_results`;
- ``provenance``: version, commit, seed and scenario hashes stamped on every manifest.
"""

from deploysim.storage.directory import StoredResults, load_results

__all__ = ["StoredResults", "load_results"]
