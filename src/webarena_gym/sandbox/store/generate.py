"""Generate the store's data (catalogue, customers, orders, reviews, search terms) from a seed.

:func:`generate_store` fills a connection on which ``store/schema.sql`` has been run. The same
seed always gives the same rows (one ``random.Random(seed)``, no clock, no set iteration); a new
seed gives a different store. The default customer (Emma Lopez) always exists with a rich
history, so that tasks which start signed in have something to work on.
"""

from __future__ import annotations

import json
import random
import sqlite3
from bisect import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate

from webarena_gym.sandbox.store import vocab
from webarena_gym.sandbox.store.catalog import (
    DATE_FORMAT,
    PAYMENT_METHOD,
    SHIPPING_METHODS,
    format_address,
    search_tokens,
    shipping_amount,
    slugify,
)

#: bump when the generated data changes for a given seed (tasks' fixed splits depend on it)
GENERATOR_VERSION = "store-1"

DEFAULT_CUSTOMER_EMAIL = "emma.lopez@gmail.com"
DEFAULT_CUSTOMER_PASSWORD = "Password.123"
DEFAULT_CUSTOMER_FIRST_NAME = "Emma"
DEFAULT_CUSTOMER_LAST_NAME = "Lopez"
DEFAULT_CUSTOMER_NAME = "Emma Lopez"
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin1234"

ORDER_STATUSES = ("pending", "processing", "complete", "canceled", "closed", "on hold")
FIRST_ORDER_AT = datetime(2021, 1, 1)
LAST_ORDER_AT = datetime(2023, 5, 31, 23, 0)
N_CUSTOMERS = 150
N_ORDERS = 3000
N_REVIEWS = 2000
N_SEARCH_TERMS = 200
MAX_REVIEWS_PER_PRODUCT = 40

_COLOR_WORDS = set(vocab.COLORS) | {
    "Teal", "Silver", "Gold", "Graphite", "Orange", "Clear", "Steel", "Espresso", "Oak", "Walnut",
    "Wash", "Champagne", "Tortoise", "Smoke", "Mirrored", "Nude", "Berry", "Coral", "Tan",
}

_EMMA_ADDRESSES = (
    ("1427 Maple Dr, Apt 4B", "Pittsburgh", "Pennsylvania", "15213", "412-268-3400", 1, 1),
    ("350 Market St, Floor 12", "San Francisco", "California", "94105", "415-555-0187", 0, 0),
    ("82 Lake Shore Dr", "Chicago", "Illinois", "60611", "312-555-0143", 0, 0),
)


@dataclass
class _Product:
    id: int
    kind: vocab.Kind
    name: str
    sku: str
    price: float
    enabled: bool
    colors: list[str] = field(default_factory=list)
    sizes: list[str] = field(default_factory=list)


def _weighted(rng: random.Random, values: tuple, cum: tuple[float, ...]):
    """``rng.choices(values, cum_weights=cum)[0]``, without its per-call overhead."""
    return values[bisect(cum, rng.random() * cum[-1])]


def _cum(*weights: float) -> tuple[float, ...]:
    return tuple(accumulate(weights))


_ITEM_COUNTS, _ITEM_COUNT_CUM = (1, 2, 3, 4), _cum(50, 28, 14, 8)
_QTYS, _QTY_CUM = (1, 2, 3, 4), _cum(72, 18, 6, 4)
_RATINGS = (5, 4, 3, 2, 1)
_RATING_CUM_GOOD, _RATING_CUM_POOR = _cum(46, 26, 11, 7, 10), _cum(14, 14, 20, 22, 30)
_STATUS_CUM_RECENT, _STATUS_CUM_OLD = _cum(34, 25, 31, 6, 1, 3), _cum(4, 2, 74, 10, 7, 3)
_REVIEW_STATUSES, _REVIEW_STATUS_CUM = ("approved", "pending", "not_approved"), _cum(92, 6, 2)


