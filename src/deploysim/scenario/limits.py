"""Sanity bounds on every number a scenario states: far beyond any real mission, far short of a bomb.

A bound here is not a modelling judgement. Each sits well beyond what any mission deploysim is meant
for needs (the shipped scenarios; the synthetic 15,000-post ``scenarios/large-mission.yaml``), and
well short of a value that would make a run hang, exhaust memory, overflow a float or an integer
conversion, or date its tables wrongly. A file beyond a bound is refused at validation with one
line naming the field, instead of running for ever. Every bounded field states its bound in its
``description``, so ``deploysim schema`` and editors show it too.

=============================  ==========================  ============  ==========================================
Setting                        Bound                       Shipped       Why there
=============================  ==========================  ============  ==========================================
``horizon``                    50 years                    2-3 years     daily tables and run time grow with it;
                                                                         the longest field missions ran ~30 years
``start_date`` + ``horizon``   1677-09-22 to 2262-04-11    1998-2033     the range of pandas' datetime64[ns]; past
                                                                         it the tables' dates wrap (day 0 in 1754)
any duration (mean, largest    100 years                   days-months   twice the longest horizon, so a duration
value)                                                                   can stand for "never in this run"; keeps
                                                                         sums of durations far from overflow
``initial_length``, trigger    50 years                    -             the longest horizon
and intake ``after``
lognormal and gamma ``sd``     1e-6 to 10 x the mean       0.3-0.7 x     (sd/mean)^2 overflows past ~1e154 and a
                                                                         gamma's shape (mean/sd)^2 below ~1e-154;
                                                                         a spread of 1e-6 is a fixed duration
empirical ``values``           10,000 values, finite       1-5 values    memory; weights that sum to inf give NaN
                               weights                                   probabilities
``tour.length`` mean           at least 7 days             12 months     each tour or renewal is a handful of
``tour.extension_length``,                                               events: of minutes, they swamp the run;
mandate extension ``length``   at least 7 days             4-12 months   and one shorter than the lead (the review)
                                                                         is decided again at once, lead/length times
``leave.block`` mean           at least 1 day              10 days       one leave block per person per day at most
``readvertise_probability``    at most 0.99                0.43          1/(1-p) calls per post on average; with 1 a
                                                                         call is re-advertised for ever (in zero
                                                                         time with a zero ``call_window``)
mean time to fill a post       at most 10 years            ~100 days     the default replacement lead is this mean;
(calls, selection, training,                                             an extension is decided again at once while
travel, induction)                                                       the lead exceeds the time left
``replacement_lead``           at most 10 years            default       as above
tour extensions decided at     100                         0-1           with extensions certain and a lead longer
once on arrival                                                          than the tour, lead / extension of them
``handover_overlap``,          at most 1 year              7-45 days     the same catch-up loops (the overlap adds
``review_before_expiry``                                                 to the lead); a review a year ahead is
                                                                         already unheard of
``drawdown``                   at most 2 years             21-30 days    sanity
trigger ``window``             at most 1 year              14 days       an incident-rate trigger sums its window
                                                                         every day
mediators: certification       yield at least 0.01 when    0.55 over     a slot retries 1/yield times on average;
yield with recruitment +       recruitment + training      51 days       with no time per attempt and yield 0 it
training under 1 day           take under a day                          retries for ever in zero time
incident rate per unit         100 a day                   0.15-0.3      a Poisson arrival per SimPy event
incidents, whole mission,      10,000 a day                45 (large)    10,000 a day for 50 years is ~2e8 events
at the tension ceiling
tension values and effects     at most 100 (|effect|)      0.002-3       the index multiplies every incident rate;
                                                                         floor at most ceiling
annual hazards (repatriation,  12 a year                   0.03-0.3      a mean time to the event of a month
attrition, withdrawal)
money per item (daily rates,   1e9                         20-2,000      any currency's daily rate; totals stay far
one-off costs)                                                           from float overflow
budget ceiling                 1e15                        none          sanity
posts per team                 10,000                      4-100         a team is co-located with one unit
posts the mission may open     50,000                      76-15,000     one stream and one process per post, so
(day-0 table, every phase's                                              memory and time grow with posts; 3.3x the
table, every expansion)                                                  large mission
roles per team                 100                         1-4           sanity
teams, units (all defined)     1,000 each                  7-150         sanity; the large mission has 150
mediators per team             100                         0-1           two processes per mediator slot
mediator slots, whole mission  10,000                      0-150         memory
roster size                    50,000                      0-20          at most one per post
local staff                    100,000                     12-40         a cost only
participating States           1,000                       54-56         OSCE 57, UN 193; (1-p)^N overflows for
                                                                         huge N
``max_extensions``             1,000                       1 or none     sanity (at most ~2,600 fit in 50 years)
phases, expansions,            50 each                     0-1           sanity
programmes
intakes (all programmes)       1,000                       5             a cohort waiting for trainers costs an
                                                                         event a day
cadets per intake              100,000                     213           one draw per cadet at graduation
cadets in all intakes          1,000,000                   1,065         the same draws, summed
``cadets_per_trainer``         10,000                      20-30         sanity
names                          200 characters, printable,  -             shown in every table and message; control
                               no surrounding spaces                     characters would act on a terminal, and
                                                                         ``--set`` paths strip spaces
``description``                10,000 characters           ~300          sanity
``currency``                   10 characters               EUR           sanity
=============================  ==========================  ============  ==========================================
"""

