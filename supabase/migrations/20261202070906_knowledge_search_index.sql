DROP INDEX "knowledge_chunks_kb_idx";--> statement-breakpoint
DROP INDEX "knowledge_chunks_tsv_idx";--> statement-breakpoint
CREATE INDEX "knowledge_chunks_kb_tsv_idx" ON "knowledge_chunks" USING gin ("knowledge_base_id","tsv");