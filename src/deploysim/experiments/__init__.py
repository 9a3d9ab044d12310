"""Experiments: many runs of one or more scenarios, and where they execute.

- ``runner``: batches of replications over any ``concurrent.futures.Executor`` (one process, a
  local pool, a Dask cluster), chosen in one place; failures become rows, never a dead experiment;
- ``sink``: where finished batches go (atomic parts on disk, memory, progress), for every kind;
- ``replications``: replications of one or more scenarios, and :func:`run` with its result
  :class:`Replications` (summary, outcomes, charts, save);
- ``precision``: replications added until requested confidence-interval half-widths are reached;
- ``comparison``: scenarios compared under common random numbers, with paired differences;
- ``design``: grid, Latin hypercube and Sobol designs over ``--set`` paths;
- ``sweep_plan`` and ``sweep``: which runs a sweep has and how they are cut into tasks; running and
  resuming them;
- ``analyze``: sensitivity tables and charts written beside a stored sweep.
"""
