-- 0008: a hub's reports across branches. Sales and refunds per branch, business day and local
-- clock hour (the heatmap), items sold per day net of refunds (top products), the camera's
-- visitors per day, play sessions per day (occupancy), and each branch's capacity and opening
-- hours as its store last announced them. One function keeps them from the events: the push
-- calls it with the ids it has just stored (in its transaction, like sales_daily), and this
-- migration once with NULL, for the events stored before it.

CREATE TABLE sales_hourly (
    branch_id     TEXT NOT NULL,
    business_day  TEXT NOT NULL,
    hour          SMALLINT NOT NULL CHECK (hour BETWEEN 0 AND 23),
    sales_count   BIGINT NOT NULL DEFAULT 0,
    revenue_cents BIGINT NOT NULL DEFAULT 0,
    refunds_count BIGINT NOT NULL DEFAULT 0,
    refunds_cents BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (branch_id, business_day, hour)
);

CREATE TABLE items_daily (
    branch_id         TEXT NOT NULL,
    business_day      TEXT NOT NULL,
    kind              TEXT NOT NULL,
    -- The product's, service's or package's id; `name:…` for lines without one (a deposit).
    item_id           TEXT NOT NULL,
    name              TEXT NOT NULL,
    quantity          BIGINT NOT NULL DEFAULT 0,
    revenue_cents     BIGINT NOT NULL DEFAULT 0,
    refunded_quantity BIGINT NOT NULL DEFAULT 0,
    refunded_cents    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (branch_id, business_day, kind, item_id)
);

CREATE TABLE visitors_daily (
    branch_id    TEXT NOT NULL,
    business_day TEXT NOT NULL,
    visitors     BIGINT NOT NULL,
    dwell_ms     BIGINT NOT NULL,
    PRIMARY KEY (branch_id, business_day)
);

-- Play sessions by the local day they started, counted when the child leaves (as the hub counts
-- finished timers: the minutes sold, extensions included).
CREATE TABLE play_daily (
    branch_id      TEXT NOT NULL,
    business_day   TEXT NOT NULL,
    sessions       BIGINT NOT NULL,
    played_minutes BIGINT NOT NULL,
    PRIMARY KEY (branch_id, business_day)
);

-- The venue's capacity (0 = not set) and week of opening hours, from the store's branch events.
ALTER TABLE branches ADD COLUMN capacity BIGINT NOT NULL DEFAULT 0;
ALTER TABLE branches ADD COLUMN opening_hours JSONB;

-- A refund's lines name their sale's lines by position: the sale is found by its id.
CREATE INDEX events_sale_created ON events (branch_id, entity_id) WHERE type = 'sale.created';

-- The events a projection reads: those just pushed (found by primary key), or every event for
-- NULL. Two branches, not one condition OR-ing both: a function's statements are planned without
-- its arguments' values, and such an OR makes every push scan the whole log (170 ms a statement
-- at 110,000 events, and growing with the log); this function is inlined, the pushed ids are
-- read through the index and the other branch is skipped.
CREATE FUNCTION kb_pushed_events(ids TEXT[]) RETURNS SETOF events LANGUAGE sql STABLE AS $$
    SELECT * FROM events WHERE id = ANY(ids)
    UNION ALL
    SELECT * FROM events WHERE ids IS NULL
$$;

