"""Task templates and oracle solvers for the ``shopping_admin`` site (the store's admin).

The templates mirror WebArena's Magento-admin tasks: reading figures off grids, order pages and
reports (``string_match``), filtering grids (``url_match``, with a ``program_html`` check on the
grid's active-filters line where a URL alone would be too strict), and changing the store's
state through forms and actions (``program_html`` on the changed record's admin page).

Samplers read the seeded store through the ``db`` connection they are given and reject
instantiations that would be ambiguous (ties in a ranking, a name that a grid's substring filter
would confuse with another). Oracles act like a competent admin user: they use the menu, the
grids' keyword search, filters, page size and sorting, and open records by clicking the links
they see; everything they answer or type comes from the observation and the intent.

By area: :mod:`.orders` (Sales > Orders: the grid, order pages, cancelling, comments),
:mod:`.customers`, :mod:`.catalog` (products: stock, prices, descriptions), :mod:`.reviews`
(Marketing > reviews) and :mod:`.reports`; :mod:`.common` holds what they share (formats, grid
readers, the samplers' picks, the oracles' building blocks).
"""

from __future__ import annotations

from webarena_gym.sandbox.shopping_admin.tasks.catalog import (
    ProductDescription,
    ProductDisable,
    ProductOutOfStock,
    ProductPrice,
    ProductPricesRaise,
    ProductQuantity,
    ProductsInPriceRange,
    raised_price,
)
from webarena_gym.sandbox.shopping_admin.tasks.common import (
    day_input,
    day_label,
    field_value,
    month_bounds,
    ordered_items,
    parse_day,
    plain_money,
    records_found,
    row_element,
    table_rows,
)
from webarena_gym.sandbox.shopping_admin.tasks.customers import (
    CompareCustomerSales,
    CustomerGroup,
    CustomerLifetimeSales,
    CustomerPhone,
    CustomersInState,
    TopCustomerPhone,
)
from webarena_gym.sandbox.shopping_admin.tasks.orders import (
    CancelOrder,
    CancelPendingOrdersOfCustomer,
    CustomerOrders,
    OrderComment,
    OrderGrandTotal,
    OrderItems,
    OrdersByStatusInRange,
    OrdersSortedByTotal,
    OrdersWithStatus,
)
from webarena_gym.sandbox.shopping_admin.tasks.reports import (
    BestsellersTopN,
    ExtremeMonth,
    MonthlySalesTotal,
    TopSearchTerms,
)
from webarena_gym.sandbox.shopping_admin.tasks.reviews import (
    ApprovePendingReviews,
    DeleteReviewsMentioning,
    ReviewStarCount,
)
from webarena_gym.sandbox.templates.base import TaskTemplate

TEMPLATES: list[type[TaskTemplate]] = [
    # information seeking
    OrderGrandTotal,
    CustomerPhone,
    ProductQuantity,
    TopSearchTerms,
    OrdersByStatusInRange,
    ReviewStarCount,
    OrderItems,
    CustomerLifetimeSales,
    MonthlySalesTotal,
    BestsellersTopN,
    TopCustomerPhone,
    CustomersInState,
    CompareCustomerSales,
    ExtremeMonth,
    # navigation
    OrdersWithStatus,
    ProductsInPriceRange,
    CustomerOrders,
    OrdersSortedByTotal,
    # changes of state
    ProductPrice,
    ProductPricesRaise,
    ProductOutOfStock,
    ProductDisable,
    ProductDescription,
    CancelOrder,
    OrderComment,
    ApprovePendingReviews,
    CustomerGroup,
    DeleteReviewsMentioning,
    CancelPendingOrdersOfCustomer,
]

__all__ = [
    "TEMPLATES",
    "day_input",
    "day_label",
    "field_value",
    "month_bounds",
    "ordered_items",
    "parse_day",
    "plain_money",
    "raised_price",
    "records_found",
    "row_element",
    "table_rows",
]
