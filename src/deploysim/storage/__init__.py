"""Results on disk: Parquet datasets written one atomic part per batch, manifests, provenance.

- ``results``: the table parts, reading them back (:func:`load_results`, :class:`StoredResults`),
  the manifest file and atomic writes;
- ``provenance``: version, commit, seed and scenario hash stamped on every output.
"""

from deploysim.storage.results import StoredResults, load_results

__all__ = ["StoredResults", "load_results"]
