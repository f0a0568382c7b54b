"""Send a batch: every journal checked first, then up to `Pace.limit` orders in flight at once.

What may go in parallel, and what may not:

- Orders on the same subscription (existing, or created with a subscriptionNumber), and orders
  creating a new account by its number then using it (existingAccountNumber), go one after the
  other, in the order of their specs: a later order leaves only once the earlier one is settled
  (its outcome known), and only if it was created. Otherwise it is held, and a re-run sends it
  after the earlier one. Orders that merely share an existing account go in parallel until they
  meet lock contention; from then on that account's orders go one at a time (see
  `orderspec.dispatch.accounts`): an order on it waits here, holding no place, while another
  order on it is in flight.
- Everything else goes in parallel, on worker threads (httpx's client is thread-safe; journal
  appends are one whole fsynced line each, under a lock). An async order's job is polled by the
  thread that submitted it, so jobs in flight count against the same limit.
- The limit adapts (see `orderspec.dispatch.pace`); no more than the run's concurrency threads exist.
- A tenant that cannot be reached stops the batch: nothing new starts, the orders in flight end
  as not sent, and the ones that never started are reported as not sent (the journal has nothing
  new about them).
- Ctrl-C (or any error) stops every thread at its next wait; the journal already holds every
  step, so the same command finishes the work.
"""

from __future__ import annotations

import contextlib
import heapq
import json
import queue
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from orderspec.dispatch.accounts import existing_account
from orderspec.dispatch.journal import Journal, LiveBySpec, OrderState, journal_path_for, spec_id
from orderspec.dispatch.pace import RunStopped
from orderspec.dispatch.plan import held_detail
from orderspec.dispatch.send import Dispatcher, Outcome
from orderspec.dispatch.tenant import Tenant

if TYPE_CHECKING:
    from orderspec.dispatch import Prepared
    from orderspec.render import RenderedRequest

GRACE = 2.0  # seconds an interrupted run waits for requests in flight to come back (and be journalled)


def order_links(rendered: "RenderedRequest") -> tuple[set[str], set[str]]:
    """What an order changes (its subscriptions, existing or created by number, and the account it
    creates by number), and what it only needs to exist (the existing account it is for).
    Each later order waits for the last earlier order that changed what it changes or needs."""
    try:
        body = json.loads(rendered.body, parse_float=Decimal)
    except ValueError:
        return set(), set()
    if not isinstance(body, dict):
        return set(), set()
    changes: set[str] = set()
    needs: set[str] = set()
    if isinstance(body.get("existingAccountNumber"), str):
        needs.add(f"account:{body['existingAccountNumber']}")
    new_account = body.get("newAccount")
    if isinstance(new_account, dict) and isinstance(new_account.get("accountNumber"), str):
        changes.add(f"account:{new_account['accountNumber']}")
    for subscription in body.get("subscriptions") or []:
        if not isinstance(subscription, dict):
            continue
        if isinstance(subscription.get("subscriptionNumber"), str):
            changes.add(f"subscription:{subscription['subscriptionNumber']}")
        for action in subscription.get("orderActions") or []:
            created = action.get("createSubscription") if isinstance(action, dict) else None
            if isinstance(created, dict) and isinstance(created.get("subscriptionNumber"), str):
                changes.add(f"subscription:{created['subscriptionNumber']}")
    return changes, needs


def journals_of(items: "list[Prepared]") -> dict[Path, Journal]:
    """One Journal per journal file the items' specs share."""
    journals: dict[Path, Journal] = {}
    for item in items:
        path = journal_path_for(item.spec_path)
        journals.setdefault(path, Journal(path))
    return journals


class JournalReads:
    """What each journal says about the orders on each tenant, read once per journal and tenant
    (a run and its dry run ask about every spec)."""

    def __init__(self, journals: dict[Path, Journal]) -> None:
        self.journals = journals
        self._read: dict[tuple[Path, Tenant], tuple[dict[str, OrderState], LiveBySpec]] = {}

    def of(self, path: Path, tenant: Tenant) -> tuple[dict[str, OrderState], LiveBySpec]:
        if (path, tenant) not in self._read:
            states = self.journals[path].states(tenant)
            self._read[path, tenant] = states, LiveBySpec(states)
        return self._read[path, tenant]


