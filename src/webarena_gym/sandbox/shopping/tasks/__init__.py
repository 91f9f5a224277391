"""Task templates and oracle solvers for the ``shopping`` site (the storefront).

The templates mirror WebArena's One Stop Shop tasks, all as the signed-in default customer
(Emma Lopez): reading her orders, prices, ratings and reviews (``string_match``), navigating
to searches and sorted listings (``url_match``), and changing her state through the shop's
forms: wish list, cart, checkout, orders, address book, reviews and account (``program_html``
on the page that shows the change).

Samplers read the seeded store through the ``db`` connection they are given and compute the
answer with the same rules the shop uses (:mod:`webarena_gym.sandbox.store.catalog`); they
reject instantiations a person could read two ways (ties, names a search would not list on its
first page, products that appear in several of the orders a question could mean). Oracles act
like a careful shopper: they use the header, the menu, the account sidebar, search, sorting and
paging, open what they need by clicking the links they see, and answer only what the pages
they were shown say; the sampler's truth tells them what to look for and is checked against
what they read.

By area: :mod:`.orders` (my orders: totals, items, dates; cancel, reorder), :mod:`.catalog`
(searching, listings, prices and reviews), :mod:`.cart` (wish list, cart, checkout),
:mod:`.account` (address book, account information); :mod:`.common` holds what they share
(formats, page readers, the samplers' queries, the oracles' building blocks).
"""

from __future__ import annotations

from webarena_gym.sandbox.shopping.tasks.account import AddAddress, ChangeAddressPhone, ChangeEmail
from webarena_gym.sandbox.shopping.tasks.cart import (
    CartAddWithOptions,
    CartUpdateQty,
    Checkout,
    WishlistAdd,
    WishlistRemove,
)
from webarena_gym.sandbox.shopping.tasks.catalog import (
    CategorySorted,
    ComparePrices,
    CountUnderPrice,
    ExtremeInCategory,
    MostReviewedProduct,
    PriceRange,
    ReviewCount,
    ReviewersMentioning,
    SearchFor,
    SearchSorted,
    WriteReview,
)
from webarena_gym.sandbox.shopping.tasks.common import (
    card_of,
    order_row,
    order_rows,
    ordered_items,
    product_cards,
    product_reviews,
)
from webarena_gym.sandbox.shopping.tasks.orders import (
    CancelPendingOrder,
    LastPurchaseDate,
    LatestOrderTotal,
    OrderProducts,
    OrdersInPeriod,
    OrderStatus,
    Reorder,
    SpendInMonth,
    UnitsInPeriod,
)
from webarena_gym.sandbox.templates.base import TaskTemplate

TEMPLATES: list[type[TaskTemplate]] = [
    # information seeking
    LatestOrderTotal,
    OrderStatus,
    SpendInMonth,
    OrdersInPeriod,
    UnitsInPeriod,
    OrderProducts,
    LastPurchaseDate,
    PriceRange,
    ReviewCount,
    ExtremeInCategory,
    CountUnderPrice,
    ComparePrices,
    ReviewersMentioning,
    # navigation
    SearchFor,
    CategorySorted,
    SearchSorted,
    MostReviewedProduct,
    # changes of state
    WishlistAdd,
    WishlistRemove,
    CartAddWithOptions,
    CartUpdateQty,
    Checkout,
    CancelPendingOrder,
    AddAddress,
    ChangeAddressPhone,
    WriteReview,
    Reorder,
    ChangeEmail,
]

__all__ = [
    "TEMPLATES",
    "card_of",
    "order_row",
    "order_rows",
    "ordered_items",
    "product_cards",
    "product_reviews",
]
