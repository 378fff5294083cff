-- A response's answers as one JSON object on its own row, `{"t1": 4, "g1": "dk"}`: a value on the
-- item's scale is a number, a non-substantive code such as `dk` a string, an unanswered item is
-- absent. Submitting or importing writes one row per response instead of one per item, and
-- reading a round reads one row per response. Text, as on SQLite (migrations/sqlite/0006), so
-- one copy serves both engines.
ALTER TABLE responses ADD COLUMN answers TEXT NOT NULL DEFAULT '{}';
UPDATE responses r SET answers = a.answers
FROM (SELECT response_id,
             json_object_agg(item_id, COALESCE(to_json(value), to_json(code)))::text AS answers
      FROM response_answers GROUP BY response_id) a
WHERE a.response_id = r.id;
DROP TABLE response_answers;
