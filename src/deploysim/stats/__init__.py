"""Statistics: pure functions over run tables, no simulation and no files.

- ``runs``: which runs an estimate counts (the one filter over the runs table);
- ``intervals``: Student-t intervals for means over replications;
- ``proportions``: Wilson intervals and paired differences of proportions (Newcombe, Tango);
- ``survival``: Kaplan-Meier for milestones that may never come: P(by day D), quantiles, restricted means;
- ``ratio``: ratios of totals across runs (delta method), pooled shares of time;
- ``milestones``: milestone summaries and planners' targets (``foc_day<=150``);
- ``paired``: paired differences between scenarios under common random numbers, by measure kind;
- ``summary``: the across-run summary table, one row per (scenario, measure), and outcome counts;
- ``responses``: what a sweep estimates of a measure per group of runs (restricted means, ratios of totals);
- ``noise``: the share of a sweep's point-to-point variance that replication luck explains;
- ``sensitivity``: which levers matter in a sweep (Sobol indices, standardised regression).
"""
