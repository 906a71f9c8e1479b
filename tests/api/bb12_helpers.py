"""Helpers for the black-box tests of issue 12 (reviews and questions,
interests, friends and profiles, activity and recommendations), written from
the issue's Contract and the API's conventions alone (docs/openapi.yaml:
the error shape, list envelopes with `limit` and `starting_after`,
Idempotency-Key). Every reading of a shape the issue leaves open is marked
`# assumption:` where it is made, so the implementer can check it; where a
shape is open the helpers accept the plain variants (a bare list or a list
envelope, a reason as a string or an object) rather than guess one."""
import json
import uuid
from urllib.parse import urlencode

from conftest import Api, new_order
from coupon_helpers import customer, storefront  # noqa: F401  (re-exported)
from loyalty_helpers import DAY, advance, set_clock, set_program  # noqa: F401  (re-exported)

ABUSE_REASONS = ("spam", "profanity", "personal_data", "off_topic")
RATINGS = (1, 2, 3, 4, 5)

# The interests of story 7: one per visibility.
CATALOGUE = [{"key": "green_tea", "name": "Green tea"},
             {"key": "yoga", "name": "Yoga"},
             {"key": "migraine", "name": "Migraine"}]
SOFIA = [{"interest": "green_tea", "visibility": "everyone"},
         {"interest": "yoga", "visibility": "friends"},
         {"interest": "migraine", "visibility": "only_me"}]
EVERYONE, FRIENDS, ONLY_ME = {"green_tea"}, {"green_tea", "yoga"}, {"green_tea", "yoga", "migraine"}


def unique_sku(prefix="SKU"):
    return f"{prefix}-{uuid.uuid4().hex[:6].upper()}"


# ---------------------------------------------------------------- orders


def bought(shop, cust_id, lines, pay=True):
    """An order of cust_id with these lines ({sku, quantity?, unit_price?, name?,
    category?}); paid unless pay is false. The order as retain answers."""
    full = [dict({"quantity": 1, "unit_price": 1000}, **l) for l in lines]
    r = shop.post("/v1/orders", new_order(shop, customer={"id": cust_id}, lines=full))
    assert r.status_code == 201, r.text
    o = r.json()
    if pay:
        r = shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})
        assert r.status_code == 200, r.text
        o = r.json()
    return o


def refund_in_full(shop, o):
    r = shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "all-" + o["id"], "amount": o["total"]})
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "refunded", r.text
    return r.json()


def refund_part(shop, o, amount):
    r = shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "part-" + o["id"], "amount": amount})
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "partially_refunded", r.text
    return r.json()


# ---------------------------------------------------------------- lists


def items_of(body):
    """The items of a list answer.
    assumption: lists are the API's envelope {"object": "list", "data", "has_more"};
    a bare JSON array is accepted too for the answers the issue names as "items"."""
    if isinstance(body, list):
        return body
    assert body.get("object") == "list", body
    assert isinstance(body["data"], list) and isinstance(body["has_more"], bool), body
    return body["data"]


def get(api, path, path_query=None, **kw):
    """GET path with a query dict (values of None left out)."""
    if path_query:
        q = urlencode({k: v for k, v in path_query.items() if v is not None})
        path = f"{path}?{q}" if q else path
    return api.get(path, **kw)


def all_pages(api, path, limit=100, key=lambda x: x["id"], **query):
    """Every item of a cursor-paged list (limit, starting_after), each exactly
    once; `key` gives an item's id (the cursor)."""
    seen, after = [], None
    for _ in range(1000):
        q = dict(query, limit=limit, starting_after=after)
        r = get(api, path, q)
        assert r.status_code == 200, r.text
        body = r.json()
        page = items_of(body)
        assert len(page) <= limit, (limit, len(page))
        seen.extend(page)
        if isinstance(body, list) or not body["has_more"]:
            break
        assert page, "has_more with an empty page"
        after = key(page[-1])
    ids = [key(x) for x in seen]
    assert len(ids) == len(set(ids)), f"an item on two pages: {ids}"
    return seen


def mentions(obj, needle):
    """Whether the JSON text of obj contains needle, case-insensitively."""
    return needle.lower() in json.dumps(obj, ensure_ascii=False).lower()


# ---------------------------------------------------------------- reviews