@dataclass
class _Task:
    index: int
    item: "Prepared"
    journal: Journal
    state: OrderState
    after: list[int] = field(default_factory=list)  # indexes of tasks that must be settled first
    waiting: int = 0


class _Workers:
    """Threads that run `Dispatcher.create` for tasks handed to them; results come back on a queue."""

    def __init__(self, count: int, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self.tasks: queue.Queue[_Task | None] = queue.Queue()
        self.results: queue.Queue[tuple[_Task, Outcome | None, BaseException | None]] = queue.Queue()
        self.threads = [threading.Thread(target=self._work, name=f"orderspec-send-{n}", daemon=True)
                        for n in range(count)]
        for thread in self.threads:
            thread.start()

    def _work(self) -> None:
        while True:
            task = self.tasks.get()
            if task is None:
                return
            self.results.put(_run(self.dispatcher, task))

    def close(self, wait: float) -> None:
        for _ in self.threads:
            self.tasks.put(None)
        deadline = time.monotonic() + wait
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))


def _run(dispatcher: Dispatcher, task: _Task) -> tuple[_Task, Outcome | None, BaseException | None]:
    try:
        return task, dispatcher.create(task.item.rendered, task.journal, task.state), None
    except RunStopped:
        return task, None, None
    except BaseException as error:  # handed to the main thread, which raises it there
        return task, None, error


