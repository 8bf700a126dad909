CREATE TABLE "usage_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"owner_id" uuid NOT NULL,
	"agent_id" uuid,
	"channel_id" uuid,
	"api_key_id" uuid,
	"source" text NOT NULL,
	"model" text NOT NULL,
	"prompt_tokens" integer DEFAULT 0 NOT NULL,
	"completion_tokens" integer DEFAULT 0 NOT NULL,
	"latency_ms" integer NOT NULL,
	"first_token_ms" integer,
	"outcome" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "answer_mode" text DEFAULT 'nobody' NOT NULL;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "lead_agent_id" uuid;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "hop_limit" integer DEFAULT 3 NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "reply_to_id" uuid;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "hop" integer;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "error_code" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "error_message" text;--> statement-breakpoint
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "usage_events_owner_created_idx" ON "usage_events" USING btree ("owner_id","created_at");--> statement-breakpoint
CREATE INDEX "usage_events_agent_created_idx" ON "usage_events" USING btree ("agent_id","created_at");--> statement-breakpoint
ALTER TABLE "channels" ADD CONSTRAINT "channels_lead_agent_id_agents_id_fk" FOREIGN KEY ("lead_agent_id") REFERENCES "public"."agents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "messages_streaming_idx" ON "messages" USING btree ("created_at") WHERE "messages"."status" = 'streaming';--> statement-breakpoint
ALTER TABLE "channels" ADD CONSTRAINT "channels_hop_limit_range" CHECK ("channels"."hop_limit" between 1 and 10);