def post_review(shop, cust_id, rating=5, sku=None, order=None, headers=None, **fields):
    body = {"customer": cust_id, "rating": rating}
    if sku is not None:
        body["sku"] = sku
    if order is not None:
        body["order"] = order
    body.update(fields)
    return shop.post("/v1/reviews", body, headers=headers)


def review(shop, cust_id, rating=5, sku=None, order=None, **fields):
    """A review that must be made: the review.
    assumption: a new review is 201 (as every create in this API), `status`
    "published" (reviews are auto-published, Judge.me style), booleans
    `verified_buyer` and `incentivized`."""
    r = post_review(shop, cust_id, rating, sku, order, **fields)
    assert r.status_code == 201, r.text
    rv = r.json()
    assert rv["id"] and rv["rating"] == rating, rv
    assert rv["status"] == "published", rv
    assert isinstance(rv["verified_buyer"], bool) and isinstance(rv["incentivized"], bool), rv
    return rv


def reviews(shop, **query):
    """Every review of GET /v1/reviews with these filters, over all pages."""
    return all_pages(shop, "/v1/reviews", **query)


def review_ids(shop, **query):
    return {x["id"] for x in reviews(shop, **query)}


def find_review(shop, rid):
    """A review as GET /v1/reviews lists it, published or hidden."""
    for status in ("published", "hidden"):
        for x in reviews(shop, status=status):
            if x["id"] == rid:
                return x
    return None


def reply(shop, rid, body="Thank you for telling us.", public=True):
    """A reply to a review: the reply as the answer carries it.
    adapted (run against main's merged i12-reviews, shape only): the answer may be the
    reply itself or the review with its `replies`."""
    r = shop.post(f"/v1/reviews/{rid}/replies", {"body": body, "public": public})
    assert r.status_code in (200, 201), r.text
    return reply_in(r.json(), body)


def reply_in(answer, body):
    """The reply of text `body` in an answer that is the reply or holds `replies`."""
    if answer.get("body") == body and "public" in answer:
        return answer
    mine = [x for x in answer.get("replies") or [] if x.get("body") == body]
    assert len(mine) == 1, answer
    return mine[0]


def author_customer(rv):
    """The customer who wrote a review.
    adapted (shape only): `customer` on the review, or `author.customer`."""
    if isinstance(rv.get("customer"), str):
        return rv["customer"]
    return rv["author"]["customer"]


def vote(shop, rid, cust_id, helpful=True):
    r = shop.post(f"/v1/reviews/{rid}/votes", {"customer": cust_id, "helpful": helpful})
    assert r.status_code in (200, 201), r.text
    return r.json()


def moderate_raw(shop, rid, action, reason=None):
    body = {"action": action}
    if reason is not None:
        body["reason"] = reason
    return shop.post(f"/v1/reviews/{rid}/moderate", body)


def moderate(shop, rid, action, reason):
    r = moderate_raw(shop, rid, action, reason)
    assert r.status_code == 200, r.text
    return r.json()


def restore(shop, rid):
    """Restores a hidden review.
    adapted (run against main's merged i12-reviews): a restore is sent without a
    reason; one that asks for a reason gets one (the contract gives one body for
    both actions, so either reading passes)."""
    r = moderate_raw(shop, rid, "restore")
    if r.status_code == 400 and (r.json()["error"]["param"] or "") == "reason":
        r = moderate_raw(shop, rid, "restore", "spam")
    assert r.status_code == 200, r.text
    return r.json()


# adapted (shape only): a trail entry may name the action done ("hidden", "restored").
TRAIL_ACTIONS = {"hide": "hide", "hidden": "hide", "restore": "restore", "restored": "restore"}


def history(shop, rid):
    """The moderation entries of GET /v1/reviews/{id}/history, oldest first, each
    with its `action` as hide or restore and its `reason`.
    assumption: the entries are the answer's `data` (a list envelope or another
    object) or the answer itself; entries of other kinds (the review's creation,
    say) are left out here."""
    r = shop.get(f"/v1/reviews/{rid}/history")
    assert r.status_code == 200, r.text
    body = r.json()
    entries = body if isinstance(body, list) else body["data"]
    return [dict(e, action=TRAIL_ACTIONS[e["action"]]) for e in entries if e.get("action") in TRAIL_ACTIONS]


def showcase(api, sku, **kw):
    r = get(api, "/v1/reviews/showcase", {"sku": sku}, **kw)
    assert r.status_code == 200, r.text
    return r.json()