CREATE FUNCTION kb_project_reports(ids TEXT[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO sales_hourly (branch_id, business_day, hour, sales_count, revenue_cents)
    SELECT e.branch_id, e.payload->>'business_day',
           EXTRACT(HOUR FROM ((e.payload->>'created_at')::timestamptz AT TIME ZONE b.timezone))::smallint,
           count(*), SUM((e.payload->>'total_cents')::bigint)
    FROM kb_pushed_events(ids) e JOIN branches b ON b.id = e.branch_id
    WHERE e.type = 'sale.created'
    GROUP BY 1, 2, 3
    ON CONFLICT (branch_id, business_day, hour) DO UPDATE SET
        sales_count = sales_hourly.sales_count + excluded.sales_count,
        revenue_cents = sales_hourly.revenue_cents + excluded.revenue_cents;

    INSERT INTO sales_hourly (branch_id, business_day, hour, refunds_count, refunds_cents)
    SELECT e.branch_id, e.payload->>'business_day',
           EXTRACT(HOUR FROM ((e.payload->>'created_at')::timestamptz AT TIME ZONE b.timezone))::smallint,
           count(*), SUM((e.payload->>'total_cents')::bigint)
    FROM kb_pushed_events(ids) e JOIN branches b ON b.id = e.branch_id
    WHERE e.type = 'refund.created'
    GROUP BY 1, 2, 3
    ON CONFLICT (branch_id, business_day, hour) DO UPDATE SET
        refunds_count = sales_hourly.refunds_count + excluded.refunds_count,
        refunds_cents = sales_hourly.refunds_cents + excluded.refunds_cents;

    INSERT INTO items_daily (branch_id, business_day, kind, item_id, name, quantity, revenue_cents)
    SELECT e.branch_id, e.payload->>'business_day', i->>'kind',
           COALESCE(i->>'product_id', i->>'service_id', i->>'package_id', 'name:' || (i->>'name')),
           MAX(i->>'name'), SUM((i->>'quantity')::bigint), SUM((i->>'total_cents')::bigint)
    FROM kb_pushed_events(ids) e CROSS JOIN LATERAL jsonb_array_elements(e.payload->'items') AS i
    WHERE e.type = 'sale.created'
      AND jsonb_typeof(e.payload->'items') = 'array'
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (branch_id, business_day, kind, item_id) DO UPDATE SET
        name = excluded.name,
        quantity = items_daily.quantity + excluded.quantity,
        revenue_cents = items_daily.revenue_cents + excluded.revenue_cents;

    -- Refunded lines count on the day of the refund, against the item their sale's line sold.
    INSERT INTO items_daily (branch_id, business_day, kind, item_id, name, refunded_quantity, refunded_cents)
    SELECT e.branch_id, e.payload->>'business_day', i->>'kind',
           COALESCE(i->>'product_id', line.v->>'service_id', line.v->>'package_id', 'name:' || (i->>'name')),
           MAX(i->>'name'), SUM((i->>'quantity')::bigint), SUM((i->>'total_cents')::bigint)
    FROM kb_pushed_events(ids) e CROSS JOIN LATERAL jsonb_array_elements(e.payload->'items') AS i
    LEFT JOIN LATERAL (
        SELECT s.payload->'items'->(split_part(i->>'item_id', '.', 2)::int) AS v
        FROM events s
        WHERE s.branch_id = e.branch_id AND s.type = 'sale.created'
          AND s.entity_id = e.payload->>'sale_id' AND split_part(i->>'item_id', '.', 2) ~ '^[0-9]{1,4}$'
        LIMIT 1
    ) AS line ON true
    WHERE e.type = 'refund.created'
      AND jsonb_typeof(e.payload->'items') = 'array'
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (branch_id, business_day, kind, item_id) DO UPDATE SET
        refunded_quantity = items_daily.refunded_quantity + excluded.refunded_quantity,
        refunded_cents = items_daily.refunded_cents + excluded.refunded_cents;

    INSERT INTO visitors_daily (branch_id, business_day, visitors, dwell_ms)
    SELECT e.branch_id, (((v->>'started_at')::timestamptz AT TIME ZONE b.timezone)::date)::text,
           count(*), SUM(COALESCE((v->>'dwell_ms')::bigint, 0))
    FROM kb_pushed_events(ids) e JOIN branches b ON b.id = e.branch_id
         CROSS JOIN LATERAL jsonb_array_elements(e.payload) AS v
    WHERE e.type = 'vision.visits_recorded'
      AND jsonb_typeof(e.payload) = 'array'
    GROUP BY 1, 2
    ON CONFLICT (branch_id, business_day) DO UPDATE SET
        visitors = visitors_daily.visitors + excluded.visitors,
        dwell_ms = visitors_daily.dwell_ms + excluded.dwell_ms;

    INSERT INTO play_daily (branch_id, business_day, sessions, played_minutes)
    SELECT e.branch_id, (((e.payload->>'starts_at')::timestamptz AT TIME ZONE b.timezone)::date)::text,
           count(*), SUM(COALESCE((e.payload->>'duration_ms')::bigint, 0)) / 60000
    FROM kb_pushed_events(ids) e JOIN branches b ON b.id = e.branch_id
    WHERE e.type = 'timer.finished'
      AND e.payload->>'starts_at' IS NOT NULL
    GROUP BY 1, 2
    ON CONFLICT (branch_id, business_day) DO UPDATE SET
        sessions = play_daily.sessions + excluded.sessions,
        played_minutes = play_daily.played_minutes + excluded.played_minutes;

    UPDATE branches b SET
        capacity = COALESCE((x.payload->>'capacity')::bigint, b.capacity),
        opening_hours = CASE WHEN jsonb_typeof(x.payload->'opening_hours') = 'array'
                             AND jsonb_array_length(x.payload->'opening_hours') = 7
                        THEN x.payload->'opening_hours' ELSE b.opening_hours END
    FROM (
        SELECT DISTINCT ON (e.branch_id) e.branch_id, e.payload
        FROM kb_pushed_events(ids) e
        WHERE e.type IN ('branch.created', 'branch.updated') AND e.entity_id = e.store_branch_id
        ORDER BY e.branch_id, e.device_seq DESC
    ) AS x
    WHERE b.id = x.branch_id;
$$;

SELECT kb_project_reports(NULL);
