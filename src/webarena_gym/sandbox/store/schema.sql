-- The store database shared by `shopping` (storefront) and `shopping_admin` (the store's admin),
-- as one Magento instance backs both in WebArena. Generated from a seed by store/generate.py;
-- every tenant gets its own copy (SQLite backup API) on reset().
-- Dates are ISO-8601 text in the store's local time ('2023-01-15 14:03:00'); money is REAL dollars.

CREATE TABLE categories (
    id          INTEGER PRIMARY KEY,
    parent_id   INTEGER REFERENCES categories(id),   -- NULL for top-level categories
    name        TEXT NOT NULL,
    url_key     TEXT NOT NULL UNIQUE,                -- 'home-kitchen/coffee-tea'
    position    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE products (
    id                INTEGER PRIMARY KEY,
    sku               TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    url_key           TEXT NOT NULL UNIQUE,          -- storefront URL: /<url_key>.html
    category_id       INTEGER NOT NULL REFERENCES categories(id),
    price             REAL NOT NULL,
    special_price     REAL,                          -- a sale price when set
    qty               INTEGER NOT NULL,
    is_in_stock       INTEGER NOT NULL DEFAULT 1,
    status            INTEGER NOT NULL DEFAULT 1,    -- 1 enabled, 2 disabled (hidden in the shop)
    description       TEXT NOT NULL,
    short_description TEXT NOT NULL,
    colors            TEXT,                          -- JSON list of option labels, or NULL
    sizes             TEXT,                          -- JSON list of option labels, or NULL
    weight            REAL,
    created_at        TEXT NOT NULL
);

CREATE TABLE customers (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password      TEXT NOT NULL,                     -- plain text: demo data only
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    phone         TEXT,
    gender        TEXT,
    date_of_birth TEXT,
    group_name    TEXT NOT NULL DEFAULT 'General',   -- General, Wholesale, Retailer
    newsletter    INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

CREATE TABLE addresses (
    id                  INTEGER PRIMARY KEY,
    customer_id         INTEGER NOT NULL REFERENCES customers(id),
    first_name          TEXT NOT NULL,
    last_name           TEXT NOT NULL,
    street              TEXT NOT NULL,
    city                TEXT NOT NULL,
    region              TEXT NOT NULL,               -- US state name
    postcode            TEXT NOT NULL,
    country             TEXT NOT NULL DEFAULT 'United States',
    phone               TEXT NOT NULL,
    is_default_billing  INTEGER NOT NULL DEFAULT 0,
    is_default_shipping INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE orders (
    id               INTEGER PRIMARY KEY,
    increment_id     TEXT NOT NULL UNIQUE,           -- '000000123', shown as the order number
    customer_id      INTEGER REFERENCES customers(id),
    customer_email   TEXT NOT NULL,
    customer_name    TEXT NOT NULL,
    status           TEXT NOT NULL,                  -- pending, processing, complete, canceled, closed, on hold
    created_at       TEXT NOT NULL,
    subtotal         REAL NOT NULL,
    shipping_amount  REAL NOT NULL,
    discount_amount  REAL NOT NULL DEFAULT 0,
    grand_total      REAL NOT NULL,
    shipping_method  TEXT NOT NULL,                  -- 'Flat Rate - Fixed', 'Best Way - Table Rate'
    payment_method   TEXT NOT NULL,                  -- 'Check / Money order'
    shipping_address TEXT NOT NULL,                  -- one formatted multi-line address
    billing_address  TEXT NOT NULL
);

CREATE TABLE order_items (
    id         INTEGER PRIMARY KEY,
    order_id   INTEGER NOT NULL REFERENCES orders(id),
    product_id INTEGER NOT NULL REFERENCES products(id),
    sku        TEXT NOT NULL,
    name       TEXT NOT NULL,
    options    TEXT,                                 -- JSON object {"Color": "Blue", "Size": "M"} or NULL
    price      REAL NOT NULL,
    qty        INTEGER NOT NULL
);

CREATE TABLE order_comments (
    id              INTEGER PRIMARY KEY,
    order_id        INTEGER NOT NULL REFERENCES orders(id),
    comment         TEXT NOT NULL,
    status          TEXT NOT NULL,                   -- the order status when the comment was made
    notify_customer INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL
);

CREATE TABLE reviews (
    id          INTEGER PRIMARY KEY,
    product_id  INTEGER NOT NULL REFERENCES products(id),
    customer_id INTEGER REFERENCES customers(id),    -- NULL for guests
    nickname    TEXT NOT NULL,
    title       TEXT NOT NULL,
    detail      TEXT NOT NULL,
    rating      INTEGER NOT NULL,                    -- 1..5 stars
    status      TEXT NOT NULL DEFAULT 'approved',    -- approved, pending, not_approved; the shop shows approved only
    created_at  TEXT NOT NULL
);

CREATE TABLE cart_items (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    product_id  INTEGER NOT NULL REFERENCES products(id),
    options     TEXT,                                -- JSON object or NULL
    qty         INTEGER NOT NULL
);

CREATE TABLE wishlist_items (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    product_id  INTEGER NOT NULL REFERENCES products(id),
    added_at    TEXT NOT NULL,
    UNIQUE (customer_id, product_id)
);

CREATE TABLE search_terms (
    id       INTEGER PRIMARY KEY,
    query    TEXT NOT NULL UNIQUE,
    uses     INTEGER NOT NULL,                       -- how often it was searched (the shop's search adds 1)
    results  INTEGER NOT NULL                        -- number of results at the last search
);

CREATE TABLE admin_users (
    id         INTEGER PRIMARY KEY,
    username   TEXT NOT NULL UNIQUE,
    password   TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name  TEXT NOT NULL,
    email      TEXT NOT NULL
);

CREATE INDEX idx_products_category ON products(category_id);
CREATE INDEX idx_orders_customer ON orders(customer_id);
CREATE INDEX idx_orders_created ON orders(created_at);
CREATE INDEX idx_items_order ON order_items(order_id);
CREATE INDEX idx_items_product ON order_items(product_id);
CREATE INDEX idx_reviews_product ON reviews(product_id);
