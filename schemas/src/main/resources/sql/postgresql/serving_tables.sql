-- The serving tables of a batch run in PostgreSQL (15 or later), as the `load` command creates them.
-- One table per batch output table; its columns are the fields of the table's Avro record
-- (schemas/src/main/avro), in the same order and with the same names:
--   timestamp-millis          -> timestamptz (an instant; shown in the session's time zone)
--   decimal(p, s)             -> numeric(p, s)
--   long / int / double       -> bigint / integer / double precision
--   string, enum              -> text (enums with a CHECK of their symbols)
--   ["null", T]               -> a NULL-able column; every other column is NOT NULL
--   array of string           -> text[] (order kept: last_items is most recent first)
--   array of record           -> an array of a composite type (category_affinity, largest share first)
-- Arrays rather than child tables: each list belongs to one row, is always read and replaced whole
-- with it, and its order matters; in the row, an upsert replaces the list atomically, where a child
-- table would need a delete of the old list in the same transaction to stay idempotent. They still
-- unnest to rows in SQL when needed: SELECT u.user_id, a.* FROM user_features u, unnest(u.category_affinity) a.
--
-- Every table has a key constraint named <table>_key: the `load` command upserts
-- (INSERT ... ON CONFLICT ON CONSTRAINT <table>_key DO UPDATE), so loading the same output again
-- changes nothing and a re-run of a day replaces that day's rows. The feature tables' window columns
-- are null in batch output, so their key is UNIQUE NULLS NOT DISTINCT (PostgreSQL 15) rather than a
-- primary key, which cannot contain nulls.
--
-- Idempotent: every statement can run again on an existing database.

DO $$
BEGIN
  IF to_regtype('category_share') IS NULL THEN
    CREATE TYPE category_share AS (category_id text, share double precision);
  END IF;
END
$$;

CREATE TABLE IF NOT EXISTS item_stats (
  window_start    timestamptz    NOT NULL,
  window_end      timestamptz    NOT NULL,
  item_id         text           NOT NULL,
  behavior        text           NOT NULL CHECK (behavior IN ('VIEW', 'CART', 'FAV', 'BUY', 'CANCEL')),
  event_count     bigint         NOT NULL,
  quantity        bigint         NOT NULL,
  revenue         numeric(18, 3) NOT NULL,
  priced_events   bigint         NOT NULL,
  avg_unit_price  numeric(12, 3),
  min_unit_price  numeric(12, 3),
  max_unit_price  numeric(12, 3),
  distinct_users  bigint         NOT NULL,
  CONSTRAINT item_stats_key PRIMARY KEY (window_start, window_end, item_id, behavior)
);

CREATE TABLE IF NOT EXISTS category_stats (
  window_start    timestamptz    NOT NULL,
  window_end      timestamptz    NOT NULL,
  category_id     text           NOT NULL,
  behavior        text           NOT NULL CHECK (behavior IN ('VIEW', 'CART', 'FAV', 'BUY', 'CANCEL')),
  event_count     bigint         NOT NULL,
  quantity        bigint         NOT NULL,
  revenue         numeric(18, 3) NOT NULL,
  priced_events   bigint         NOT NULL,
  avg_unit_price  numeric(12, 3),
  min_unit_price  numeric(12, 3),
  max_unit_price  numeric(12, 3),
  distinct_users  bigint         NOT NULL,
  CONSTRAINT category_stats_key PRIMARY KEY (window_start, window_end, category_id, behavior)
);

CREATE TABLE IF NOT EXISTS funnel (
  window_start       timestamptz NOT NULL,
  window_end         timestamptz NOT NULL,
  users              bigint      NOT NULL,
  viewers            bigint      NOT NULL,
  carters            bigint      NOT NULL,
  buyers             bigint      NOT NULL,
  viewed_and_carted  bigint      NOT NULL,
  carted_and_bought  bigint      NOT NULL,
  viewed_and_bought  bigint      NOT NULL,
  view_to_cart_rate  double precision,
  cart_to_buy_rate   double precision,
  view_to_buy_rate   double precision,
  CONSTRAINT funnel_key PRIMARY KEY (window_start, window_end)
);

-- Keyed by rank: a re-run that ranks another item first replaces the row at that rank.
CREATE TABLE IF NOT EXISTS hot_items (
  window_start  timestamptz NOT NULL,
  window_end    timestamptz NOT NULL,
  behavior      text        NOT NULL CHECK (behavior IN ('VIEW', 'CART', 'FAV', 'BUY', 'CANCEL')),
  rank          integer     NOT NULL,
  item_id       text        NOT NULL,
  event_count   bigint      NOT NULL,
  CONSTRAINT hot_items_key PRIMARY KEY (window_start, window_end, behavior, rank)
);

CREATE TABLE IF NOT EXISTS user_features (
  window_start              timestamptz,
  window_end                timestamptz,
  user_id                   text             NOT NULL,
  events                    bigint           NOT NULL,
  first_event               timestamptz      NOT NULL,
  last_event                timestamptz      NOT NULL,
  recency_days              double precision NOT NULL,
  frequency                 bigint           NOT NULL,
  monetary                  numeric(18, 3)   NOT NULL,
  r_score                   integer          NOT NULL,
  f_score                   integer          NOT NULL,
  m_score                   integer          NOT NULL,
  sessions                  bigint           NOT NULL,
  mean_session_minutes      double precision NOT NULL,
  favourite_category        text,
  favourite_category_share  double precision,
  category_affinity         category_share[] NOT NULL,
  favourite_hour            integer          NOT NULL,
  last_items                text[]           NOT NULL,
  CONSTRAINT user_features_key UNIQUE NULLS NOT DISTINCT (user_id, window_start, window_end)
);

CREATE TABLE IF NOT EXISTS item_features (
  window_start       timestamptz,
  window_end         timestamptz,
  item_id            text           NOT NULL,
  category_id        text,
  views              bigint         NOT NULL,
  carts              bigint         NOT NULL,
  favs               bigint         NOT NULL,
  buys               bigint         NOT NULL,
  cancels            bigint         NOT NULL,
  revenue            numeric(18, 3) NOT NULL,
  viewers            bigint         NOT NULL,
  carters            bigint         NOT NULL,
  distinct_buyers    bigint         NOT NULL,
  view_to_cart_rate  double precision,
  cart_to_buy_rate   double precision,
  view_to_buy_rate   double precision,
  rank_in_category   integer,
  CONSTRAINT item_features_key UNIQUE NULLS NOT DISTINCT (item_id, window_start, window_end)
);

-- Keyed by rank, as the lists are read: an item's neighbours, a user's recommendations, best first.
CREATE TABLE IF NOT EXISTS item_similarity (
  item_id       text             NOT NULL,
  rank          integer          NOT NULL,
  neighbour_id  text             NOT NULL,
  similarity    double precision NOT NULL,
  co_users      bigint           NOT NULL,
  CONSTRAINT item_similarity_key PRIMARY KEY (item_id, rank)
);

CREATE TABLE IF NOT EXISTS user_recommendations (
  user_id  text             NOT NULL,
  rank     integer          NOT NULL,
  item_id  text             NOT NULL,
  score    double precision NOT NULL,
  reason   text             NOT NULL,
  CONSTRAINT user_recommendations_key PRIMARY KEY (user_id, rank)
);

CREATE TABLE IF NOT EXISTS anomalies (
  metric           text             NOT NULL,
  dimension        text             NOT NULL,
  window_start     timestamptz      NOT NULL,
  window_end       timestamptz      NOT NULL,
  observed         double precision NOT NULL,
  expected         double precision NOT NULL,
  score            double precision NOT NULL,
  direction        text             NOT NULL CHECK (direction IN ('UP', 'DOWN')),
  volume           bigint           NOT NULL,
  baseline         text             NOT NULL,
  history_windows  integer          NOT NULL,
  CONSTRAINT anomalies_key PRIMARY KEY (metric, dimension, window_start, window_end, baseline)
);
