-- The map site's database: towns, a road graph (nodes, ways, edges) and places.
-- Every table starts with map_ (samplers see all sandbox databases in one connection).

CREATE TABLE map_dataset (              -- what generated this data
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE map_towns (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    state      TEXT NOT NULL,               -- US state name, as the store writes it
    state_code TEXT NOT NULL,
    lat        REAL NOT NULL,               -- the town's center (its city place)
    lon        REAL NOT NULL,
    zip3       TEXT NOT NULL,
    area_code  TEXT NOT NULL,
    place_id   INTEGER                      -- its place of category 'city'
);

CREATE TABLE map_nodes (
    id      INTEGER PRIMARY KEY,
    lat     REAL NOT NULL,
    lon     REAL NOT NULL,
    town_id INTEGER REFERENCES map_towns(id)
);

CREATE TABLE map_ways (                 -- a named road of one class
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,               -- '' for ramps
    road_class TEXT NOT NULL,               -- motorway, motorway_link, trunk, primary, secondary,
                                            -- tertiary, residential, pedestrian, footway, cycleway
    town_id    INTEGER REFERENCES map_towns(id)  -- NULL for roads between towns
);

CREATE TABLE map_edges (                -- a two-way road segment between two nodes
    id       INTEGER PRIMARY KEY,
    source   INTEGER NOT NULL REFERENCES map_nodes(id),
    target   INTEGER NOT NULL REFERENCES map_nodes(id),
    way_id   INTEGER NOT NULL REFERENCES map_ways(id),
    length_m REAL NOT NULL
);

CREATE TABLE map_places (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    category      TEXT NOT NULL,            -- a key of map.vocab.CATEGORIES
    node_id       INTEGER NOT NULL REFERENCES map_nodes(id),  -- on the road graph
    lat           REAL NOT NULL,
    lon           REAL NOT NULL,
    housenumber   TEXT,
    street        TEXT,
    town_id       INTEGER NOT NULL REFERENCES map_towns(id),
    city          TEXT NOT NULL,
    state         TEXT NOT NULL,
    postcode      TEXT,
    neighbourhood TEXT,
    opening_hours TEXT,                     -- OpenStreetMap syntax: 'Mo-Fr 07:00-18:00; Sa off'
    phone         TEXT,
    website       TEXT,
    cuisine       TEXT,
    brand         TEXT
);

CREATE INDEX map_places_town_category ON map_places(town_id, category);
CREATE INDEX map_places_name ON map_places(name);
CREATE INDEX map_edges_source ON map_edges(source);
CREATE INDEX map_edges_target ON map_edges(target);