def _ts(dt: datetime) -> str:
    return dt.strftime(DATE_FORMAT)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + timedelta(seconds=rng.randrange(int((end - start).total_seconds())))


def _plural(noun: str) -> str:
    word = noun.lower()
    if word.endswith("s"):
        return word
    if word.endswith("y") and word[-2:] not in ("ay", "ey", "oy"):
        return word[:-1] + "ies"
    if word.endswith(("ch", "sh", "x")):
        return word + "es"
    return word + "s"


def _price(rng: random.Random, lo: float, hi: float) -> float:
    value = rng.uniform(lo, hi)
    if value >= 100:
        return round(value, -1) - 0.01
    return max(1.99, float(int(value)) + rng.choice((0.99, 0.99, 0.99, 0.95, 0.49)))


def _money(value: float) -> float:
    return round(value + 1e-9, 2)


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _categories(conn: sqlite3.Connection) -> list[tuple[int, vocab.Kind]]:
    """Insert the category tree; return (subcategory id, kind list index) slots for products."""
    rows, subs, next_id = [], [], 1
    for i, (top, children) in enumerate(vocab.CATALOG.items()):
        top_id, top_key = next_id, slugify(top)
        rows.append((top_id, None, top, top_key, i + 1))
        next_id += 1
        for j, sub in enumerate(children):
            rows.append((next_id, top_id, sub, f"{top_key}/{slugify(sub)}", j + 1))
            subs.append((next_id, children[sub]))
            next_id += 1
    conn.executemany("INSERT INTO categories VALUES (?,?,?,?,?)", rows)
    return subs


