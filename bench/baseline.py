"""A bare SimPy model of the same mission: the floor the engine's running time is measured against.

It moves the same people through the same stages as ``deploysim.engine`` with the same parameters
(``compile_plan``) and the same named random streams (``Streams``), so every draw, every stage
duration and therefore every SimPy event is the same as in the engine: one process per person
(pipeline with re-advertisement, selection, training, waiting for consent, travel, induction, or a
roster call-up; tour with leave blocks, tour extension, early repatriation, rotation and successor),
mediator careers and FCFS desks, incidents per unit, the mandate's reviews, extensions, rollover and
drawdown, the host's consent, and expansion tranches with their triggers.

What it leaves out is everything the engine does *besides* deciding what happens next: no event
log, no daily snapshot arrays, no costs, no filled/deployed/pipeline counters, no waiting times (a
team's FCFS queue is a count). Two pieces of state are kept only when the scenario feeds them back
into the dynamics: team-operational bookkeeping when a tension index or a team-coverage trigger
reads coverage, and incidents per day when an incident-rate trigger reads them. Then a daily tick
process, timed like the engine's daily pass, updates tension and watches triggers; otherwise there is
no daily process at all and the engine processes exactly its daily pass's events more (one start and
one per day simulated), which ``python bench/baseline.py`` shows by printing both counts.

Not modelled (``run_bare`` refuses such scenarios): phases, a consent fallback phase, cadet
training programmes, a budget ceiling or funded-post limit, supply limits and a roster refill.

Run from the repository root::

    .venv/bin/python bench/baseline.py [--scenario PATH] [--seed N] [--replications N]
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass

import simpy

from deploysim.engine.events import HANDOVER, WITHDRAWN, ConsentState, Signal
from deploysim.engine.mission import cyclic_gc_paused, run_engine
from deploysim.engine.plan import Plan, TeamPlan, compile_plan, unit_origin
from deploysim.engine.roster import call_up_order
from deploysim.engine.rules import ExpansionPlan, TensionPlan, TriggerPlan
from deploysim.engine.streams import RunIdentity, Streams, stream_name
from deploysim.engine.tension_clock import TensionClock
from deploysim.engine.triggers import MetricWatcher
from deploysim.scenario.load import load_scenario
from deploysim.scenario.schema import Scenario

INF = math.inf
GRANTED = ConsentState.GRANTED


class _Slot:
    """One mediator slot: certified or not, and the event its idle desk sleeps on."""

    __slots__ = ("certified", "idle")

    def __init__(self) -> None:
        self.certified = False
        self.idle: simpy.Event | None = None


class _Team:
    __slots__ = (
        "advance",
        "authorised",
        "certified",
        "mediators_started",
        "min_manning",
        "name",
        "needs_mediator",
        "operational",
        "present",
        "present_by_role",
        "slots",
        "unmet",
        "waiting",
    )

    def __init__(self, plan: TeamPlan) -> None:
        self.name = plan.name
        self.slots = [_Slot() for _ in range(plan.mediators)]
        self.waiting = 0  # FCFS: only how many requests wait matters when nothing is recorded
        self.authorised = 0  # open posts
        self.present = 0  # posts with a holder present: a team with none takes no mediation requests
        self.advance = plan.advance
        self.mediators_started = False
        # coverage bookkeeping, used only when tension or a trigger reads coverage
        self.min_manning = dict(plan.min_manning)
        self.needs_mediator = plan.needs_mediator
        self.present_by_role: dict[str, int] = {}
        self.certified = 0
        self.unmet = 0
        self.operational = False


class _Post:
    __slots__ = ("open", "people", "present", "rng", "role", "roster_reserved", "team")

    def __init__(self, team: _Team, role: str, rng: random.Random) -> None:
        self.team = team
        self.role = role
        self.rng = rng
        self.roster_reserved = False
        self.open = True
        self.present = 0
        self.people: list[simpy.Process] = []  # deployed holders, in arrival order (drawdown draws follow it)


class _Run:
    """The only state that decides what happens next; nothing here is ever reported."""

    def __init__(self, env: simpy.Environment, plan: Plan, streams: Streams, coverage: bool) -> None:
        self.env = env
        self.plan = plan
        self.stream = streams.stream
        self.coverage = coverage
        self.teams = [_Team(t) for t in plan.teams]
        self.posts: list[_Post] = []
        self.next_number: dict[tuple[int, str], int] = {}
        self.roster_left = plan.recruitment.roster_size
        self.recruiting = True
        self.mandate_active = True
        self.closed = False
        self.consent = plan.consent.initial
        self.consent_changed = env.event()
        self.stop = env.event()
        self.listeners: dict[str, list[Callable[[], None]]] = {}
        self.tension_on = plan.tension is not None
        self.tension = plan.tension.initial if plan.tension is not None else 1.0
        self.tension_clock = TensionClock(env)
        self.cases = 0
        self.incidents_by_day: list[int] | None = None
        self.teams_operational = 0
        self.active_teams = 0
        if coverage:
            for team in self.teams:
                _recount(self, team)

    def on(self, signal: str, callback: Callable[[], None]) -> None:
        self.listeners.setdefault(signal, []).append(callback)

    def emit(self, signal: str) -> None:
        for callback in self.listeners.pop(signal, []):
            callback()


# -- coverage bookkeeping (only when the dynamics read it) ---------------------------------------
def _refresh(run: _Run, team: _Team) -> None:
    operational = team.unmet == 0 and team.authorised > 0
    if operational != team.operational:
        team.operational = operational
        run.teams_operational += 1 if operational else -1


def _recount(run: _Run, team: _Team) -> None:
    unmet = sum(1 for role, need in team.min_manning.items() if team.present_by_role.get(role, 0) < need)
    team.unmet = unmet + (1 if team.needs_mediator and team.certified == 0 else 0)
    _refresh(run, team)


def _role_presence(run: _Run, team: _Team, role: str, change: int) -> None:
    count = team.present_by_role.get(role, 0) + change
    team.present_by_role[role] = count
    need = team.min_manning.get(role, 0)
    if need and ((change > 0 and count == need) or (change < 0 and count == need - 1)):
        team.unmet -= change
        _refresh(run, team)


def _presence(run: _Run, post: _Post, change: int) -> None:
    """Always kept, since mediation requests arise only while a team has someone present."""
    post.present += change
    if post.open and post.present == (1 if change > 0 else 0):
        post.team.present += change
        if run.coverage:
            _role_presence(run, post.team, post.role, change)


# -- the post table ----------------------------------------------------------------------------
def _open_post(run: _Run, team_index: int, role: str) -> _Post:
    team = run.teams[team_index]
    key = (team_index, role)
    number = run.next_number.get(key, 0)
    run.next_number[key] = number + 1
    post = _Post(team, role, run.stream(stream_name("post", team.name, role, number)))
    run.posts.append(post)
    if team.authorised == 0:
        run.active_teams += 1
    team.authorised += 1
    if run.coverage:
        _refresh(run, team)
    return post


def _abolish(run: _Run, post: _Post) -> None:
    if not post.open:
        return
    team = post.team
    if post.present:
        team.present -= 1
        if run.coverage:
            _role_presence(run, team, post.role, -1)
    post.open = False
    team.authorised -= 1
    if team.authorised == 0:
        run.active_teams -= 1
    if run.coverage:
        _refresh(run, team)


def _activate(run: _Run, team: _Team) -> None:
    if team.slots and not team.mediators_started:
        team.mediators_started = True
        if run.plan.mediators.start_after_consent and run.consent != GRANTED:
            run.on(Signal.CONSENT_GRANTED, lambda: _careers(run, team))
        else:
            _careers(run, team)


def _careers(run: _Run, team: _Team) -> None:
    if not run.closed:
        for k, slot in enumerate(team.slots):
            name = f"mediator/{team.name}/{k}"
            run.env.process(_career(run, team, slot, run.stream(name + "/career")))
            run.env.process(_desk(run, team, slot, run.stream(name + "/desk")))


# -- people -------------------------------------------------------------------------------------
def _start(run: _Run, post: _Post, elapsed: float | None = None) -> None:
    run.env.process(_person(run, post, elapsed))


def _person(run: _Run, post: _Post, elapsed: float | None) -> Generator[simpy.Event, object, None]:
    recruitment = run.plan.recruitment
    tour = run.plan.tour
    env = run.env
    rng = post.rng
    if elapsed is None:
        from_roster = post.roster_reserved or run.roster_left > 0
        if from_roster and not post.roster_reserved:
            run.roster_left -= 1
        post.roster_reserved = False
        if from_roster:
            yield env.timeout(recruitment.roster_call_up(rng))
        else:
            yield env.timeout(recruitment.call_window(rng))
            while rng.random() < recruitment.readvertise_probability:
                if not (post.open and run.recruiting):
                    break
                yield env.timeout(recruitment.call_window(rng))
            if post.open and run.recruiting:
                yield env.timeout(recruitment.selection(rng))
            if post.open and run.recruiting:
                yield env.timeout(recruitment.training(rng))
        while post.open and run.recruiting and run.consent != GRANTED and not post.team.advance:
            yield run.consent_changed
        if post.open and run.recruiting and not from_roster:
            yield env.timeout(recruitment.travel(rng))
            yield env.timeout(recruitment.induction(rng))
        if not (post.open and run.recruiting):
            return
        tour_end = env.now + tour.length(rng)
    else:
        tour_end = env.now + max(tour.length(rng) - elapsed, 0.0)
    _presence(run, post, +1)
    me = env.active_process
    assert me is not None
    for predecessor in post.people:  # the handover: they leave after the overlap, as in the engine
        predecessor.interrupt(HANDOVER)
    post.people.append(me)
    now = env.now
    # one draw each whatever the rates, as the engine does, so a zero rate shifts no later draw
    repatriation_draw = rng.random()
    rate = tour.repatriation_rate
    repatriation = now - math.log(1.0 - repatriation_draw) / rate if rate > 0 else INF
    interval = tour.leave_interval
    leave_draw = rng.random()
    next_leave = now + interval * leave_draw if interval < INF else INF
    on_leave = False
    back_from_leave = INF
    lead = tour.replacement_lead
    request_at = tour_end - lead
    requested = False
    while True:
        leave_event = back_from_leave if on_leave else next_leave
        wake = min(leave_event, repatriation, tour_end, INF if requested else request_at)
        if wake > now:
            try:
                yield env.timeout(wake - now)
            except simpy.Interrupt as stop:
                if stop.cause == HANDOVER:
                    now = env.now
                    tour_end = min(tour_end, now + tour.handover_overlap)
                    continue
                if not run.closed:
                    post.people.remove(me)
                    if not on_leave:
                        _presence(run, post, -1)
                return
            if run.closed:
                return
            now = env.now
        if wake == repatriation:
            post.people.remove(me)
            if not on_leave:
                _presence(run, post, -1)
            if not requested and post.open and run.recruiting:
                _start(run, post)
            return
        if not requested and wake == request_at:
            if post.open and rng.random() < tour.extension_probability:
                tour_end += tour.extension_length(rng)
                request_at = tour_end - lead
            else:
                requested = True
                if post.open and run.recruiting:
                    _start(run, post)
            continue
        if wake == tour_end:
            post.people.remove(me)
            if not on_leave:
                _presence(run, post, -1)
            return
        if on_leave:
            on_leave = False
            _presence(run, post, +1)
        else:
            on_leave = True
            _presence(run, post, -1)
            back_from_leave = now + tour.leave_block(rng)
            next_leave = max(now + interval, back_from_leave)


# -- mediators and incidents ---------------------------------------------------------------------
def _certify(run: _Run, team: _Team, slot: _Slot) -> None:
    slot.certified = True
    team.certified += 1
    if run.coverage and team.certified == 1 and team.needs_mediator:
        team.unmet -= 1
        _refresh(run, team)
    if slot.idle is not None and team.waiting:
        event, slot.idle = slot.idle, None
        event.succeed()


def _career(run: _Run, team: _Team, slot: _Slot, rng: random.Random) -> Generator[simpy.Event, None, None]:
    rules = run.plan.mediators
    env = run.env
    if rules.in_place:
        _certify(run, team, slot)
    while not run.closed:
        if not slot.certified:
            yield env.timeout(rules.recruitment(rng))
            if run.closed:
                return
            yield env.timeout(rules.training(rng))
            if run.closed:
                return
            if rng.random() >= rules.certification_yield:
                continue
            _certify(run, team, slot)
        if rules.attrition_rate <= 0:
            return
        yield env.timeout(rng.expovariate(rules.attrition_rate))
        if run.closed:
            return
        slot.certified = False
        team.certified -= 1
        if run.coverage and team.certified == 0 and team.needs_mediator:
            team.unmet += 1
            _refresh(run, team)


def _desk(run: _Run, team: _Team, slot: _Slot, rng: random.Random) -> Generator[simpy.Event, None, None]:
    env = run.env
    service = run.plan.incidents.service_time
    while not run.closed:
        if slot.certified and team.waiting:
            team.waiting -= 1
            run.cases += 1
            yield env.timeout(service(rng))
        else:
            slot.idle = env.event()
            yield slot.idle


def _incident(run: _Run, rng: random.Random, team: _Team | None) -> None:
    if team is None:
        return
    by_day = run.incidents_by_day  # only the incidents the rate trigger reads: units with an active team
    if by_day is not None and team.authorised > 0:
        by_day[min(math.floor(run.env.now), len(by_day) - 1)] += 1
    if rng.random() < run.plan.incidents.mediation_share and team.present > 0 and team.slots and team.certified:
        team.waiting += 1
        for slot in team.slots:
            if slot.certified and slot.idle is not None:
                event, slot.idle = slot.idle, None
                event.succeed()
                return


def _start_incidents(run: _Run, origin: str) -> None:
    """The units of day 0 (origin ""), or those an expansion brings in, when it is approved."""
    incidents = _modulated_incidents if run.tension_on else _incidents
    for unit in run.plan.units:
        if unit.origin == origin and unit.rate_per_day > 0:
            team = run.teams[unit.team] if unit.team is not None else None
            run.env.process(incidents(run, run.stream(stream_name("incidents", unit.name)), unit.rate_per_day, team))


def _incidents(run: _Run, rng: random.Random, rate: float, team: _Team | None) -> Generator[simpy.Event, None, None]:
    env = run.env
    while True:
        yield env.timeout(rng.expovariate(rate))
        if run.closed:
            return
        _incident(run, rng, team)


def _modulated_incidents(
    run: _Run, rng: random.Random, rate: float, team: _Team | None
) -> Generator[simpy.Event, float, None]:
    """Rate times the tension index, which changes at each daily tick (day + 0.5), as in the engine."""
    env = run.env
    while True:
        budget = rng.expovariate(1.0)
        while True:
            now = env.now
            current = rate * run.tension
            boundary = math.floor(now - 0.5) + 1.5
            span = boundary - now
            if current > 0 and budget <= current * span:
                yield env.timeout(budget / current)
                break
            budget -= current * span
            budget = yield run.tension_clock.wait(budget, rate)  # the tick crosses days without an arrival
        if run.closed:
            return
        _incident(run, rng, team)


# -- decisions, drawdown and the end ----------------------------------------------------------------
def _interrupter(person: simpy.Process) -> Callable[[simpy.Event], None]:
    def interrupt(_: simpy.Event) -> None:
        if person.is_alive:
            person.interrupt(WITHDRAWN)

    return interrupt


def _close(run: _Run) -> None:
    if run.closed:
        return
    run.closed = True
    run.mandate_active = False
    for post in run.posts:
        post.people.clear()
    for team in run.teams:
        team.waiting = 0
    if not run.stop.triggered:
        run.stop.succeed()


def _begin_drawdown(run: _Run) -> None:
    if not run.mandate_active:
        return
    run.mandate_active = False
    run.recruiting = False
    period = run.plan.mandate.drawdown_days
    rng = run.stream("drawdown")
    env = run.env
    for post in run.posts:
        if post.open:
            _abolish(run, post)
        for person in list(post.people):
            leave_at = rng.uniform(0.0, period) if period > 0 else 0.0
            env.timeout(leave_at).callbacks.append(_interrupter(person))
    env.timeout(period).callbacks.append(lambda _: _close(run))


def _mandate(run: _Run) -> Generator[simpy.Event, None, None]:
    env = run.env
    rng = run.stream("decision/extensions")
    extensions = run.plan.mandate.extensions
    expiry = run.plan.mandate.initial_length
    granted = 0
    while True:
        if extensions is None or (extensions.max_extensions is not None and granted >= extensions.max_extensions):
            yield env.timeout(max(expiry - env.now, 0.0))
            _begin_drawdown(run)
            return
        review = max(env.now, expiry - extensions.review_before_expiry)
        yield env.timeout(review - env.now)
        if not run.mandate_active:
            return
        delay = extensions.decision.delay(rng)
        renewed = rng.random() < extensions.decision.probability
        length = extensions.length(rng)
        decision_at = review + delay
        if decision_at > expiry:
            yield env.timeout(expiry - env.now)
            if not run.mandate_active:
                return
            if not extensions.technical_rollover:
                _begin_drawdown(run)
                return
        yield env.timeout(max(decision_at - env.now, 0.0))
        if not run.mandate_active:
            return
        if not renewed:
            run.emit(Signal.EXTENSION_REFUSED)
            yield env.timeout(max(expiry - env.now, 0.0))
            _begin_drawdown(run)
            return
        granted += 1
        run.emit(Signal.EXTENSION_GRANTED)
        expiry = max(expiry + length, env.now)


def _set_consent(run: _Run, value: ConsentState) -> None:
    run.consent = value
    event, run.consent_changed = run.consent_changed, run.env.event()
    event.succeed()


def _grant(run: _Run) -> None:
    if run.consent != GRANTED:
        _set_consent(run, GRANTED)
        run.emit(Signal.CONSENT_GRANTED)


def _lose_consent(run: _Run, how: ConsentState) -> None:
    _set_consent(run, how)
    _begin_drawdown(run)
    run.emit(Signal.CONSENT_REFUSED if how == ConsentState.REFUSED else Signal.CONSENT_WITHDRAWN)


def _consent(run: _Run) -> Generator[simpy.Event, None, None]:
    env = run.env
    rng = run.stream("decision/consent")
    rules = run.plan.consent
    if rules.initial == ConsentState.PENDING:
        wait = rules.time_to_decision(rng)
        refused = rng.random() < rules.refusal_probability
        yield env.timeout(wait)
        if run.closed:
            return
        if refused:
            _lose_consent(run, ConsentState.REFUSED)
            return
        _grant(run)
    if rules.withdrawal_rate > 0:
        yield env.timeout(rng.expovariate(rules.withdrawal_rate))
        if not run.closed and run.consent == GRANTED:
            _lose_consent(run, ConsentState.WITHDRAWN)


def _add_posts(run: _Run, team_index: int, role: str, count: int) -> None:
    posts = [_open_post(run, team_index, role) for _ in range(count)]
    _activate(run, run.teams[team_index])
    if run.recruiting:
        for post in posts:
            _start(run, post)


def _expansion(run: _Run, expansion: ExpansionPlan) -> Generator[simpy.Event, None, None]:
    rng = run.stream(expansion.stream)
    approved = True
    if expansion.approval is not None:
        delay = expansion.approval.delay(rng)
        approved = rng.random() < expansion.approval.probability
        yield run.env.timeout(delay)
    if run.closed or not run.mandate_active or not approved:
        return
    run.emit(Signal.EXPANSION_APPROVED)
    _start_incidents(run, unit_origin("expansion", expansion.name))
    for rules in expansion.new_teams:
        team = run.teams[rules.team]
        team.min_manning = dict(rules.min_manning)
        team.needs_mediator = rules.needs_mediator
        if run.coverage:
            _recount(run, team)
    for team_index, role, count in expansion.posts:
        _add_posts(run, team_index, role, count)


def _when(run: _Run, trigger: TriggerPlan, action: Callable[[], None], watchers: list[MetricWatcher]) -> None:
    env = run.env
    delay = trigger.delay
    rng = run.stream(trigger.stream)

    def fire() -> None:
        if run.closed:
            return
        wait = delay(rng)
        if wait > 0:
            env.timeout(wait).callbacks.append(lambda _: None if run.closed else action())
        else:
            action()

    if trigger.at is not None:
        env.timeout(trigger.at).callbacks.append(lambda _: fire())
    elif trigger.signal is not None:
        run.on(trigger.signal, fire)
    else:
        assert trigger.metric is not None
        watchers.append(MetricWatcher(trigger.metric, fire))


def _tick(run: _Run, tension: TensionPlan | None, watchers: list[MetricWatcher]) -> Generator[simpy.Event, None, None]:
    """Daily at midday, like the engine's daily pass: tension and metric triggers, nothing recorded."""
    env = run.env
    seen = 0
    yield env.timeout(0.5)
    for day in range(run.plan.horizon):
        if tension is not None:
            coverage = run.teams_operational / run.active_teams if run.active_teams else 0.0
            cases, seen = run.cases - seen, run.cases
            change = tension.drift_per_day - tension.presence_effect * coverage - tension.mediation_effect * cases
            run.tension = min(max(run.tension + change, tension.floor), tension.ceiling)
            run.tension_clock.tick(run.tension, run.closed)
        for watcher in watchers:
            metric, window = watcher.rule.metric, watcher.rule.window
            if metric == "team_coverage":
                watcher.observe(run.teams_operational / run.active_teams if run.active_teams else 0.0)
            elif metric == "tension":
                watcher.observe(run.tension)
            elif day >= window and run.incidents_by_day is not None:
                recent = run.incidents_by_day[day - window : day]
                units = sum(1 for u in run.plan.units
                            if u.team is not None and u.rate_per_day > 0 and run.teams[u.team].authorised > 0)
                watcher.observe(sum(recent) / (window * units) if units else 0.0)
        yield env.timeout(1.0)


