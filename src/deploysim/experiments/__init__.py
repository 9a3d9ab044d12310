"""Experiments: many runs of one or more scenarios, and where they execute.

- ``runner``: batches of replications over any ``concurrent.futures.Executor`` (one process, a
  local pool, a Dask cluster); failures become rows, never a dead experiment;
- ``replications``: replications of one or more scenarios, in memory or streamed to disk;
- ``precision``: replications added until requested confidence-interval half-widths are reached;
- ``comparison``: scenarios compared under common random numbers, with paired differences;
- ``design``: grid, Latin hypercube and Sobol designs over ``--set`` paths;
- ``sweep``: every (design point, replication) of a design, resumable.
"""
