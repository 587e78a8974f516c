"""The automatic split: a pure algorithm over plain values, so that it can be proven and tested.

Rules (stage 4 of the programme):
- *excellent* → the original salesperson keeps the client when they are in the pool (forced);
- *monopolised* → never the original salesperson;
- *uncertain* → someone other than the original salesperson, unless they are the whole pool;
- everything else balances the importance-weighted load in proportion to capacity.

How the balance is kept, and why it holds. Let ``T`` be the weight of everything the pool will
hold (what they already hold plus the clients being split), ``C`` the pool's capacity and
``share_i = T * c_i / C`` person *i*'s capacity share. After the forced placements, the clients
are placed one by one — first those that exclude someone (monopolised, uncertain), then the
rest, each group by descending weight — on the eligible person with the lowest ``load / capacity``
(ties: the earlier person in the pool). When everyone is eligible, that lowest ratio is at most
the current average ``≤ T / C``, so the receiver had ``load ≤ share`` before and ``≤ share + w``
after: **no one who receives a freely placed client ends above their share by more than one
client's weight**. Clients that exclude someone can only push a person above that bound when the
excluded weight is so large that the rest of the pool cannot absorb it (see the property tests).
"""

import heapq
from collections.abc import Iterable
from dataclasses import dataclass

EXCELLENT = "excellent"
UNCERTAIN = "uncertain"
MONOPOLISED = "monopolised"


@dataclass(frozen=True)
class SplitClient:
    id: int
    weight: int
    salesperson_id: int | None
    assessment: str = ""


@dataclass(frozen=True)
class SplitPerson:
    id: int
    capacity: float
    load: float = 0  # the weight of the clients they already hold in the programme


@dataclass
class SplitResult:
    assignments: dict  # client id → person id
    unplaced: list  # client ids no one in the pool may take


def excluded_person(client: SplitClient, pool_ids: set) -> int | None:
    """The one person who may not (or should preferably not) take the client, if any."""
    if client.salesperson_id not in pool_ids:
        return None
    if client.assessment == MONOPOLISED:
        return client.salesperson_id
    if client.assessment == UNCERTAIN and len(pool_ids) > 1:
        return client.salesperson_id
    return None


def propose(clients: Iterable[SplitClient], pool: Iterable[SplitPerson]) -> SplitResult:
    pool = [person for person in pool if person.capacity > 0]
    pool_ids = {person.id for person in pool}
    load = {person.id: float(person.load) for person in pool}
    capacity = {person.id: person.capacity for person in pool}
    order = {person.id: index for index, person in enumerate(pool)}
    assignments, unplaced, constrained, free = {}, [], [], []

    for client in clients:
        if client.assessment == EXCELLENT and client.salesperson_id in pool_ids:
            assignments[client.id] = client.salesperson_id
            load[client.salesperson_id] += client.weight
        elif excluded_person(client, pool_ids) is not None:
            constrained.append(client)
        else:
            free.append(client)
    if not pool:
        return SplitResult(assignments={}, unplaced=[c.id for c in constrained + free])

    def by_weight(client):
        return (-client.weight, client.id)

    # The least loaded person (load/capacity, then pool order) is the top of a heap holding one
    # entry per person, kept current: O(n log p) for n clients over p people, where a min()
    # over the pool for each client was O(n p) (30,000 constrained clients over 200 people:
    # 4 s of the split).
    heap = [(load[pid] / capacity[pid], order[pid], pid) for pid in pool_ids]
    heapq.heapify(heap)

    def place(client, excluded=None):
        """The least loaded person but ``excluded``, given the client; None if there is none."""
        entry = heapq.heappop(heap)
        skipped = None
        if entry[2] == excluded:
            if not heap:
                heapq.heappush(heap, entry)
                return None
            skipped, entry = entry, heapq.heappop(heap)
        _, position, chosen = entry
        load[chosen] += client.weight
        heapq.heappush(heap, (load[chosen] / capacity[chosen], position, chosen))
        if skipped is not None:
            heapq.heappush(heap, skipped)
        return chosen

    for client in sorted(constrained, key=by_weight):
        chosen = place(client, excluded=excluded_person(client, pool_ids))
        if chosen is None:
            unplaced.append(client.id)
        else:
            assignments[client.id] = chosen

    # Everyone is eligible from here on.
    for client in sorted(free, key=by_weight):
        assignments[client.id] = place(client)
    return SplitResult(assignments=assignments, unplaced=unplaced)
