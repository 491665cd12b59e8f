-- 0011: the owner's list of the organisation's menu designs reads, for each design, the event of
-- its winning version (to leave deleted ones out and name the branch that last changed it). This
-- index keeps that lookup to the designs' own events.
CREATE INDEX events_menu_designs ON events (org_id, entity_id) WHERE entity = 'menu_design';
