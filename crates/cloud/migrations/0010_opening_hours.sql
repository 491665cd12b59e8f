-- 0010: a branch's opening hours follow its booking settings. A store changes its hours only
-- there (`booking_settings.updated`, whose `hours` are the whole week) and its branch events
-- repeat the week as it then is, which `kb_project_reports` keeps; a change of hours alone
-- came with no branch event, so the cloud went on dividing occupancy by the old hours. The push
-- calls this right after `kb_project_reports`: the newest settings are the hours (a later
-- branch event could only repeat them).

CREATE FUNCTION kb_project_opening_hours(ids TEXT[]) RETURNS void LANGUAGE sql AS $$
    UPDATE branches b SET opening_hours = x.payload->'hours'
    FROM (
        SELECT DISTINCT ON (e.branch_id) e.branch_id, e.payload
        FROM kb_pushed_events(ids) e
        WHERE e.type = 'booking_settings.updated' AND e.entity_id = e.store_branch_id
          AND jsonb_typeof(e.payload->'hours') = 'array'
          AND jsonb_array_length(e.payload->'hours') = 7
        ORDER BY e.branch_id, e.device_seq DESC
    ) AS x
    WHERE b.id = x.branch_id;
$$;

SELECT kb_project_opening_hours(NULL);
