-- A response's answers as one JSON object on its own row, `{"t1": 4, "g1": "dk"}`: a value on the
-- item's scale is a number, a non-substantive code such as `dk` a string, an unanswered item is
-- absent. Submitting or importing writes one row per response instead of one per item, and
-- reading a round reads one row per response. Same column as migrations/postgres/0006.
ALTER TABLE responses ADD COLUMN answers TEXT NOT NULL DEFAULT '{}';
UPDATE responses SET answers = COALESCE(
    (SELECT json_group_object(item_id, COALESCE(value, code)) FROM response_answers a
     WHERE a.response_id = responses.id),
    '{}');
DROP TABLE response_answers;
