"""Statistics: pure functions over run tables, no simulation and no files.

- ``intervals``: confidence intervals for replication means;
- ``paired``: paired differences between scenarios under common random numbers;
- ``summary``: the across-run summary table, one row per (scenario, measure);
- ``responses``: what a sweep estimates of a measure per group of runs (restricted means, ratios of totals);
- ``noise``: the share of a sweep's point-to-point variance that replication luck explains;
- ``sensitivity``: which levers matter in a sweep (Sobol indices, standardised regression).
"""