def showcase_items(sc):
    """The reviews of a showcase, best first.
    assumption: under `data`, as a list envelope carries its items."""
    return sc["data"]


def distribution(d):
    """A distribution as {1: n, ..., 5: n}.
    assumption: an object keyed by "1".."5", or a list of {rating, count}, or a
    list of five counts from 1 star to 5 stars."""
    if isinstance(d, dict):
        out = {int(k): v for k, v in d.items()}
    elif d and isinstance(d[0], dict):
        out = {int(x["rating"]): x["count"] for x in d}
    else:
        out = {i + 1: n for i, n in enumerate(d)}
    assert set(out) == set(RATINGS), f"not the full 1-5 distribution: {d}"
    return out


def summary(sc):
    """(average, count, distribution) shown beside the showcase.
    assumption: fields `average`, `count` and `distribution` on the showcase,
    or on one object inside it (a `summary`, say)."""
    holder = sc
    if "distribution" not in sc:
        holder = next(v for v in sc.values() if isinstance(v, dict) and "distribution" in v)
    return holder["average"], holder["count"], distribution(holder["distribution"])


def true_summary(ratings):
    dist = {r: 0 for r in RATINGS}
    for r in ratings:
        dist[r] += 1
    return (sum(ratings) / len(ratings) if ratings else None), len(ratings), dist


def assert_summary(sc, ratings):
    """The showcase's average, count and distribution are those of `ratings`."""
    avg, count, dist = summary(sc)
    want_avg, want_count, want_dist = true_summary(ratings)
    assert (count, dist) == (want_count, want_dist), sc
    if want_avg is None:
        assert avg in (None, 0), sc
    else:
        # assumption: the average may be rounded, to one decimal at the coarsest.
        assert abs(float(avg) - want_avg) <= 0.05, (avg, want_avg)


# ---------------------------------------------------------------- the queue


def queue(shop):
    """Every item of the reply queue GET /v1/reviews/queue, over all pages.
    assumption: a list envelope (cursor pages like every list)."""
    return all_pages(shop, "/v1/reviews/queue", key=lambda x: x.get("id") or queued_id(x))


def queued_id(item):
    """The review or question id a queue item stands for.
    assumption: the item is the review or question itself (its `id`), or wraps
    it under `review` or `question`."""
    for k in ("review", "question"):
        if isinstance(item.get(k), dict):
            return item[k]["id"]
        if isinstance(item.get(k), str):
            return item[k]
    return item["id"]


def queue_ids(shop):
    return {queued_id(x) for x in queue(shop)}


def queue_item(shop, ref):
    mine = [x for x in queue(shop) if queued_id(x) == ref]
    assert len(mine) <= 1, mine
    return mine[0] if mine else None


def due_state(item):
    """(due_at, overdue) of a queue item.
    assumption: the contract's "due and overdue" are `due_at` (a time) and
    `overdue` (a boolean) on the item."""
    assert isinstance(item["overdue"], bool), item
    assert item["due_at"], item
    return item["due_at"], item["overdue"]


# ---------------------------------------------------------------- questions


def ask(shop, cust_id, sku, body="Is it good cold-brewed?"):
    r = shop.post("/v1/questions", {"customer": cust_id, "sku": sku, "body": body})
    assert r.status_code == 201, r.text
    q = r.json()
    assert q["id"], q
    return q


def answer_raw(shop, qid, body, cust_id=None):
    """An answer to a question.
    assumption: the issue names no path; POST /v1/questions/{id}/answers
    {body} is the shop's answer, {customer, body} a customer's."""
    b = {"body": body}
    if cust_id is not None:
        b["customer"] = cust_id
    return shop.post(f"/v1/questions/{qid}/answers", b)


# ---------------------------------------------------------------- interests, friends, profiles


def set_catalogue(shop, interests=None):
    r = shop.request("PUT", "/v1/interests/catalogue", {"interests": interests or CATALOGUE})
    assert r.status_code == 200, r.text
    return r.json()


def put_interests(api, cust_id, items, token=None):
    """PUT /v1/customers/{id}/interests with the body the contract shows: a bare
    array of {interest, visibility}."""
    h = {"Customer-Token": token} if token else None
    return api.request("PUT", f"/v1/customers/{cust_id}/interests", items, headers=h)


def set_interests(api, cust_id, items, token=None):
    r = put_interests(api, cust_id, items, token)
    assert r.status_code == 200, r.text
    return r.json()