# -- one run -------------------------------------------------------------------------------------
def unsupported(scenario: Scenario) -> list[str]:
    """Features the baseline does not model; run_bare refuses scenarios that use them."""
    missing = []
    if scenario.phases:
        missing.append("phases")
    if scenario.consent.fallback_phase is not None:
        missing.append("consent.fallback_phase")
    if scenario.training_programmes:
        missing.append("training_programmes")
    if scenario.budget.ceiling is not None:
        missing.append("budget.ceiling")
    if scenario.budget.funded_posts is not None:
        missing.append("budget.funded_posts")
    if scenario.supply is not None:
        missing.append("supply")
    if scenario.recruitment.roster.refill > 0:
        missing.append("recruitment.roster.refill")
    return missing


@dataclass(frozen=True)
class BareRun:
    events: int
    seconds: float
    end: float  # simulated time the run stopped at
    ticks: bool  # whether a daily tick ran (tension or metric triggers), timed like the engine's daily pass


def _staff_opening_posts(run: _Run) -> None:
    """People and mediators, in the engine's order (ties between equal times follow creation order)."""
    plan = run.plan
    hold = plan.consent.hold_calls
    held: list[_Post] = []
    initial = [t for t in plan.teams if t.initial]
    tables = [
        [
            (_open_post(run, t.index, role), k < in_place)
            for role, count, in_place in t.opening_posts
            for k in range(count)
        ]
        for t in initial
    ]
    vacant = [
        (t.index, post) for t, table in zip(initial, tables, strict=True) for post, in_place in table if not in_place
    ]
    count = min(run.roster_left, len(vacant))
    if count > 0:  # the engine's roster call-up order, from the same pure function
        order = call_up_order(plan, [(team, post.role) for team, post in vacant])
        for position in order[:count]:
            vacant[position][1].roster_reserved = True
        run.roster_left -= count
    for team_plan, table in zip(initial, tables, strict=True):
        team = run.teams[team_plan.index]
        for post, in_place in table:
            if in_place:
                _start(run, post, plan.tour.initial_elapsed(post.rng))
            elif hold and not team.advance:
                held.append(post)
            else:
                _start(run, post)
        _activate(run, team)
    if held:

        def release() -> None:
            for post in held:
                if post.open and run.recruiting:
                    _start(run, post)

        run.on(Signal.CONSENT_GRANTED, release)


