"""``shopping_admin``: the store's admin panel, like WebArena's Magento admin ("CMS").

Served under ``/admin/`` with Magento-like URLs (``/admin/sales/order/view/order_id/N/``), it
reads and writes the ``store`` database it shares with the storefront. Pages are plain
server-rendered forms and links, usable without JavaScript. Build it with
:func:`webarena_gym.sandbox.shopping_admin.app.create_app`.
"""
