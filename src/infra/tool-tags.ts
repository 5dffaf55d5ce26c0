/**
 * The tool's tag on every resource a construct adds when it runs on a provider of its stack (`awsProvider: false`
 * or an AwsProvider). The SCP protects the guardrail's event data store, alert key, topic, alarms and
 * state table by this tag (ProtectGuardrailTaggedResources); the app's stacks and a construct that brings its
 * own provider set it as the provider's default_tags, which a team's provider does not have.
 */
import { Aspects, type IAspect, TerraformResource } from "cdktf";
import type { IConstruct } from "constructs";
import { TOOL_TAGS } from "../config/aws-limits";

/** A provider binding's tags argument (only resources whose AWS API takes tags have one). */
interface TagsArgument {
  tags: Record<string, string>;
  readonly tagsInput?: Record<string, string>;
}

class ToolTags implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource) || !("tagsInput" in node)) return;
    const resource = node as unknown as TagsArgument;
    // The resource's own tags stay; the tool's value wins, as it does over a user's tag in the config.
    resource.tags = { ...(resource.tagsInput ?? {}), ...TOOL_TAGS };
  }
}

/** Tags every taggable resource under `scope` with the tool's tag at synth. */
export function tagWithToolTags(scope: IConstruct): void {
  Aspects.of(scope).add(new ToolTags());
}
