"""The automatic split's rules and balance, proven over random pools and lists (hypothesis)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from programme.split import SplitClient, SplitPerson, excluded_person, propose

ASSESSMENTS = ["", "excellent", "uncertain", "monopolised"]


@st.composite
def pools_and_lists(draw, assessments=ASSESSMENTS):
    size = draw(st.integers(min_value=1, max_value=6))
    pool = [
        SplitPerson(
            id=person,
            capacity=draw(st.sampled_from([1.0, 0.5])),
            load=draw(st.integers(min_value=0, max_value=6)),
        )
        for person in range(1, size + 1)
    ]
    # Salespeople are people of the pool or outsiders (ids 100, 101).
    people = [person.id for person in pool] + [100, 101]
    clients = [
        SplitClient(
            id=index,
            weight=draw(st.sampled_from([1, 2, 3])),
            salesperson_id=draw(st.sampled_from([*people, None])),
            assessment=draw(st.sampled_from(assessments)),
        )
        for index in range(draw(st.integers(min_value=0, max_value=40)))
    ]
    return pool, clients


def loads(pool, clients, assignments):
    load = {person.id: person.load for person in pool}
    weight = {client.id: client.weight for client in clients}
    for client_id, person in assignments.items():
        load[person] += weight[client_id]
    return load


def share(pool, clients, person):
    total = sum(p.load for p in pool) + sum(c.weight for c in clients)
    return total * person.capacity / sum(p.capacity for p in pool)


@settings(max_examples=300, deadline=None)
@given(pools_and_lists())
def test_split_obeys_the_rules_and_balances_freely_placed_clients(case):
    pool, clients = case
    pool_ids = {person.id for person in pool}
    result = propose(clients, pool)

    by_id = {client.id: client for client in clients}
    for client_id, person in result.assignments.items():
        client = by_id[client_id]
        assert person in pool_ids
        if client.assessment == "monopolised":
            assert person != client.salesperson_id
        if client.assessment == "excellent" and client.salesperson_id in pool_ids:
            assert person == client.salesperson_id
        if client.assessment == "uncertain" and len(pool_ids) > 1:
            assert person != client.salesperson_id
    # Every client is placed, except a monopolised one whose salesperson is the whole pool.
    for client in clients:
        if client.id not in result.assignments:
            assert client.assessment == "monopolised"
            assert pool_ids == {client.salesperson_id}
    # Whoever receives a client that anyone may take ends within one client's weight of their
    # capacity share (the proof is in programme/split.py).
    load = loads(pool, clients, result.assignments)
    free_receivers = {
        result.assignments[client.id]
        for client in clients
        if client.id in result.assignments
        and excluded_person(client, pool_ids) is None
        and not (client.assessment == "excellent" and client.salesperson_id in pool_ids)
    }
    for person in pool:
        if person.id in free_receivers:
            assert load[person.id] <= share(pool, clients, person) + 3 + 1e-9


@settings(max_examples=300, deadline=None)
@given(pools_and_lists())
def test_split_keeps_everyone_within_one_weight_of_their_share_when_the_pool_can_absorb_it(case):
    """With the forced and constrained clients not more than the rest of the pool can take,
    every person's load is at most their capacity share plus one client's weight, or what the
    rules force on them (excellent clients and what they already held)."""
    pool, clients = case
    pool_ids = {person.id for person in pool}
    total = sum(p.load for p in pool) + sum(c.weight for c in clients)
    capacity = sum(p.capacity for p in pool)
    forced = {person.id: person.load for person in pool}
    for client in clients:
        if client.assessment == "excellent" and client.salesperson_id in pool_ids:
            forced[client.salesperson_id] += client.weight
    constrained = sum(c.weight for c in clients if excluded_person(c, pool_ids) is not None)
    absorbable = all(
        sum(forced.values()) - forced[s.id] + constrained
        <= (capacity - s.capacity) * total / capacity
        for s in pool
    )
    result = propose(clients, pool)
    load = loads(pool, clients, result.assignments)
    if absorbable:
        for person in pool:
            bound = max(forced[person.id], share(pool, clients, person) + 3)
            assert load[person.id] <= bound + 1e-9


@settings(max_examples=200, deadline=None)
@given(pools_and_lists(assessments=["", "excellent"]))
def test_split_without_exclusions_balances_every_receiver(case):
    pool, clients = case
    pool_ids = {person.id for person in pool}
    result = propose(clients, pool)
    load = loads(pool, clients, result.assignments)
    assert len(result.assignments) == len(clients)
    for person in pool:
        received = any(
            p == person.id and not (by.assessment == "excellent" and by.salesperson_id in pool_ids)
            for by in clients
            for cid, p in result.assignments.items()
            if cid == by.id
        )
        if received:
            assert load[person.id] <= share(pool, clients, person) + 3 + 1e-9


def test_split_gives_twice_the_load_to_a_dedicated_employee_as_to_a_shared_one():
    pool = [SplitPerson(id=1, capacity=1.0), SplitPerson(id=2, capacity=0.5)]
    clients = [SplitClient(id=i, weight=1, salesperson_id=None) for i in range(30)]

    result = propose(clients, pool)

    assert sum(1 for p in result.assignments.values() if p == 1) == 20
    assert sum(1 for p in result.assignments.values() if p == 2) == 10


def test_split_leaves_a_monopolised_client_unplaced_when_only_its_salesperson_is_in_the_pool():
    result = propose(
        [SplitClient(id=1, weight=3, salesperson_id=7, assessment="monopolised")],
        [SplitPerson(id=7, capacity=1.0)],
    )
    assert result.assignments == {}
    assert result.unplaced == [1]


def propose_by_min(clients, pool):
    """The rule written plainly, as the split was before its heap: each client, heaviest first
    (constrained ones before the rest), to the least loaded eligible person (load/capacity,
    then pool order)."""
    pool = [person for person in pool if person.capacity > 0]
    pool_ids = {person.id for person in pool}
    load = {person.id: float(person.load) for person in pool}
    capacity = {person.id: person.capacity for person in pool}
    order = {person.id: index for index, person in enumerate(pool)}
    assignments, unplaced, constrained, free = {}, [], [], []
    for client in clients:
        if client.assessment == "excellent" and client.salesperson_id in pool_ids:
            assignments[client.id] = client.salesperson_id
            load[client.salesperson_id] += client.weight
        elif excluded_person(client, pool_ids) is not None:
            constrained.append(client)
        else:
            free.append(client)
    if not pool:
        return {}, [c.id for c in constrained + free]
    for batch in (constrained, free):
        for client in sorted(batch, key=lambda c: (-c.weight, c.id)):
            excluded = excluded_person(client, pool_ids)
            eligible = [pid for pid in pool_ids if pid != excluded]
            if not eligible:
                unplaced.append(client.id)
                continue
            chosen = min(eligible, key=lambda pid: (load[pid] / capacity[pid], order[pid]))
            assignments[client.id] = chosen
            load[chosen] += client.weight
    return assignments, unplaced


@settings(max_examples=300, deadline=None)
@given(pools_and_lists())
def test_split_chooses_what_the_plain_rule_chooses(case):
    pool, clients = case
    result = propose(clients, pool)
    assert (result.assignments, result.unplaced) == propose_by_min(clients, pool)
