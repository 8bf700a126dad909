-- Agents given knowledge bases before abilities existed keep answering from them.
UPDATE "agents" SET "abilities" = ARRAY['knowledge']::text[]
WHERE "id" IN (SELECT "agent_id" FROM "agent_knowledge_bases") AND NOT ('knowledge' = ANY ("abilities"));
