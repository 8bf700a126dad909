CREATE TABLE "canvas_nodes" (
	"channel_id" uuid NOT NULL,
	"node_id" text NOT NULL,
	"x" real NOT NULL,
	"y" real NOT NULL,
	"data" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "canvas_nodes_channel_id_node_id_pk" PRIMARY KEY("channel_id","node_id")
);
--> statement-breakpoint
CREATE TABLE "run_tasks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"title" text NOT NULL,
	"agent_id" uuid,
	"status" text DEFAULT 'todo' NOT NULL,
	"result" text,
	"review" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"message_id" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"channel_id" uuid NOT NULL,
	"started_by" uuid NOT NULL,
	"supervisor_agent_id" uuid,
	"message_id" uuid,
	"goal" text NOT NULL,
	"status" text DEFAULT 'planning' NOT NULL,
	"budget" jsonb NOT NULL,
	"usage" jsonb NOT NULL,
	"summary" text,
	"stop_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "routing" jsonb;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "run_id" uuid;--> statement-breakpoint
ALTER TABLE "canvas_nodes" ADD CONSTRAINT "canvas_nodes_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_tasks" ADD CONSTRAINT "run_tasks_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_started_by_users_id_fk" FOREIGN KEY ("started_by") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "run_tasks_run_position_key" ON "run_tasks" USING btree ("run_id","position");--> statement-breakpoint
CREATE INDEX "runs_channel_id_idx" ON "runs" USING btree ("channel_id","id");--> statement-breakpoint
CREATE INDEX "runs_active_idx" ON "runs" USING btree ("channel_id") WHERE "runs"."ended_at" is null;