from __future__ import annotations

import datetime as dt

DAYS_PER_YEAR = 365.25

# -- time -------------------------------------------------------------------------------------------
MAX_HORIZON_YEARS = 50
MAX_HORIZON_DAYS = MAX_HORIZON_YEARS * DAYS_PER_YEAR
MAX_DURATION_DAYS = 2 * MAX_HORIZON_DAYS  # longer than any run, so a stage can stand for 'never'
FIRST_DATE = dt.date(1677, 9, 22)  # first whole day of pandas' datetime64[ns] (1677-09-21 00:12:43)
LAST_DATE = dt.date(2262, 4, 11)  # its last whole day (it ends 2262-04-11 23:47:16)
MAX_SD_RATIO = 10.0
MIN_SD_RATIO = 1e-6
MAX_EMPIRICAL_VALUES = 10_000
MIN_TOUR_DAYS = 7.0
MIN_EXTENSION_DAYS = 7.0
MIN_LEAVE_BLOCK_DAYS = 1.0
MAX_FILL_DAYS = 10 * DAYS_PER_YEAR
MAX_LEAD_DAYS = 10 * DAYS_PER_YEAR
MAX_OVERLAP_DAYS = DAYS_PER_YEAR
MAX_REVIEW_DAYS = DAYS_PER_YEAR
MAX_DRAWDOWN_DAYS = 2 * DAYS_PER_YEAR
MAX_WINDOW_DAYS = DAYS_PER_YEAR

# -- rates and probabilities ----------------------------------------------------------------------
MAX_READVERTISE = 0.99
MAX_EXTENSIONS_AT_ONCE = 100  # tour extensions a holder would decide on arrival while the lead exceeds the tour
MIN_ATTEMPT_DAYS = 1.0  # recruitment + training of a mediator below which the yield must be at least:
MIN_QUICK_YIELD = 0.01
MAX_INCIDENT_RATE = 100.0
MAX_MISSION_INCIDENTS = 10_000.0
MAX_TENSION = 100.0
MAX_ANNUAL_HAZARD = 12.0
MAX_MONEY = 1e9
MAX_BUDGET = 1e15

# -- counts -------------------------------------------------------------------------------------------
MAX_TEAM_POSTS = 10_000
MAX_POSTS = 50_000
MAX_ROLES = 100
MAX_TEAMS = 1_000
MAX_UNITS = 1_000
MAX_TEAM_MEDIATORS = 100
MAX_MEDIATORS = 10_000
MAX_ROSTER = MAX_POSTS
MAX_LOCAL_STAFF = 100_000
MAX_STATES = 1_000
MAX_EXTENSIONS = 1_000
MAX_PHASES = 50
MAX_EXPANSIONS = 50
MAX_PROGRAMMES = 50
MAX_INTAKES = 1_000
MAX_INTAKE = 100_000
MAX_CADETS = 1_000_000
MAX_CADETS_PER_TRAINER = 10_000
MAX_NAME = 200
MAX_DESCRIPTION = 10_000
MAX_CURRENCY = 10


def years(days: float) -> str:
    """A bound in days as planners read it (``50 years``, ``7 days``), for descriptions and messages."""
    if days >= DAYS_PER_YEAR and (days / DAYS_PER_YEAR).is_integer():
        count = int(days / DAYS_PER_YEAR)
        return f"{count} year{'s' if count != 1 else ''}"
    return f"{days:g} day{'s' if days != 1 else ''}"

# -- supply -------------------------------------------------------------------------------------------
MAX_CONTRIBUTORS = 1_000
MAX_NOMINATION_RATE = 1_000.0  # nominations per day from one contributor: more than any mission's calls
