/**
 * A rule's ECS categorization: the `event.category` and `event.type` its findings carry, so that a
 * SIEM files them with the activity they are about (an invocation is an `api` access, enabling a
 * model a configuration change), not every finding as an IAM configuration change.
 *
 * The allowed values, and which types ECS expects with each category, are ECS's own (its
 * `schemas/event.yml`, allowed_values and expected_event_types, ECS 9.4): a type no listed
 * category expects is refused, as ECS's categorization guide asks.
 */
import { z } from "zod";

const EXPECTED_TYPES = {
  api: ["access", "admin", "allowed", "change", "creation", "deletion", "denied", "end", "info", "start", "user"],
  authentication: ["start", "end", "info"],
  configuration: ["access", "change", "creation", "deletion", "info"],
  database: ["access", "change", "info", "error"],
  driver: ["change", "end", "info", "start"],
  email: ["info"],
  file: ["access", "change", "creation", "deletion", "info"],
  host: ["access", "change", "end", "info", "start"],
  iam: ["admin", "change", "creation", "deletion", "group", "info", "user"],
  intrusion_detection: ["allowed", "denied", "info"],
  library: ["start"],
  malware: ["info"],
  network: ["access", "allowed", "connection", "denied", "end", "info", "protocol", "start"],
  package: ["access", "change", "deletion", "info", "installation", "start"],
  process: ["access", "change", "end", "info", "start"],
  registry: ["access", "change", "creation", "deletion"],
  session: ["start", "end", "info"],
  threat: ["indicator"],
  vulnerability: ["info"],
  web: ["access", "error", "info"],
} as const;

type EcsCategory = keyof typeof EXPECTED_TYPES;
type EcsType = (typeof EXPECTED_TYPES)[EcsCategory][number];

const CATEGORIES = Object.keys(EXPECTED_TYPES) as [EcsCategory, ...EcsCategory[]];
const TYPES = [...new Set(Object.values(EXPECTED_TYPES).flat())] as [EcsType, ...EcsType[]];

export const EcsCategorizationSchema = z
  .strictObject({
    category: z.array(z.enum(CATEGORIES)).min(1),
    type: z.array(z.enum(TYPES)).min(1),
  })
  .superRefine((ecs, ctx) => {
    for (const [i, type] of ecs.type.entries())
      if (!ecs.category.some((category) => (EXPECTED_TYPES[category] as readonly string[]).includes(type)))
        ctx.addIssue({
          code: "custom",
          path: ["type", i],
          message: `ECS expects "${type}" with none of the categories ${ecs.category.map((c) => `"${c}"`).join(", ")}`,
        });
    for (const [key, values] of Object.entries(ecs))
      if (new Set(values).size !== values.length)
        ctx.addIssue({ code: "custom", path: [key], message: "lists a value twice" });
  });

export type EcsCategorization = z.infer<typeof EcsCategorizationSchema>;