def interest_keys(obj):
    """The interest keys listed in a profile (or any object with `interests`).
    Each item names its interest as `interest` (a key, or an object with `key`)
    or as `key`."""
    out = set()
    for it in obj["interests"]:
        k = it.get("interest", it.get("key")) if isinstance(it, dict) else it
        out.add(k["key"] if isinstance(k, dict) else k)
    return out


def befriend_raw(shop, who, other):
    return shop.post(f"/v1/customers/{who}/friends", {"customer": other})


def befriend(shop, who, other):
    """A friend request from who to other."""
    r = befriend_raw(shop, who, other)
    assert r.status_code in (200, 201), r.text
    return r.json()


def accept(shop, who, requester):
    """who accepts the request requester sent."""
    r = shop.post(f"/v1/customers/{who}/friends/{requester}/accept")
    assert r.status_code in (200, 201), r.text
    return r.json()


def decline(shop, who, requester):
    r = shop.post(f"/v1/customers/{who}/friends/{requester}/decline")
    assert r.status_code in (200, 201), r.text
    return r.json()


def unfriend(shop, who, other):
    r = shop.delete(f"/v1/customers/{who}/friends/{other}")
    assert r.status_code in (200, 204), r.text


def friends(shop, a, b):
    befriend(shop, a, b)
    accept(shop, b, a)


def viewer(shop, cust_id):
    """The storefront as cust_id sees it: the publishable key and a token of cust_id."""
    return storefront(shop, cust_id)


def profile_raw(api, pid):
    h = {"Customer-Token": api.token} if getattr(api, "token", None) else None
    return api.get(f"/v1/profiles/{pid}", headers=h)


def profile(api, pid):
    r = profile_raw(api, pid)
    assert r.status_code == 200, r.text
    return r.json()


def seen_by(api, pid):
    """The interest keys api sees on the profile pid."""
    return interest_keys(profile(api, pid))


def author_profile(rv):
    """The profile a review's author links to (the id for GET /v1/profiles/{id}).
    assumption: the review carries `author` (an object with `profile` or `id`, or
    a string), or failing that its `customer` is the profile's id; a link given as
    a path keeps only its last part."""
    a = rv.get("author")
    ref = None
    if isinstance(a, dict):
        ref = a.get("profile") or a.get("id")
        if isinstance(ref, dict):
            ref = ref.get("id")
    elif isinstance(a, str):
        ref = a
    ref = ref or author_customer(rv)
    return ref.rstrip("/").split("/")[-1]


def public_storefront(shop):
    """The publishable key with no customer token (anyone on the shop's pages)."""
    return Api(shop.server, shop.shop["publishable_key"])


def consenting(shop, **fields):
    return customer(shop, marketing_consent=True, **fields)


# ---------------------------------------------------------------- activity, recommendations


def activity_raw(shop, cust_id, events):
    return shop.post(f"/v1/customers/{cust_id}/activity", events)


def activity(shop, cust_id, events):
    r = activity_raw(shop, cust_id, events)
    # assumption: recorded activity is any 2xx (200, 201 or 202).
    assert 200 <= r.status_code < 300, r.text
    return r


def search(shop, cust_id, query, at="2031-06-01T12:00:00Z"):
    return activity(shop, cust_id, {"type": "search", "query": query, "at": at})


def recommendations_raw(shop, cust_id, limit=None):
    return get(shop, f"/v1/customers/{cust_id}/recommendations", {"limit": limit})


def recommendations(shop, cust_id, limit=None):
    """The recommended items.
    assumption: a list envelope or a bare list; each item names its product as
    `sku`."""
    r = recommendations_raw(shop, cust_id, limit)
    assert r.status_code == 200, r.text
    items = items_of(r.json())
    for it in items:
        assert it["sku"] and "reason" in it, it
    return items


def reason_of(item):
    """(kind, details) of an item's reason.
    assumption: `reason` is the kind as a string (its details beside it on the
    item) or an object naming its kind as `type`, `kind` or `code`."""
    r = item["reason"]
    if isinstance(r, str):
        return r, {k: v for k, v in item.items() if k not in ("sku", "reason", "name", "id")}
    kind = r.get("type") or r.get("kind") or r.get("code")
    return kind, r


def by_sku(items):
    out = {}
    for it in items:
        out.setdefault(it["sku"], []).append(it)
    return out
