"""The store database behind ``shopping`` and ``shopping_admin``: schema, generator, shared rules.

The generator lives in :mod:`.generate` (``generate_store(conn, seed)``); search, shipping and
price rules that the shop, the admin and the task samplers must agree on live in :mod:`.catalog`.
"""

from webarena_gym.sandbox.store.catalog import (
    SHIPPING_METHODS,
    category_products,
    count_search_results,
    effective_price,
    format_address,
    search_products,
    shipping_amount,
)
from webarena_gym.sandbox.store.generate import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    DEFAULT_CUSTOMER_EMAIL,
    DEFAULT_CUSTOMER_NAME,
    DEFAULT_CUSTOMER_PASSWORD,
    GENERATOR_VERSION,
    ORDER_STATUSES,
    default_customer_id,
    generate_store,
)

__all__ = [
    "ADMIN_PASSWORD", "ADMIN_USERNAME", "DEFAULT_CUSTOMER_EMAIL", "DEFAULT_CUSTOMER_NAME",
    "DEFAULT_CUSTOMER_PASSWORD", "GENERATOR_VERSION", "ORDER_STATUSES", "SHIPPING_METHODS",
    "category_products", "count_search_results", "default_customer_id", "effective_price", "format_address",
    "generate_store", "search_products", "shipping_amount",
]