def _schedule_dynamics(run: _Run, watchers: list[MetricWatcher]) -> None:
    env = run.env
    env.process(_mandate(run))
    env.process(_consent(run))
    for expansion in run.plan.expansions:

        def start(expansion: ExpansionPlan = expansion) -> None:
            if not run.closed:
                env.process(_expansion(run, expansion))

        _when(run, expansion.trigger, start, watchers)


def run_bare_detail(scenario: Scenario, identity: RunIdentity) -> BareRun:
    missing = unsupported(scenario)
    if missing:
        raise ValueError(f"bench/baseline.py does not model {', '.join(missing)} (scenario {scenario.name!r})")
    started = time.perf_counter()
    plan = compile_plan(scenario)
    streams = Streams(identity)
    env = simpy.Environment()
    metrics = {e.trigger.metric.metric for e in plan.expansions if e.trigger.metric is not None}
    coverage = plan.tension is not None or "team_coverage" in metrics
    ticks = plan.tension is not None or bool(metrics)
    run = _Run(env, plan, streams, coverage)
    if "incident_rate" in metrics:
        run.incidents_by_day = [0] * (plan.horizon + 1)
    watchers: list[MetricWatcher] = []
    if ticks:
        env.process(_tick(run, plan.tension, watchers))
    _staff_opening_posts(run)
    _start_incidents(run, "")
    _schedule_dynamics(run, watchers)

    def end_of_horizon(_: simpy.Event) -> None:
        if not run.stop.triggered:
            run.stop.succeed()

    env.timeout(plan.horizon).callbacks.append(end_of_horizon)
    with cyclic_gc_paused():  # as the engine does, so neither pays for collections the other skips
        env.run(until=run.stop)
    events = next(env._eid) - len(env._queue)  # scheduled minus still queued, as the engine counts
    return BareRun(events, time.perf_counter() - started, env.now, ticks)


