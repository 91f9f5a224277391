"""The ``shopping`` sandbox site (a Magento-like storefront); see :mod:`.app`."""
