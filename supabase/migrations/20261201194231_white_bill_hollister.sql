DROP INDEX "messages_streaming_idx";--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "stream_started_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "messages_streaming_idx" ON "messages" USING btree ("stream_started_at") WHERE "messages"."status" = 'streaming';