def send_batch(items: "list[Prepared]", dispatcher: Dispatcher, *, concurrency: int = 1,
               on_settled: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Create every order exactly once on the dispatcher's tenant, journalling each step (see
    `orderspec.dispatch.send`), up to `concurrency` at once. `on_settled` hears of each outcome as it
    is known (in the calling thread). What the journals say about other tenants does not count."""
    journals = journals_of(items)
    outcomes: list[Outcome | None] = [None] * len(items)

    def settle(index: int, outcome: Outcome) -> None:
        outcomes[index] = outcome
        if on_settled is not None:
            on_settled(outcome)

    if on_settled is not None:
        dispatcher.status_line.enabled = False  # the caller shows progress; one display per terminal
    with contextlib.ExitStack() as stack:
        for journal in journals.values():
            stack.enter_context(journal.locked())
        tasks = _plan(items, dispatcher, journals, settle)
        _dispatch(tasks, dispatcher, concurrency, settle)
        if concurrency <= 1:
            dispatcher.status_line.done()
    return [o for o in outcomes if o is not None]


def _plan(items: "list[Prepared]", dispatcher: Dispatcher, journals: dict[Path, Journal],
          settle: Callable[[int, Outcome], None]) -> list[_Task]:
    """Every journal is read (once) before anything is sent; duplicates and changed specs are
    settled here, the rest become tasks with the earlier tasks they must wait for."""
    reads = JournalReads(journals)
    for item in items:
        reads.of(journal_path_for(item.spec_path), dispatcher.tenant_of(item.rendered))
    first_with_key: dict[tuple[Tenant, str], str] = {}
    last_on: dict[str, int] = {}  # resource -> index of the latest task that changes it
    tasks: list[_Task] = []
    for index, item in enumerate(items):
        path, tenant = journal_path_for(item.spec_path), dispatcher.tenant_of(item.rendered)
        known, live = reads.of(path, tenant)
        key = item.rendered.idempotency_key
        if (tenant, key) in first_with_key:
            settle(index, Outcome(item.rendered.name, key, "skipped", f"the same order as {first_with_key[tenant, key]}"))
            continue
        first_with_key[tenant, key] = item.rendered.name
        spec = spec_id(item.spec_path, item.rendered.name)
        earlier = live.earlier_version(spec, key) if key not in known else None
        if earlier is not None:
            settle(index, Outcome(item.rendered.name, key, "held", held_detail(earlier)))
            continue
        task = _Task(index, item, journals[path], known.get(key, OrderState(key, spec=spec)))
        changes, needs = order_links(item.rendered)
        for resource in sorted(changes | needs):
            if resource in last_on and last_on[resource] not in task.after:
                task.after.append(last_on[resource])
        for resource in changes:  # orders that only need an account do not wait for each other
            last_on[resource] = index
        tasks.append(task)
    return tasks


def _dispatch(tasks: list[_Task], dispatcher: Dispatcher, concurrency: int,
              settle: Callable[[int, Outcome], None]) -> None:
    dependents: dict[int, list[_Task]] = {}
    for task in tasks:
        task.waiting = len(task.after)
        for earlier in task.after:
            dependents.setdefault(earlier, []).append(task)
    ready = [(task.index, task) for task in tasks if not task.waiting]  # a heap: the earliest spec first
    results: dict[int, Outcome | None] = {}
    pace, reachability = dispatcher.client.pace, dispatcher.client.reachability
    concurrency = pace.start(concurrency)  # never more threads than the ceiling allows
    reachability.reset()
    dispatcher.accounts.reset()  # every shared account goes in parallel until it meets lock contention
    workers = _Workers(min(concurrency, len(tasks)), dispatcher) if concurrency > 1 and tasks else None
    if workers is not None:
        dispatcher.status_line.enabled = False  # threads do not share one terminal line
    in_flight = 0
    done = 0
    stopping = False
    account_of = {task.index: existing_account(task.item.rendered.body) for task in tasks}
    on_account: dict[str, int] = {}  # tasks in flight on each existing account
    parked: dict[str, list[_Task]] = {}  # tasks waiting for their serialised account to be free
    sent: set[int] = set()  # tasks handed to a worker (or run)

    def finish(task: _Task, outcome: Outcome | None) -> None:
        nonlocal done
        done += 1
        if outcome is None:  # stopped before it was settled: the journal says where it got to
            outcome = Outcome(task.item.rendered.name, task.item.rendered.idempotency_key, "not-sent",
                              "not sent: the run stopped before this order left")
        results[task.index] = outcome
        settle(task.index, outcome)
        account = account_of[task.index]
        if account is not None and task.index in sent:
            on_account[account] -= 1
            for waiting in parked.pop(account, []):
                heapq.heappush(ready, (waiting.index, waiting))
        for later in dependents.get(task.index, []):
            later.waiting -= 1
            if not later.waiting:
                heapq.heappush(ready, (later.index, later))

    def hold_or_go(task: _Task) -> bool:
        """Whether `task` may go: every earlier order on its subscriptions or account was created."""
        unsettled = [outcome for outcome in (results.get(i) for i in task.after)
                     if outcome is not None and not outcome.ok]
        if not unsettled:
            return True
        earlier = unsettled[0]
        finish(task, Outcome(task.item.rendered.name, task.item.rendered.idempotency_key, "held",
                             f"waits for {earlier.name}, an earlier order on the same subscription or account, "
                             f"which is {earlier.status}: it is sent once that one is created (run again)"))
        return False

    try:
        while done < len(tasks):
            if reachability.dead is not None:
                stopping = True
            while ready and not stopping and in_flight < pace.limit:
                task = heapq.heappop(ready)[1]
                if not hold_or_go(task):
                    continue
                account = account_of[task.index]
                if account is not None:
                    if on_account.get(account) and dispatcher.accounts.serialised(account):
                        parked.setdefault(account, []).append(task)
                        continue
                    on_account[account] = on_account.get(account, 0) + 1
                sent.add(task.index)
                if workers is None:
                    task, outcome, error = _run(dispatcher, task)
                    if error is not None:
                        raise error
                    finish(task, outcome)
                    if reachability.dead is not None:
                        stopping = True
                    continue
                workers.tasks.put(task)
                in_flight += 1
            if stopping and not in_flight:
                for task in sorted((t for t in tasks if t.index not in results), key=lambda t: t.index):
                    finish(task, Outcome(task.item.rendered.name, task.item.rendered.idempotency_key, "not-sent",
                                         f"not sent: {reachability.dead or 'the run stopped'}"))
                break
            if workers is None or not in_flight:
                continue
            try:
                task, outcome, error = workers.results.get(timeout=0.2)
            except queue.Empty:
                continue
            in_flight -= 1
            if error is not None:
                raise error
            finish(task, outcome)
    except BaseException:
        pace.stop.set()  # every thread's next wait ends; requests in flight come back and are journalled
        if workers is not None:
            workers.close(GRACE)
        raise
    if workers is not None:
        workers.close(GRACE)
