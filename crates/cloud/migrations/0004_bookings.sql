-- 0004: the stores' parties, so the owner sees every branch's calendar: each booking as it was
-- last synced (its state, day, area and money), never the family's contact.
CREATE TABLE bookings (
    branch_id         TEXT NOT NULL,
    booking_id        TEXT NOT NULL,
    folio             TEXT NOT NULL,
    state             TEXT NOT NULL,
    day               TEXT NOT NULL,
    starts_at         TEXT NOT NULL,
    ends_at           TEXT NOT NULL,
    birthday_child    TEXT NOT NULL,
    area_name         TEXT NOT NULL,
    package_name      TEXT NOT NULL,
    expected_children BIGINT NOT NULL,
    total_cents       BIGINT NOT NULL,
    paid_cents        BIGINT NOT NULL,
    device_seq        BIGINT NOT NULL,
    PRIMARY KEY (branch_id, booking_id)
);
CREATE INDEX bookings_day ON bookings (branch_id, day);