def run_bare(scenario: Scenario, identity: RunIdentity) -> tuple[int, float]:
    """Run the bare model once; returns (SimPy events processed, wall seconds including set-up)."""
    bare = run_bare_detail(scenario, identity)
    return bare.events, bare.seconds


def daily_pass_events(horizon: int, end: float) -> int:
    """Events of the engine's daily pass in a run that stopped at ``end``: a start, then one a day.

    A snapshot due exactly at ``end`` was scheduled a day before the stop and so still runs. The
    baseline has no such process unless it needs a daily tick, which is timed the same way.
    """
    return 1 + sum(1 for day in range(horizon) if day + 0.5 <= end)


def expected_difference(scenario: Scenario, bare: BareRun) -> int:
    return 0 if bare.ticks else daily_pass_events(scenario.horizon_days, bare.end)


def main() -> None:
    parser = argparse.ArgumentParser(description="Compare SimPy event counts of the engine and the bare baseline.")
    parser.add_argument("--scenario", default="scenarios/kyrgyzstan-2010.yaml")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--replications", type=int, default=5)
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    missing = unsupported(scenario)
    if missing:
        raise SystemExit(f"{args.scenario}: the bare baseline does not model {', '.join(missing)}")
    print(f"{scenario.name}: SimPy events processed, engine vs bare baseline")
    print(f"{'replication':>11} {'engine':>10} {'bare':>10} {'engine-bare':>12} {'expected':>9} {'stopped at':>11}")
    for rep in range(args.replications):
        identity = RunIdentity(args.seed, 0, rep)
        engine = run_engine(scenario, identity, record_events=True).sim_events
        bare = run_bare_detail(scenario, identity)
        expected = expected_difference(scenario, bare)
        diff = engine - bare.events
        print(f"{rep:>11} {engine:>10,} {bare.events:>10,} {diff:>12,} {expected:>9,} {bare.end:>11.2f}")
    print(
        "expected: the engine's daily pass (a start and one event a day), or 0 when the baseline runs a\n"
        "daily tick of its own (tension, metric triggers); every other event matches one for one."
    )


if __name__ == "__main__":
    main()
