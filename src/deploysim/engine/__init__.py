"""The engine: one run of one scenario, in SimPy.

A run goes through three phases (see ``mission.run_engine``):

1. *Compile*: ``plan`` turns the scenario into a :class:`~deploysim.engine.plan.Plan` of samplers
   and indices, grouped as the schema is; ``rules`` compiles the dynamics (mandate, consent,
   triggers, expansions, phases, cadets, tension, budget). Nothing in the run looks up a name or
   calls into a pydantic model.
2. *Simulate*: ``state`` holds all of a run's mutable state on one ``MissionState`` (counters kept
   incrementally, never scanned), and processes are generator functions over it:
   ``staffing`` (one process per person: pipeline, tour, leave, rotation), ``mediation`` (mediator
   careers, service desks, incidents), ``decisions`` (mandate renewal, host consent),
   ``triggers`` (dates, signals, conditions held for a window), ``post_table`` (expansions and
   phases that change the posts), ``cadets`` (training programmes) and ``daily`` (the midday pass:
   a snapshot, then ``daily_rules``, which drive tension, metric triggers and the budget).
   ``streams`` gives every stochastic process its own named random stream; ``events`` names what
   the event log records, the signals triggers wait for, and the host's consent states.
3. *Hand over*: ``mission.RawRun`` carries arrays and lists to the results layer; no DataFrames
   are built here.
"""
