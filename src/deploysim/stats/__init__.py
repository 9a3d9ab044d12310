"""Statistics: pure functions over run tables, no simulation and no files.

- ``intervals``: confidence intervals for replication means;
- ``paired``: paired differences between scenarios under common random numbers;
- ``summary``: the across-run summary table, one row per (scenario, measure);
- ``sensitivity``: which levers matter in a sweep (Sobol indices, standardised regression).
"""