def _products(conn: sqlite3.Connection, rng: random.Random, subs: list) -> list[_Product]:
    products: list[_Product] = []
    names: set[str] = set()
    keys: set[str] = set()
    skus: set[str] = set()
    rows = []
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
    for category_id, kinds in subs:
        made = [(kind, kind.pairs()) for kind in kinds]
        for _ in range(rng.randint(13, 19)):
            for _attempt in range(30):
                kind, pairs = rng.choice(made)
                brand, model = rng.choice(pairs)
                colors: list[str] = []
                sizes: list[str] = []
                variant = rng.choice(kind.variants) if kind.variants else ""
                if kind.options == "apparel":
                    colors = sorted(rng.sample(vocab.COLORS, rng.randint(3, 5)),
                                    key=vocab.COLORS.index)
                    lo = rng.randint(0, 1)
                    sizes = list(vocab.APPAREL_SIZES[lo:lo + rng.randint(4, 5)])
                    variant = ""
                elif kind.options == "shoes":
                    colors = sorted(rng.sample(vocab.COLORS, rng.randint(2, 4)),
                                    key=vocab.COLORS.index)
                    lo = rng.randint(0, 3)
                    sizes = list(vocab.SHOE_SIZES[lo:lo + rng.randint(7, 9)])
                    variant = ""
                elif kind.options == "color":
                    if all(v.split()[-1] in _COLOR_WORDS for v in kind.variants):
                        colors = [v for v in kind.variants if rng.random() < 0.8] or [variant]
                        variant = ""
                    else:
                        colors = sorted(rng.sample(vocab.COLORS[:8], rng.randint(2, 4)),
                                        key=vocab.COLORS.index)
                name = f"{brand} {model} {kind.noun}" + (f", {variant}" if variant else "")
                if name not in names:
                    break
            else:
                continue
            names.add(name)
            key = slugify(name)
            while key in keys:
                key += "-1"
            keys.add(key)
            sku = "B0" + "".join(rng.choice(alphabet) for _ in range(8))
            while sku in skus:
                sku = "B0" + "".join(rng.choice(alphabet) for _ in range(8))
            skus.add(sku)
            price = _price(rng, *kind.price)
            special = None
            if rng.random() < 0.12:
                special = float(int(price * rng.uniform(0.7, 0.9))) + 0.99
                special = special if special < price else None
            out_of_stock = rng.random() < 0.06
            enabled = rng.random() >= 0.03
            qty = 0 if out_of_stock else rng.randint(3, 400)
            fill = {"name": name, "short": f"{model} {kind.noun}", "brand": brand,
                    "use": kind.use, "noun_l": kind.noun.lower(),
                    "noun_l_plural": _plural(kind.noun)}
            praised = [a for a in kind.aspects if a not in vocab.TROUBLE_ASPECTS]
            a1, a2 = rng.sample(praised if len(praised) >= 2 else kind.aspects, 2)
            sentences = [
                rng.choice(vocab.DESCRIPTION_OPENERS).format(**fill),
                rng.choice(vocab.DESCRIPTION_ASPECTS).format(a1=a1, a2=a2),
            ]
            if colors and sizes:
                sentences.append(f"Available in {_join(colors)}, sizes {sizes[0]} to {sizes[-1]}.")
            elif colors:
                sentences.append(f"Choose from {_join(colors)}.")
            sentences.append(rng.choice(vocab.DESCRIPTION_CLOSERS).format(**fill))
            pid = len(products) + 1
            rows.append((
                pid, sku, name, key, category_id, price, special, qty, 0 if out_of_stock else 1,
                1 if enabled else 2, " ".join(sentences), sentences[0],
                json.dumps(colors) if colors else None, json.dumps(sizes) if sizes else None,
                round(rng.uniform(0.2, 4.0) * (1 + kind.price[1] / 200), 2),
                _ts(_between(rng, datetime(2020, 1, 1), datetime(2022, 12, 31))),
            ))
            products.append(_Product(pid, kind, name, sku, special or price, enabled,
                                     colors, sizes))
    conn.executemany("INSERT INTO products VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    return products


def _phone(rng: random.Random, area: str) -> str:
    return f"{area}-{rng.randint(201, 989)}-{rng.randint(0, 9999):04d}"


def _customers(conn: sqlite3.Connection, rng: random.Random) -> tuple[list[tuple], dict[int, list]]:
    """Insert customers and addresses; return customer rows and their address rows by id."""
    customers = [(1, DEFAULT_CUSTOMER_EMAIL, DEFAULT_CUSTOMER_PASSWORD,
                  DEFAULT_CUSTOMER_FIRST_NAME, DEFAULT_CUSTOMER_LAST_NAME, "412-268-3400",
                  "Female", "1991-04-12", "General", 1, "2020-03-14 10:22:31")]
    emails = {DEFAULT_CUSTOMER_EMAIL}
    while len(customers) < N_CUSTOMERS:
        female = rng.random() < 0.55
        first = rng.choice(vocab.FIRST_NAMES_F if female else vocab.FIRST_NAMES_M)
        last = rng.choice(vocab.LAST_NAMES)
        if first == DEFAULT_CUSTOMER_FIRST_NAME and last == DEFAULT_CUSTOMER_LAST_NAME:
            continue
        pattern = rng.randrange(4)
        local = (f"{first}.{last}", f"{first}{last}{rng.randint(1, 99)}", f"{first[0]}{last}",
                 f"{first}_{last}")[pattern].lower()
        email = f"{local}@{rng.choice(vocab.EMAIL_DOMAINS)}"
        if email in emails:
            continue
        emails.add(email)
        city = rng.choice(vocab.CITIES)
        customers.append((
            len(customers) + 1, email, f"{first}{rng.randint(100, 999)}!", first, last,
            _phone(rng, city[3]), "Female" if female else "Male",
            _ts(_between(rng, datetime(1958, 1, 1), datetime(2002, 12, 31)))[:10],
            rng.choices(("General", "Wholesale", "Retailer"), (85, 8, 7))[0],
            1 if rng.random() < 0.3 else 0,
            _ts(_between(rng, datetime(2019, 1, 1), datetime(2022, 12, 31))),
        ))
    conn.executemany("INSERT INTO customers VALUES (?,?,?,?,?,?,?,?,?,?,?)", customers)

    addresses: dict[int, list] = {}
    rows = []
    for c in customers:
        cid, first, last = c[0], c[3], c[4]
        if cid == 1:
            entries = [(street, city, region, postcode, phone, b, s)
                       for street, city, region, postcode, phone, b, s in _EMMA_ADDRESSES]
        else:
            entries = []
            for k in range(1 if rng.random() < 0.75 else 2):
                city, region, zip3, area = rng.choice(vocab.CITIES)
                street = f"{rng.randint(10, 9899)} {rng.choice(vocab.STREET_NAMES)}"
                if rng.random() < 0.25:
                    street += f", Apt {rng.randint(1, 40)}{rng.choice('ABCD')}"
                postcode = f"{zip3}{rng.randint(1, 99):02d}"
                entries.append((street, city, region, postcode,
                                c[5] if k == 0 else _phone(rng, area), int(k == 0), int(k == 0)))
        for street, city, region, postcode, phone, billing, shipping in entries:
            row = (len(rows) + 1, cid, first, last, street, city, region, postcode,
                   "United States", phone, billing, shipping)
            rows.append(row)
            addresses.setdefault(cid, []).append(row)
    conn.executemany("INSERT INTO addresses VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    return customers, addresses


def _address_text(row: tuple) -> str:
    keys = ("id", "customer_id", "first_name", "last_name", "street", "city", "region",
            "postcode", "country", "phone")
    return format_address(dict(zip(keys, row, strict=False)))


def _options(rng: random.Random, p: _Product) -> str | None:
    opts = {}
    if p.colors:
        opts["Color"] = rng.choice(p.colors)
    if p.sizes:
        opts["Size"] = rng.choice(p.sizes)
    return json.dumps(opts) if opts else None


_COMMENTS = {
    "pending": ("Awaiting check / money order payment.",
                "Customer asked to hold shipment until the payment clears."),
    "processing": ("Payment received; preparing your order for shipment.",
                   "Items picked and packed at the warehouse."),
    "canceled": ("Order canceled at the customer's request.",
                 "Canceled: payment was not received within 14 days.",
                 "Canceled: an item went out of stock."),
    "closed": ("Refunded in full; the items were returned.",
               "Closed after a credit memo was issued for a damaged item."),
    "on hold": ("Order placed on hold pending address verification.",
                "On hold: waiting for the customer to confirm the shipping address."),
}


def _status(rng: random.Random, created: datetime) -> str:
    recent = created >= datetime(2023, 4, 20)
    return _weighted(rng, ORDER_STATUSES, _STATUS_CUM_RECENT if recent else _STATUS_CUM_OLD)


def _orders(conn: sqlite3.Connection, rng: random.Random, products: list[_Product],
            customers: list[tuple], addresses: dict[int, list]) -> dict[int, list[int]]:
    """Insert orders, items and comments; return product ids ordered per customer."""
    span = int((LAST_ORDER_AT - FIRST_ORDER_AT).total_seconds())
    times = sorted(FIRST_ORDER_AT + timedelta(seconds=rng.randrange(span)) for _ in range(N_ORDERS))
    times = [t.replace(hour=rng.randint(7, 22)) for t in times]
    times.sort()
    emma_count = rng.randint(20, 26)
    emma_idx = sorted(rng.sample(range(N_ORDERS), emma_count))
    emma_status = (["pending"] * 4 + ["processing"] * 2 + ["canceled"] * 3 + ["closed", "on hold"]
                   + ["complete"] * (emma_count - 11))
    rng.shuffle(emma_status)
    emma_by_index = dict(zip(emma_idx, emma_status, strict=True))

    popularity = [rng.paretovariate(1.2) * (1.0 if p.enabled else 0.15) for p in products]
    cum = list(accumulate(popularity))
    others = customers[1:]
    cust_cum = list(accumulate(rng.paretovariate(1.5) for _ in others))

    texts = {a[0]: _address_text(a) for book in addresses.values() for a in book}
    orders, items, comments = [], [], []
    bought: dict[int, list[int]] = {}
    for n, created in enumerate(times):
        oid = n + 1
        if n in emma_by_index:
            customer, status = customers[0], emma_by_index[n]
        elif rng.random() < 0.08:
            customer, status = None, _status(rng, created)
        else:
            customer = others[bisect(cust_cum, rng.random() * cust_cum[-1])]
            status = _status(rng, created)
        if customer is None:
            first = rng.choice(vocab.FIRST_NAMES_F + vocab.FIRST_NAMES_M)
            last = rng.choice(vocab.LAST_NAMES)
            email = f"{first}.{last}{rng.randint(1, 999)}@{rng.choice(vocab.EMAIL_DOMAINS)}".lower()
            city, region, zip3, area = rng.choice(vocab.CITIES)
            shipping = billing = format_address({
                "first_name": first, "last_name": last,
                "street": f"{rng.randint(10, 9899)} {rng.choice(vocab.STREET_NAMES)}",
                "city": city, "region": region, "postcode": f"{zip3}{rng.randint(1, 99):02d}",
                "country": "United States", "phone": _phone(rng, area)})
            cid, name = None, f"{first} {last}"
        else:
            cid, email, name = customer[0], customer[1], f"{customer[3]} {customer[4]}"
            book = addresses[cid]
            default = next(a for a in book if a[11])
            ship_row = default if len(book) == 1 or rng.random() < 0.7 else rng.choice(book)
            shipping, billing = texts[ship_row[0]], texts[default[0]]
        picked: list[_Product] = []
        for _ in range(_weighted(rng, _ITEM_COUNTS, _ITEM_COUNT_CUM)):
            p = products[bisect(cum, rng.random() * cum[-1])]
            if all(p.id != q.id for q in picked):
                picked.append(p)
        subtotal, total_qty = 0.0, 0
        for p in picked:
            qty = _weighted(rng, _QTYS, _QTY_CUM)
            price = p.price if rng.random() < 0.9 else _money(p.price * rng.uniform(0.9, 1.1))
            subtotal += price * qty
            total_qty += qty
            items.append((len(items) + 1, oid, p.id, p.sku, p.name, _options(rng, p), price, qty))
            if cid is not None:
                bought.setdefault(cid, []).append(p.id)
        subtotal = _money(subtotal)
        method = "flatrate" if rng.random() < 0.7 else "tablerate"
        ship = shipping_amount(method, subtotal, total_qty)
        discount = 0.0
        if rng.random() < 0.12:
            discount = _money(subtotal * 0.1 if rng.random() < 0.6 else min(10.0, subtotal / 2))
        orders.append((
            oid, f"{oid:09d}", cid, email, name, status, _ts(created), subtotal, ship,
            discount, _money(subtotal + ship - discount), SHIPPING_METHODS[method],
            PAYMENT_METHOD, shipping, billing,
        ))
        if status != "complete" and (cid == 1 or rng.random() < 0.45) or (
                status == "complete" and (cid == 1 or rng.random() < 0.3)):
            when = created
            history = [("processing", "Payment received; preparing your order for shipment."),
                       ("complete", f"Shipped via UPS, tracking number 1Z{rng.randrange(10**12):012d}.")
                       ] if status == "complete" else [(status, rng.choice(_COMMENTS[status]))]
            for st, text in history:
                when = min(when + timedelta(minutes=rng.randint(30, 60 * 48)),
                           datetime(2023, 5, 31, 23, 59))
                comments.append((len(comments) + 1, oid, text, st,
                                 int(rng.random() < 0.6), _ts(when)))
    conn.executemany("INSERT INTO orders VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", orders)
    conn.executemany("INSERT INTO order_items VALUES (?,?,?,?,?,?,?,?)", items)
    conn.executemany("INSERT INTO order_comments VALUES (?,?,?,?,?,?)", comments)
    return bought


def _aspect_sentence(rng: random.Random, aspect: str, good: bool) -> str:
    trouble = aspect in vocab.TROUBLE_ASPECTS
    bank = ((vocab.REVIEW_NO_TROUBLE if trouble else vocab.REVIEW_GOOD_ASPECT) if good
            else (vocab.REVIEW_TROUBLE if trouble else vocab.REVIEW_BAD_ASPECT))
    return rng.choice(bank).format(aspect=aspect)


def _review_text(rng: random.Random, kind: vocab.Kind, rating: int) -> tuple[str, str]:
    title = rng.choice(vocab.REVIEW_TITLES[rating])
    aspects = list(kind.aspects)
    rng.shuffle(aspects)
    sentences: list[str] = []
    if rating >= 4:
        sentences.append(_aspect_sentence(rng, aspects[0], True))
        if rating == 4 and rng.random() < 0.5:
            sentences.append(_aspect_sentence(rng, aspects[1], False))
        elif rng.random() < 0.5:
            sentences.append(rng.choice(vocab.REVIEW_GOOD_GENERIC))
    elif rating == 3:
        sentences.append(_aspect_sentence(rng, aspects[0], True))
        sentences.append(_aspect_sentence(rng, aspects[1], False))
    else:
        sentences.append(_aspect_sentence(rng, aspects[0], False))
        if rng.random() < 0.6:
            sentences.append(rng.choice(vocab.REVIEW_BAD_GENERIC))
    if kind.options in ("apparel", "shoes") and rng.random() < 0.6:
        fit = vocab.REVIEW_FIT["good" if rating >= 4 else "bad"]
        sentences.insert(rng.randint(0, len(sentences)), rng.choice(fit))
    return title, " ".join(sentences[:3])


def _reviews(conn: sqlite3.Connection, rng: random.Random, products: list[_Product],
             customers: list[tuple], bought: dict[int, list[int]]) -> None:
    rows = []
    emma_products = list(dict.fromkeys(bought.get(1, [])))
    for pid, rating in zip(rng.sample(emma_products, min(3, len(emma_products))), (5, 4, 2),
                           strict=False):
        title, detail = _review_text(rng, products[pid - 1].kind, rating)
        rows.append((len(rows) + 1, pid, 1, DEFAULT_CUSTOMER_FIRST_NAME, title, detail, rating,
                     "approved", _ts(_between(rng, datetime(2022, 1, 1), datetime(2023, 5, 1)))))
    bias = [rng.gauss(0, 1) for _ in products]
    weights = [rng.paretovariate(1.4) * (1.0 if p.enabled else 0.1) for p in products]
    cum = list(accumulate(weights))
    per_product = [0] * len(products)
    while len(rows) < N_REVIEWS:
        p = products[bisect(cum, rng.random() * cum[-1])]
        if per_product[p.id - 1] >= MAX_REVIEWS_PER_PRODUCT:
            continue
        per_product[p.id - 1] += 1
        good = bias[p.id - 1] > -1.0
        rating = _weighted(rng, _RATINGS, _RATING_CUM_GOOD if good else _RATING_CUM_POOR)
        title, detail = _review_text(rng, p.kind, rating)
        if rng.random() < 0.8:
            c = rng.choice(customers[1:])
            cid = c[0]
            nickname = rng.choice((c[3], f"{c[3]} {c[4][0]}.", f"{c[3]}{c[4][0]}"))
        else:
            cid = None
            nickname = rng.choice((rng.choice(vocab.NICKNAME_WORDS) + str(rng.randint(1, 99)),
                                   rng.choice(vocab.FIRST_NAMES_F + vocab.FIRST_NAMES_M)))
        status = _weighted(rng, _REVIEW_STATUSES, _REVIEW_STATUS_CUM)
        rows.append((len(rows) + 1, p.id, cid, nickname, title, detail, rating, status,
                     _ts(_between(rng, FIRST_ORDER_AT, LAST_ORDER_AT))))
    conn.executemany("INSERT INTO reviews VALUES (?,?,?,?,?,?,?,?,?)", rows)


def _lists(conn: sqlite3.Connection, rng: random.Random, products: list[_Product],
           customers: list[tuple]) -> None:
    """Wishlists (Emma's and some others') and Emma's cart."""
    enabled = [p for p in products if p.enabled]
    wish = []
    for cid, count in [(1, 5)] + [(c[0], rng.randint(1, 4)) for c in rng.sample(customers[1:], 25)]:
        for p in rng.sample(enabled, count):
            wish.append((len(wish) + 1, cid, p.id,
                         _ts(_between(rng, datetime(2022, 6, 1), datetime(2023, 5, 31)))))
    conn.executemany("INSERT INTO wishlist_items VALUES (?,?,?,?)", wish)
    with_options = [p for p in enabled if p.colors and p.sizes]
    plain = [p for p in enabled if not p.colors and not p.sizes]
    dressed = rng.choice(with_options)
    cart = [(1, 1, dressed.id, json.dumps({"Color": dressed.colors[0], "Size": dressed.sizes[1]}), 1),
            (2, 1, rng.choice(plain).id, None, 2)]
    conn.executemany("INSERT INTO cart_items VALUES (?,?,?,?,?)", cart)


def _search_terms(conn: sqlite3.Connection, rng: random.Random) -> None:
    candidates: list[str] = []
    for top, subs in vocab.CATALOG.items():
        candidates.append(top.lower())
        for sub, kinds in subs.items():
            candidates.append(sub.lower())
            for kind in kinds:
                noun = kind.noun.lower()
                candidates += [noun, noun.split()[-1], f"{kind.brands[0].lower()} {noun}"]
                candidates += [b.lower() for b in kind.brands[:3]]
                if len(noun) > 6:
                    cut = rng.randint(2, len(noun) - 2)
                    candidates.append(noun[:cut] + noun[cut + 1:])  # a typo
    candidates += list(vocab.EXTRA_SEARCH_TERMS)
    unique = list(dict.fromkeys(candidates))
    rng.shuffle(unique)
    # The shop's search rule (catalog.search_clause) in Python: 200 SQL scans cost 90 ms. The
    # catalogue is ASCII, so str.lower matches SQLite's lower(); the tests check the two agree.
    # Words hold no whitespace, so a word is in "name\ndescription" iff it is in one of them.
    texts = [f"{n}\n{d}".lower() for n, d in
             conn.execute("SELECT name, description FROM products WHERE status = 1")]
    rows = []
    for q in unique[:N_SEARCH_TERMS]:
        uses = min(900, int(rng.paretovariate(1.1) * 3))
        found = texts
        for token in search_tokens(q):
            found = [text for text in found if token in text]
        results = len(found)
        rows.append((len(rows) + 1, q, uses, results))
    conn.executemany("INSERT INTO search_terms VALUES (?,?,?,?)", rows)


def generate_store(conn: sqlite3.Connection, seed: int) -> None:
    """Fill an empty store database (``schema.sql`` applied) with the data of ``seed``.

    Deterministic: the same seed gives the same rows. Commits when done.
    """
    rng = random.Random(seed)
    subs = _categories(conn)
    products = _products(conn, rng, subs)
    customers, addresses = _customers(conn, rng)
    bought = _orders(conn, rng, products, customers, addresses)
    _reviews(conn, rng, products, customers, bought)
    _lists(conn, rng, products, customers)
    _search_terms(conn, rng)
    conn.execute("INSERT INTO admin_users VALUES (1, ?, ?, 'Store', 'Admin', ?)",
                 (ADMIN_USERNAME, ADMIN_PASSWORD, "admin@onestopmarket.com"))
    conn.commit()


def default_customer_id(conn: sqlite3.Connection) -> int:
    """The id of the default customer (Emma Lopez) in a generated store."""
    return conn.execute("SELECT id FROM customers WHERE email = ?",
                        (DEFAULT_CUSTOMER_EMAIL,)).fetchone()[0]
