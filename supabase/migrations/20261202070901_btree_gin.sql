-- btree_gin lets one GIN index hold a passage's knowledge base beside its words, so a search
-- intersects "in these bases" with "has these words" inside the index instead of reading every
-- passage of the base (or every passage with the words, in everyone's bases). A trusted
-- extension: Supabase, PGlite (registered in lib/db/client.ts) and stock Postgres 13+ ship it.
CREATE EXTENSION IF NOT EXISTS btree_gin;
